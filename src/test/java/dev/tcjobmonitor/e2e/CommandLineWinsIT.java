package dev.tcjobmonitor.e2e;

import dev.tcjobmonitor.support.Docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import dev.tcjobmonitor.support.FreePorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Where settings come from (docs/running.md, "Running it"): each source wins over the ones before it, and the
 * command line's options over all of them, however an operator's shell or service is set up. Every
 * flag is run here against an environment and JVM system properties that say the opposite.
 * <p>
 * Each test runs the packaged jar in a working directory of its own, two at a time (see StandaloneJarIT).
 */
@Execution(ExecutionMode.CONCURRENT)
class CommandLineWinsIT {

    private static final String SECRET = "Precedence-S3cr3t";

    @TempDir
    Path workDir;

    record Run(int exitCode, String stdout, String stderr) {
        String output() {
            return stdout + stderr;
        }
    }

    /**
     * The jar in {@code dir} with {@code environment} (and none of the test JVM's own TC_*, MONITOR_*,
     * SINK* or CAMEL_* variables) and {@code jvmOptions} before {@code -jar}.
     */
    private static Run run(Path dir, Map<String, String> environment, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        ProcessBuilder builder = new ProcessBuilder(PackagedJar.command(jvmOptions, args)).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("TC_") || key.startsWith("MONITOR_")
                || key.startsWith("SINK") || key.startsWith("CAMEL_"));
        // a management server, where one starts, binds a port the system picks
        builder.environment().put("CAMEL_MANAGEMENT_PORT", "0");
        builder.environment().putAll(environment);
        Process process = builder.start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the process finished").isTrue();
        return new Run(process.exitValue(), Files.readString(dir.resolve("stdout.txt")),
                Files.readString(dir.resolve("stderr.txt")));
    }

    private Run run(Map<String, String> environment, List<String> jvmOptions, String... args) throws Exception {
        return run(workDir, environment, jvmOptions, args);
    }

    /** The environment that points the jar at {@code tc}, plus {@code more} pairs. */
    private static Map<String, String> instance(ThreatConnectSimulator tc, String... more) {
        Map<String, String> environment = new HashMap<>(
                Map.of("TC_BASE_URL", tc.baseUrl(), "TC_ACCESS_ID", "jar-user", "TC_SECRET_KEY", SECRET));
        for (int i = 0; i < more.length; i += 2) {
            environment.put(more[i], more[i + 1]);
        }
        return environment;
    }

    private static List<String> alertLines(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                for (Path file : files.sorted().toList()) {
                    lines.addAll(Files.readAllLines(file));
                }
            }
        }
        return lines;
    }

    @Test
    void dryRunSendsNothingWhateverTheEnvironmentAndTheJvmSay() throws Exception {
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser("jar-user", SECRET)) {
            long failed = tc.addFailed(12, Instant.now().minusSeconds(60), "boom\n");

            Run run = run(instance(tc, "MONITOR_DRY_RUN", "false"), List.of("-Dmonitor.dry-run=false"), "--dry-run");

            assertThat(run.exitCode()).as(run.output()).isZero();
            assertThat(run.stdout()).contains("Would deliver to file: {\"id\":" + failed);
            assertThat(alertLines(workDir.resolve("data/alerts"))).isEmpty();
            assertThat(workDir.resolve("data/state/default/watermark")).doesNotExist();
        }
    }

    @Test
    void sinceBackfillsFromItsOwnStartWhateverTheEnvironmentAndTheJvmSay() throws Exception {
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser("jar-user", SECRET)) {
            long threeDaysOld = tc.addFailed(12, Instant.now().minus(Duration.ofDays(3)), "three days ago\n");

            // half an hour back from the environment and the JVM: the three-day-old failure is outside it
            Run run = run(instance(tc, "MONITOR_SINCE", "PT30M"), List.of("-Dmonitor.since=PT30M"), "--since", "P7D");

            assertThat(run.exitCode()).as(run.output()).isZero();
            assertThat(alertLines(workDir.resolve("data/alerts"))).singleElement().asString()
                    .contains("\"id\":" + threeDaysOld);
        }
    }

    @Test
    void oncePollsWithoutAManagementServerWhateverTheEnvironmentAndTheJvmSay() throws Exception {
        // a daemon on this host holds the management port the environment names
        try (ServerSocket daemon = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser("jar-user", SECRET)) {
            tc.addFailed(12, Instant.now().minusSeconds(60), "boom\n");

            Run run = run(instance(tc, "CAMEL_MANAGEMENT_ENABLED", "true", "CAMEL_MANAGEMENT_PORT", String.valueOf(daemon.getLocalPort())),
                    List.of("-Dcamel.management.enabled=true"), "--once");

            assertThat(run.exitCode()).as(run.output()).isZero();
            assertThat(run.stdout()).contains("Poll of 'default' done").doesNotContain("HttpServer");
            assertThat(alertLines(workDir.resolve("data/alerts"))).hasSize(1);
        }
    }

    @Test
    void checkNeitherPollsNorServesWhateverTheEnvironmentAndTheJvmSay() throws Exception {
        try (ServerSocket daemon = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser("jar-user", SECRET)) {
            tc.addFailed(12, Instant.now().minusSeconds(60), "boom\n");

            // a cron of every second and a scheduler that starts: a poll would fall due while checking
            Run run = run(instance(tc, "MONITOR_CRON", "0/1 * * * * ?", "CAMEL_MANAGEMENT_ENABLED", "true",
                            "CAMEL_MANAGEMENT_PORT", String.valueOf(daemon.getLocalPort())),
                    List.of("-Dmonitor.cron=0/1 * * * * ?", "-Dcamel.management.enabled=true",
                            "-Dcamel.component.quartz.auto-start-scheduler=true"),
                    "--check");

            assertThat(run.exitCode()).as(run.output()).isZero();
            assertThat(run.stdout()).contains("OK   threatconnect default").doesNotContain("HttpServer")
                    .doesNotContain("Poll of 'default'");
            assertThat(tc.requests()).as("only the check's own request").hasSize(1);
            assertThat(alertLines(workDir.resolve("data/alerts"))).isEmpty();
        }
    }

    @Test
    void demoUsesOnlyItsOwnSimulatorStateAndSinkWhateverTheEnvironmentAndTheJvmSay() throws Exception {
        Path installState = workDir.resolve("install/state");
        Path installAlerts = workDir.resolve("install/alerts");
        String noBroker = "127.0.0.1:" + FreePorts.freePort();
        try (ThreatConnectSimulator real = ThreatConnectSimulator.start().withHmacUser("jar-user", SECRET)) {
            real.addFailed(12, Instant.now().minusSeconds(60), "a real failure\n");
            Map<String, String> environment = instance(real, "MONITOR_STATE_DIR", installState.toString(),
                    "SINKS", "file,kafka", "SINK_KAFKA_BROKERS", noBroker, "SINK_FILE_DIRECTORY", installAlerts.toString());
            List<String> jvm = List.of("-Dtc.base-url=" + real.baseUrl(), "-Dtc.access-id=jar-user", "-Dtc.secret-key=" + SECRET,
                    "-Dmonitor.state-dir=" + installState, "-Dsinks=file,kafka", "-Dsink.kafka.brokers=" + noBroker,
                    "-Dsink.file.directory=" + installAlerts, "-Dmonitor.cluster.enabled=true");

            Run run = run(environment, jvm, "--demo", "--once");

            assertThat(run.exitCode()).as(run.output()).isZero();
            assertThat(real.requests()).as("the real instance was never polled").isEmpty();
        }
        assertThat(alertLines(workDir.resolve("data/demo/alerts"))).isNotEmpty();
        assertThat(installState).doesNotExist();
        assertThat(installAlerts).doesNotExist();
    }

    /**
     * One setting, the file sink's folder, given by every source at once: the shipped default
     * (data/alerts), the working directory's application.properties, an environment variable, a JVM
     * system property and, with --demo, the command line. Each run adds the next source, which wins.
     * README's list under "Where settings come from" names them in this order.
     */
    @Test
    void eachSourceOfSettingsWinsOverTheOnesBeforeItAndTheCommandLineOverAll() throws Exception {
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser("jar-user", SECRET)) {
            tc.addFailed(12, Instant.now().minusSeconds(60), "boom\n");
            Map<String, String> environment = instance(tc, "SINK_FILE_DIRECTORY", "from-environment");
            List<String> jvm = List.of("-Dsink.file.directory=from-jvm");

            Path shipped = ladderStep("1-shipped", Map.of(), instance(tc), List.of(), "--once");
            Path file = ladderStep("2-file", Map.of("sink.file.directory", "from-file"), instance(tc), List.of(), "--once");
            Path env = ladderStep("3-environment", Map.of("sink.file.directory", "from-file"), environment, List.of(), "--once");
            Path sys = ladderStep("4-jvm", Map.of("sink.file.directory", "from-file"), environment, jvm, "--once");
            Path commandLine = ladderStep("5-command-line", Map.of("sink.file.directory", "from-file"), environment, jvm,
                    "--demo", "--once");

            assertThat(List.of(shipped, file, env, sys, commandLine)).containsExactly(
                    Path.of("data/alerts"), Path.of("from-file"), Path.of("from-environment"), Path.of("from-jvm"),
                    Path.of("data/demo/alerts"));
        }
        String running = Docs.section("Running it");
        String list = running.substring(running.indexOf("Where settings come from"), running.indexOf("Monitors come from"));
        assertThat(list).containsSubsequence("1. the shipped defaults", "2. `application.properties` in the working directory",
                "3. environment variables", "4. JVM system properties", "5. the command line");
    }

    /** Runs the jar in a fresh folder {@code name} and answers where (relative to it) its alerts went. */
    private Path ladderStep(String name, Map<String, String> applicationProperties, Map<String, String> environment,
            List<String> jvm, String... args) throws Exception {
        Path dir = Files.createDirectories(workDir.resolve(name));
        StringBuilder properties = new StringBuilder();
        applicationProperties.forEach((key, value) -> properties.append(key).append('=').append(value).append('\n'));
        Files.writeString(dir.resolve("application.properties"), properties);

        Run run = run(dir, environment, jvm, args);

        assertThat(run.exitCode()).as(name + ": " + run.output()).isZero();
        try (var files = Files.walk(dir)) {
            List<Path> alertFolders = files.filter(Files::isRegularFile).map(dir::relativize)
                    .filter(file -> !file.startsWith("data/state") && file.getFileName().toString().endsWith(".jsonl"))
                    .map(Path::getParent).distinct().toList();
            assertThat(alertFolders).as(name + ": the folders alert files went to").hasSize(1);
            return alertFolders.get(0);
        }
    }
}

package dev.tcjobmonitor.e2e;

import dev.tcjobmonitor.support.FreePorts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.simulator.Fault;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar, run as an operator runs it: a child process in its own working directory.
 * <p>
 * Every test has its own working directory, simulator and ports, and most of their time is a
 * child JVM starting up: they run two at a time (failsafe's junit.jupiter.execution.parallel
 * settings in pom.xml), one per core.
 */
@Execution(ExecutionMode.CONCURRENT)
class StandaloneJarIT {

    private static final String SECRET = "Jar-Test-S3cr3t/+=";

    @TempDir
    Path workDir;

    record Run(int exitCode, String stdout, String stderr) {
    }

    private Run run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = PackagedJar.command(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(workDir.resolve("stdout.txt").toFile())
                .redirectError(workDir.resolve("stderr.txt").toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("TC_") || key.startsWith("MONITOR_") || key.startsWith("SINK"));
        // a daemon's management server binds a port the system picks (0): nothing here reads it, and
        // no other process can take it between a pick and the bind
        builder.environment().put("CAMEL_MANAGEMENT_PORT", "0");
        builder.environment().putAll(environment);
        Process process = builder.start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the process finished").isTrue();
        return new Run(process.exitValue(), Files.readString(workDir.resolve("stdout.txt")),
                Files.readString(workDir.resolve("stderr.txt")));
    }

    /** The environment that points the jar at {@code tc} as the user jar-user with SECRET, plus {@code more} pairs. */
    private static Map<String, String> instance(ThreatConnectSimulator tc, String... more) {
        Map<String, String> environment = new java.util.HashMap<>(
                Map.of("TC_BASE_URL", tc.baseUrl(), "TC_ACCESS_ID", "jar-user", "TC_SECRET_KEY", SECRET));
        for (int i = 0; i < more.length; i += 2) {
            environment.put(more[i], more[i + 1]);
        }
        return environment;
    }

    private List<String> alertLines(String directory) throws IOException {
        Path dir = workDir.resolve(directory);
        List<String> lines = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    lines.addAll(Files.readAllLines(file));
                }
            }
        }
        return lines;
    }

    @Test
    void demoOncePollsTheBuiltInSimulatorAndWritesJsonLinesUnderTheDemoFolder() throws Exception {
        Run run = run(Map.of(), "--demo", "--once");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("Poll of 'default' done");
        Path demoAlerts = workDir.toRealPath().resolve("data/demo/alerts");
        assertThat(run.stdout().lines().findFirst()).hasValueSatisfying(first -> assertThat(first)
                .contains("alerts go to " + demoAlerts));
        assertThat(alertLines("data/demo/alerts")).isNotEmpty().allSatisfy(line -> assertThat(line).contains("\"status\":\"Failed\""));
        // the demo's state is temporary: nothing of it stays in the working directory
        assertThat(workDir.resolve("data/state")).doesNotExist();
        assertThat(workDir.resolve("data/alerts")).doesNotExist();
    }

    @Test
    void demoInAnInstallFolderTouchesNeitherItsStateNorItsSinksNorItsMonitors() throws Exception {
        // an installation: Kafka beside the file sink (at an address where nothing listens), a
        // watermark and delivered ids of monitor 'default', and a second monitor in routes/
        int noBroker = FreePorts.freePort();
        Files.writeString(workDir.resolve("application.properties"), String.join("\n",
                "sinks=file,kafka",
                "sink.kafka.brokers=127.0.0.1:" + noBroker,
                "sink.kafka.max-block-ms=1000",
                "sink.kafka.max-redeliveries=0",
                "monitor.job-ids=999999",
                ""));
        Path state = Files.createDirectories(workDir.resolve("data/state/default"));
        Files.writeString(state.resolve("watermark"), Instant.now().minus(Duration.ofMinutes(20)) + "\n");
        Files.writeString(state.resolve("delivered-file.tsv"), "real-1\t" + Instant.now().getEpochSecond() + "\n");
        Files.writeString(state.resolve("delivered-kafka.tsv"), "real-1\t" + Instant.now().getEpochSecond() + "\n");
        Files.createDirectories(workDir.resolve("data/alerts"));
        Map<Path, byte[]> before = contents(workDir.resolve("data"));
        Run run;
        try (ThreatConnectSimulator second = ThreatConnectSimulator.start().withHmacUser("jar-user", SECRET)) {
            second.addFailed(12, Instant.now().minusSeconds(60), "a real failure\n");
            Files.createDirectories(workDir.resolve("routes"));
            Files.writeString(workDir.resolve("routes/monitor.camel.yaml"), """
                    - templatedRoute:
                        routeTemplateRef: tc-job-monitor
                        routeId: tc-job-monitor-default
                        parameters:
                          - name: name
                            value: default
                    - templatedRoute:
                        routeTemplateRef: tc-job-monitor
                        routeId: tc-job-monitor-second
                        parameters:
                          - name: name
                            value: second
                          - name: baseUrl
                            value: "%s"
                    """.formatted(second.baseUrl()));

            // the state folder as the environment names it, as an operator's service would
            run = run(Map.of("MONITOR_STATE_DIR", workDir.resolve("data/state").toString(), "SINKS", "file,kafka"),
                    "--demo", "--once");

            assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
            assertThat(second.requests()).as("the operator's second monitor never polled").isEmpty();
        }
        assertThat(run.stdout()).contains("Poll of 'default' done").doesNotContain("Poll of 'second'");
        assertThat(contents(workDir.resolve("data"))).as("the installation's state and alerts, byte for byte")
                .containsOnlyKeys(before.keySet().toArray(Path[]::new))
                .allSatisfy((file, bytes) -> assertThat(bytes).as(file.toString()).isEqualTo(before.get(file)));
        assertThat(alertLines("data/demo/alerts")).isNotEmpty();
        assertThat(run.stdout() + run.stderr()).doesNotContain("127.0.0.1:" + noBroker);
    }

    /** Every regular file under {@code dir} (except the demo's own folder), with its bytes. */
    private static Map<Path, byte[]> contents(Path dir) throws IOException {
        Map<Path, byte[]> contents = new java.util.TreeMap<>();
        try (var files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path relative = dir.relativize(file);
                if (!relative.startsWith("demo")) {
                    contents.put(relative, Files.readAllBytes(file));
                }
            }
        }
        return contents;
    }

    @Test
    void environmentVariablesConfigureARealInstanceAndSecretsStayOutOfTheOutput() throws Exception {
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser("jar-user", SECRET)) {
            long failed = tc.addFailed(12, Instant.now().minusSeconds(60), "boom\n");

            Run run = run(instance(tc), "--once");

            assertThat(run.exitCode()).as(run.stderr()).isZero();
            assertThat(alertLines("data/alerts")).singleElement().asString().contains("\"id\":" + failed);
            assertThat(run.stdout() + run.stderr()).doesNotContain(SECRET);
        }
    }

    @Test
    void noSecretFromTheEnvironmentReachesTheOutput() throws Exception {
        Map<String, String> secrets = Map.of(
                "TC_API_TOKEN", "Token-Value-Q7", "SINK_EMAIL_PASSWORD", "Mail-Password-Q8",
                "SINK_KAFKA_SASL_JAAS_CONFIG", "x required username=\"u\" password=\"Kafka-Password-Q9\";",
                "SINK_KAFKA_SSL_TRUSTSTORE_PASSWORD", "Trust-Password-Q10");
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withApiToken("Token-Value-Q7")) {
            Map<String, String> environment = new java.util.HashMap<>(secrets);
            environment.put("TC_BASE_URL", tc.baseUrl());
            environment.put("SINK_EMAIL_USERNAME", "monitor");
            environment.put("SINK_EMAIL_STARTTLS", "true");

            Run run = run(environment, "--once");

            assertThat(run.exitCode()).as(run.stderr()).isZero();
            for (String secret : List.of("Token-Value-Q7", "Mail-Password-Q8", "Kafka-Password-Q9", "Trust-Password-Q10")) {
                assertThat(run.stdout() + run.stderr()).doesNotContain(secret);
            }
        }
    }

    @Test
    void aFailedOncePollExitsNonZeroWithOneClearLine() throws Exception {
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser("jar-user", "another-secret")) {
            Run run = run(instance(tc), "--once");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.stderr().strip()).doesNotContain("\n")
                    .contains("poll of 'default' failed").contains("HTTP 401").contains("Signature Data Did Not Match");
            assertThat(run.stdout() + run.stderr()).doesNotContain(SECRET);
        }
    }

    @Test
    void onceStopsWithoutWaitingForItsFinishedPoll() throws Exception {
        Run run = run(Map.of(), "--demo", "--once");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        // Camel's graceful shutdown says so when it finds an exchange in flight, and then waits a second
        assertThat(run.stdout()).contains("Poll of 'default' done").doesNotContain("inflight and pending exchanges");
    }

    @Test
    void oncePollsOnceEvenWhenItsCronFallsDueWhileItRuns() throws Exception {
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser("jar-user", SECRET)) {
            tc.addFailed(12, Instant.now().minusSeconds(60), "boom\n");
            // the page takes 2.5 s to come: a cron of every second falls due twice meanwhile
            tc.enqueueFault(Fault.delay(Duration.ofMillis(2500)));

            Run run = run(instance(tc, "MONITOR_CRON", "0/1 * * * * ?"), "--once");

            assertThat(run.exitCode()).as(run.stderr()).isZero();
            assertThat(run.stdout().lines().filter(line -> line.contains("Poll of 'default' done"))).as(run.stdout()).hasSize(1);
            assertThat(tc.requests()).hasSize(1);
        }
    }

    @Test
    void oncePollsBesideADaemonThatHoldsTheManagementPort() throws Exception {
        try (ServerSocket daemon = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Files.writeString(workDir.resolve("application.properties"), "camel.management.port=" + daemon.getLocalPort() + "\n");

            Run run = run(Map.of(), "--demo", "--once");

            assertThat(run.exitCode()).as(run.stderr()).isZero();
            assertThat(run.stdout()).contains("Poll of 'default' done").doesNotContain("ERROR").doesNotContain("HttpServer");
        }
    }

    @Test
    void theWorkingDirectorysApplicationPropertiesWinOverTheShippedDefaults() throws Exception {
        Files.writeString(workDir.resolve("application.properties"), "sink.file.directory=custom-alerts\n");
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser("jar-user", SECRET)) {
            tc.addFailed(12, Instant.now().minusSeconds(60), "boom\n");

            Run run = run(instance(tc), "--once");

            assertThat(run.exitCode()).as(run.stderr()).isZero();
        }
        assertThat(alertLines("custom-alerts")).isNotEmpty();
        assertThat(workDir.resolve("data/alerts")).doesNotExist();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "MONITOR_PAGE_SIZE|20000|monitor.page-size",
            "MONITOR_CRON|every five minutes|monitor.cron",
            "MONITOR_TIME_ZONE|Mars/Olympus_Mons|monitor.time-zone",
            "MONITOR_MAX_PAGES|0|monitor.max-pages",
            "MONITOR_OVERLAP|PT0S|monitor.overlap",
            "MONITOR_LOOKBACK|P999999999D|monitor.lookback",
            "MONITOR_EXTRA_TQL|jobId = 1) OR (jobId > 0|monitor.extra-tql",
            "TC_BASE_URL|http://tc.example.org/api|tc.base-url",
            "SINK_EMAIL_USERNAME|monitor|sink.email.username",
            "SINKS|file,pager|sinks"})
    void aBadSettingStopsStartUpWithOneLineNamingIt(String variable, String value, String setting) throws Exception {
        Run run;
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser("jar-user", SECRET)) {
            run = run(instance(tc, variable, value), "--once");
        }

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr().strip()).doesNotContain("\n").contains(setting).contains("cannot start");
    }

    @Test
    void checkWithABadSettingExitsWith2AsEveryCommandDoes() throws Exception {
        Run run = run(Map.of("TC_BASE_URL", "https://tc.example.com/api", "TC_ACCESS_ID", "id", "TC_SECRET_KEY", SECRET,
                "MONITOR_PAGE_SIZE", "20000"), "--check");

        assertThat(run.exitCode()).as(run.stdout()).isEqualTo(2);
        assertThat(run.stdout()).contains("FAIL configuration").contains("monitor.page-size");
    }

    @Test
    void onceWithNoMonitorDefinedExitsWith2NamingWhatIsMissing() throws Exception {
        // routes/ holds a route of the operator's but no templatedRoute of tc-job-monitor
        Files.createDirectories(workDir.resolve("routes"));
        Files.writeString(workDir.resolve("routes/other.camel.yaml"), """
                - route:
                    id: something-else
                    from:
                      uri: direct:something-else
                      steps:
                        - log: not a monitor
                """);
        Run run = run(Map.of("TC_BASE_URL", "https://tc.example.com/api", "TC_ACCESS_ID", "id", "TC_SECRET_KEY", SECRET),
                "--once");

        assertThat(run.exitCode()).as(run.stderr()).isEqualTo(2);
        assertThat(run.stderr().strip()).doesNotContain("\n").contains("no monitor is defined");
    }

    @Test
    void bothKindsOfCredentialsStopStartUp() throws Exception {
        Run run = run(Map.of("TC_BASE_URL", "https://tc.example.com/api", "TC_ACCESS_ID", "id", "TC_SECRET_KEY", SECRET,
                "TC_API_TOKEN", "token"), "--once");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr().strip()).doesNotContain("\n").contains("tc.api-token").doesNotContain(SECRET);
    }

    @Test
    void missingCredentialsStopStartUp() throws Exception {
        Run run = run(Map.of("TC_BASE_URL", "https://tc.example.com/api"), "--once");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("tc.access-id").contains("tc.api-token");
    }

    @Test
    void checkReachesThreatConnectAndEverySinkAndNamesWhatFails() throws Exception {
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser("jar-user", "another-secret")) {
            // ports where nothing listens: no server to bind port 0, so FreePorts
            Run run = run(instance(tc,
                    "SINKS", "file,kafka,email", "SINK_KAFKA_BROKERS", "127.0.0.1:" + FreePorts.freePort(),
                    "SINK_EMAIL_HOST", "127.0.0.1", "SINK_EMAIL_PORT", String.valueOf(FreePorts.freePort())), "--check");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.stdout()).contains("OK   configuration: 1 monitor(s): default")
                    .contains("FAIL threatconnect default: ThreatConnect answered HTTP 401")
                    .contains("check tc.access-id and tc.secret-key")
                    .contains("OK   sink file:")
                    .containsPattern("FAIL sink kafka: no Kafka broker answered at 127.0.0.1:\\d+")
                    .containsPattern("FAIL sink email: cannot connect to smtp://127.0.0.1:\\d+");
            assertThat(run.stdout() + run.stderr()).doesNotContain(SECRET);
            assertThat(tc.requests()).hasSize(1);
        }
    }

    @Test
    void checkPassesWhenEverythingAnswers() throws Exception {
        Run run = run(Map.of(), "--demo", "--check");

        assertThat(run.exitCode()).as(run.stdout()).isZero();
        assertThat(run.stdout()).contains("OK   threatconnect default:").contains("OK   sink file:");
    }

    @Test
    void dryRunShowsWhatWouldBeDeliveredAndChangesNothing() throws Exception {
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser("jar-user", SECRET)) {
            long failed = tc.addFailed(12, Instant.now().minusSeconds(60), "boom\n");
            Map<String, String> environment = instance(tc);

            Run dryRun = run(environment, "--dry-run");

            assertThat(dryRun.exitCode()).as(dryRun.stderr()).isZero();
            assertThat(dryRun.stdout()).contains("Would deliver to file: {\"id\":" + failed);
            assertThat(alertLines("data/alerts")).isEmpty();
            assertThat(workDir.resolve("data/state/default/watermark")).doesNotExist();
            assertThat(workDir.resolve("data/state/default/delivered-file.tsv")).doesNotExist();

            Run real = run(environment, "--once");
            assertThat(real.exitCode()).isZero();
            assertThat(alertLines("data/alerts")).hasSize(1);
        }
    }

    @Test
    void sinceBackfillsAnOlderWindowDeliveringOnlyWhatIsMissing() throws Exception {
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser("jar-user", SECRET)) {
            long old = tc.addFailed(12, Instant.now().minus(java.time.Duration.ofDays(3)), "three days ago\n");
            long recent = tc.addFailed(12, Instant.now().minusSeconds(60), "a minute ago\n");
            Map<String, String> environment = instance(tc);
            assertThat(run(environment, "--once").exitCode()).isZero();
            assertThat(alertLines("data/alerts")).singleElement().asString().contains("\"id\":" + recent);

            Run backfill = run(environment, "--since", "P7D");

            assertThat(backfill.exitCode()).as(backfill.stderr()).isZero();
            assertThat(alertLines("data/alerts")).hasSize(2).anySatisfy(line -> assertThat(line).contains("\"id\":" + old));
            Run bad = run(environment, "--since", "last tuesday");
            assertThat(bad.exitCode()).isEqualTo(2);
            assertThat(bad.stderr()).contains("--since");
        }
    }


    @Test
    void helpAndUnknownOptions() throws Exception {
        Run help = run(Map.of(), "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.stdout()).contains("--once").contains("--demo");

        Run unknown = run(Map.of(), "--bogus");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("unknown option '--bogus'");
    }
}

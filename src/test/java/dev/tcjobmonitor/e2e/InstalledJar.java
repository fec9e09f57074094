package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar run from an install folder against the simulator, as an operator runs it: a
 * daemon that never polls on its own, and the one-shot commands beside it, each process pointed at
 * ThreatConnect through the environment only, its output in {@code <name>.out/.err} of the folder.
 */
final class InstalledJar implements AutoCloseable {

    /** A one-shot command's exit status and output. */
    record Run(int exitCode, String stdout, String stderr) {
    }

    /** A daemon that never polls on its own: what the commands beside it do is all that happens. */
    private static final String NEVER = "0 0 0 1 1 ? 2099";

    private final Path folder;
    private final Map<String, String> threatConnect;
    private final List<Process> daemons = new ArrayList<>();
    private int runs;

    InstalledJar(Path folder, ThreatConnectSimulator tc, String accessId, String secretKey) {
        this.folder = folder;
        this.threatConnect = Map.of("TC_BASE_URL", tc.baseUrl(), "TC_ACCESS_ID", accessId, "TC_SECRET_KEY", secretKey);
    }

    /** The jar as a daemon in the install folder; returns once Camel says it started. */
    Process startDaemon() throws IOException {
        int number = ++runs;
        Path stdout = folder.resolve("daemon-" + number + ".out");
        ProcessBuilder builder = processIn(PackagedJar.command(), "daemon-" + number);
        builder.environment().put("MONITOR_CRON", NEVER);
        Process daemon = builder.start();
        daemons.add(daemon);
        await("the daemon's start").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                .failFast("the daemon exited", () -> !daemon.isAlive())
                .until(() -> Files.exists(stdout) && Files.readString(stdout).contains("(tc-job-monitor) started in"));
        return daemon;
    }

    Run run(String... args) throws IOException, InterruptedException {
        return run(Map.of(), args);
    }

    /** A one-shot command with {@code environment} on top of ThreatConnect's settings. */
    Run run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        int number = ++runs;
        ProcessBuilder builder = processIn(PackagedJar.command(args), "run-" + number);
        builder.environment().putAll(environment);
        Process process = builder.start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the process finished").isTrue();
        return new Run(process.exitValue(), Files.readString(folder.resolve("run-" + number + ".out")),
                Files.readString(folder.resolve("run-" + number + ".err")));
    }

    /** Kills the daemons still running. */
    @Override
    public void close() throws InterruptedException {
        for (Process daemon : daemons) {
            daemon.destroyForcibly();
            daemon.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** {@code command} in the install folder, pointed at the simulator, its output in {@code name}.out/.err. */
    private ProcessBuilder processIn(List<String> command, String name) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile())
                .redirectOutput(folder.resolve(name + ".out").toFile())
                .redirectError(folder.resolve(name + ".err").toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(key -> key.startsWith("TC_") || key.startsWith("MONITOR_") || key.startsWith("SINK"));
        // each daemon's management server on a port the system picks: two daemons never collide on it
        environment.put("CAMEL_MANAGEMENT_PORT", "0");
        environment.putAll(threatConnect);
        return builder;
    }
}

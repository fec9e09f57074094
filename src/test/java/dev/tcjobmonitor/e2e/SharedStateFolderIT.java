package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes, one install folder (docs/guarantees.md, "State and delivery guarantee"): the packaged jar
 * runs as a daemon, and beside it an operator starts the commands of the same folder. A second
 * process on the daemon's state folder would corrupt it (the delivered ids are rewritten from the
 * daemon's memory, the file sink writes at its own position), so every command that polls is
 * refused with one line naming the daemon's pid, before it reads or writes anything.
 */
class SharedStateFolderIT {

    private static final String SECRET = "Lock-Test-S3cr3t/+=";
    /** A daemon that never polls on its own: what the commands beside it do is all that happens. */
    private static final String NEVER = "0 0 0 1 1 ? 2099";

    @TempDir
    Path workDir;

    private ThreatConnectSimulator tc;
    private final List<Process> daemons = new ArrayList<>();
    private int runs;

    record Run(int exitCode, String stdout, String stderr) {
    }

    @BeforeEach
    void startThreatConnect() {
        tc = ThreatConnectSimulator.start().withHmacUser("jar-user", SECRET);
        tc.addFailed(12, Instant.now().minusSeconds(60), "boom\n");
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        for (Process daemon : daemons) {
            daemon.destroyForcibly();
            daemon.waitFor(30, TimeUnit.SECONDS);
        }
        tc.close();
    }

    @Test
    void everyCommandThatPollsIsRefusedBesideARunningDaemonWithOneLineNamingItsPid() throws Exception {
        Process daemon = startDaemon();

        for (List<String> command : List.of(List.of("--once"), List.of("--since", "P4D"), List.of("--dry-run"), List.<String>of())) {
            Run refused = run(command.toArray(String[]::new));

            assertThat(refused.exitCode()).as("%s beside the daemon: %s", command, refused.stderr()).isEqualTo(2);
            assertThat(refused.stderr().strip()).as("%s beside the daemon", command).doesNotContain("\n")
                    .contains("is in use by process " + daemon.pid());
        }
        // none of them asked ThreatConnect or wrote anything: the daemon's folder is as it was
        assertThat(tc.requests()).isEmpty();
        assertThat(workDir.resolve("data/state/default/watermark")).doesNotExist();
        assertThat(workDir.resolve("data/alerts")).doesNotExist();
        assertThat(daemon.isAlive()).isTrue();
    }

    @Test
    void checkStillRunsBesideADaemon() throws Exception {
        startDaemon();

        // --check polls nothing and touches no state: it is what one runs on a live install
        Run check = run("--check");

        assertThat(check.exitCode()).as(check.stdout()).isZero();
        assertThat(check.stdout()).contains("OK   threatconnect default:").contains("OK   sink file:");
    }

    @Test
    void theStateFolderIsFreeAgainOnceTheDaemonStopsOrIsKilled() throws Exception {
        Process stopped = startDaemon();
        stopped.destroy();
        assertThat(stopped.waitFor(60, TimeUnit.SECONDS)).as("the daemon stops on SIGTERM").isTrue();

        Run afterStop = run("--once");

        assertThat(afterStop.exitCode()).as(afterStop.stderr()).isZero();
        assertThat(workDir.resolve("data/state/default/watermark")).exists();

        // a daemon killed outright leaves no lock behind either: the operating system drops it
        Process killed = startDaemon();
        killed.destroyForcibly();
        assertThat(killed.waitFor(60, TimeUnit.SECONDS)).isTrue();

        Run afterKill = run("--once");

        assertThat(afterKill.exitCode()).as(afterKill.stderr()).isZero();
    }

    /** The jar as a daemon in the install folder; returns once Camel says it started. */
    private Process startDaemon() throws IOException {
        int number = ++runs;
        Path stdout = workDir.resolve("daemon-" + number + ".out");
        ProcessBuilder builder = processIn(PackagedJar.command(), "daemon-" + number);
        builder.environment().put("MONITOR_CRON", NEVER);
        Process daemon = builder.start();
        daemons.add(daemon);
        await("the daemon's start").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                .failFast("the daemon exited", () -> !daemon.isAlive())
                .until(() -> Files.exists(stdout) && Files.readString(stdout).contains("(tc-job-monitor) started in"));
        return daemon;
    }

    private Run run(String... args) throws IOException, InterruptedException {
        int number = ++runs;
        Process process = processIn(PackagedJar.command(args), "run-" + number).start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the process finished").isTrue();
        return new Run(process.exitValue(), Files.readString(workDir.resolve("run-" + number + ".out")),
                Files.readString(workDir.resolve("run-" + number + ".err")));
    }

    /** {@code command} in the install folder, pointed at the simulator, its output in {@code name}.out/.err. */
    private ProcessBuilder processIn(List<String> command, String name) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(workDir.resolve(name + ".out").toFile())
                .redirectError(workDir.resolve(name + ".err").toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(key -> key.startsWith("TC_") || key.startsWith("MONITOR_") || key.startsWith("SINK"));
        // each daemon's management server on a port the system picks: two daemons never collide on it
        environment.put("CAMEL_MANAGEMENT_PORT", "0");
        environment.putAll(new HashMap<>(Map.of("TC_BASE_URL", tc.baseUrl(), "TC_ACCESS_ID", "jar-user", "TC_SECRET_KEY", SECRET)));
        return builder;
    }
}

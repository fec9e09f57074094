package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
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

    @TempDir
    Path workDir;

    private ThreatConnectSimulator tc;
    private InstalledJar jar;

    @BeforeEach
    void startThreatConnect() {
        tc = ThreatConnectSimulator.start().withHmacUser("jar-user", SECRET);
        jar = new InstalledJar(workDir, tc, "jar-user", SECRET);
        tc.addFailed(12, Instant.now().minusSeconds(60), "boom\n");
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        jar.close();
        tc.close();
    }

    @Test
    void everyCommandThatPollsIsRefusedBesideARunningDaemonWithOneLineNamingItsPid() throws Exception {
        Process daemon = jar.startDaemon();

        for (List<String> command : List.of(List.of("--once"), List.of("--since", "P4D"), List.of("--dry-run"), List.<String>of())) {
            InstalledJar.Run refused = jar.run(command.toArray(String[]::new));

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
        jar.startDaemon();

        // --check polls nothing and touches no state: it is what one runs on a live install
        InstalledJar.Run check = jar.run("--check");

        assertThat(check.exitCode()).as(check.stdout()).isZero();
        assertThat(check.stdout()).contains("OK   threatconnect default:").contains("OK   sink file:");
    }

    @Test
    void theStateFolderIsFreeAgainOnceTheDaemonStopsOrIsKilled() throws Exception {
        Process stopped = jar.startDaemon();
        stopped.destroy();
        assertThat(stopped.waitFor(60, TimeUnit.SECONDS)).as("the daemon stops on SIGTERM").isTrue();

        InstalledJar.Run afterStop = jar.run("--once");

        assertThat(afterStop.exitCode()).as(afterStop.stderr()).isZero();
        assertThat(workDir.resolve("data/state/default/watermark")).exists();

        // a daemon killed outright leaves no lock behind either: the operating system drops it
        Process killed = jar.startDaemon();
        killed.destroyForcibly();
        assertThat(killed.waitFor(60, TimeUnit.SECONDS)).isTrue();

        InstalledJar.Run afterKill = jar.run("--once");

        assertThat(afterKill.exitCode()).as(afterKill.stderr()).isZero();
    }
}

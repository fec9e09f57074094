package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.support.StateFolderHolder;
import java.nio.file.Files;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The module in a host (the shipped YAML in a Camel Main, as {@link MonitorHarness} starts it, not
 * the standalone process that refuses to start) whose state folder another process holds: its
 * polls fail with one line naming that process and touch nothing, until that process ended.
 */
class StateFolderInUseEndToEndTest {

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private Process otherProcess;

    @AfterEach
    void endOtherProcess() throws InterruptedException {
        if (otherProcess != null) {
            otherProcess.destroyForcibly();
            otherProcess.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void pollsFailNamingTheProcessThatHoldsTheStateFolderAndCarryOnWhenItEnded() throws Exception {
        MonitorHarness harness = monitors.harness();
        otherProcess = StateFolderHolder.start(harness.stateDir);
        harness.start();
        long failed = harness.simulator.addFailed(3, Instant.now().minusSeconds(60), "boom\n");

        Poll refused = harness.poll();

        assertThat(refused.failure()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("is in use by process " + otherProcess.pid())
                .contains("two processes on one state folder would corrupt it (stop that one first, or wait until it ends)"));
        assertThat(harness.simulator.requests()).isEmpty();
        assertThat(harness.alerts()).isEmpty();
        assertThat(harness.stateDir.resolve("default")).doesNotExist();

        otherProcess.getOutputStream().close();
        assertThat(otherProcess.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(harness.poll().failure()).isEmpty();
        assertThat(harness.alertedIds()).containsExactly(failed);
        assertThat(Files.readString(harness.stateDir.resolve(".lock")).strip()).isEqualTo(String.valueOf(ProcessHandle.current().pid()));
    }
}

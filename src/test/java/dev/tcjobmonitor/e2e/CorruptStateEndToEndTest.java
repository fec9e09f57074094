package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.monitor.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A state file that is not what the monitor wrote (edited by hand, cut short by a full disk): the
 * poll's one line names the file and says what to do, as docs/runbook.md quotes it, rather than only
 * the parser's complaint about some text.
 */
class CorruptStateEndToEndTest {

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();

    @Test
    void aCorruptWatermarkFailsThePollWithOneLineNamingTheFileAndWhatToDo() throws Exception {
        MonitorHarness h = monitors.harness();
        Path watermark = Files.createDirectories(h.stateDir.resolve("default")).resolve("watermark");
        Files.writeString(watermark, "2026-11-3\n");
        h.start();
        h.simulator.addFailed(1, Instant.now().minusSeconds(60), "boom\n");

        Poll poll = h.poll();

        assertThat(poll.failure()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("the watermark file " + watermark + " is corrupt")
                .contains("delete it to restart from monitor.lookback"));
        assertThat(h.alerts()).isEmpty();

        // what the line says to do
        Files.delete(watermark);

        assertThat(h.poll().failure()).isEmpty();
        assertThat(h.alerts()).hasSize(1);
    }
}

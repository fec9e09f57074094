package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcjobmonitor.monitor.Backfill;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.monitor.StateCommands;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --rewind}: a failure ThreatConnect recorded late (its time is before the last window's
 * end, beyond the overlap) is missed by the usual polls; moving the watermark back makes the next
 * poll read it, and the delivered ids keep what was sent from being sent again.
 */
class WatermarkRewindEndToEndTest {

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();

    @Test
    void afterARewindTheNextPollDeliversAFailureTheUsualWindowMissedAndNothingTwice() throws Exception {
        MonitorHarness h = monitors.harness().start();
        long seen = h.simulator.addFailed(1, Instant.now().minusSeconds(120), "seen\n");
        Poll first = h.poll();
        assertThat(h.alertedIds()).containsExactly(seen);
        // recorded late: 40 minutes ago, before the watermark less the overlap (PT10M)
        long late = h.simulator.addFailed(2, Instant.now().minus(Duration.ofMinutes(40)), "late\n");
        h.poll();
        assertThat(h.alertedIds()).as("the usual window does not reach it").containsExactly(seen);
        Instant watermark = Instant.parse(h.watermark().orElseThrow());

        StateCommands.Rewind rewind = StateCommands.rewind(h.monitor("default"), Backfill.parse("--rewind", "PT1H"));

        assertThat(rewind.from()).contains(watermark);
        assertThat(rewind.to()).isBefore(first.windowEnd().minus(Duration.ofMinutes(59)));
        assertThat(h.watermark()).contains(rewind.to().toString());
        assertThat(rewind.warning()).as("an hour is well inside monitor.delivered-retention").isEmpty();
        assertThat(rewind.uncheckedBefore()).as("every failure of the window is checked against the delivered ids").isEmpty();

        Poll after = h.poll();

        assertThat(after.windowStart()).isEqualTo(rewind.to().minus(Duration.ofMinutes(10)));
        assertThat(h.alertedIds()).as("the late one now; the one sent before, not again").containsExactly(seen, late);
    }

    @Test
    void aRewindForwardOrIntoTheFutureIsRefusedAndMovesNothing() throws Exception {
        MonitorHarness h = monitors.harness().start();
        h.poll();
        String watermark = h.watermark().orElseThrow();

        assertThatThrownBy(() -> StateCommands.rewind(h.monitor("default"), Backfill.parse("--rewind", "2099-01-01T00:00:00Z")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is in the future");
        assertThatThrownBy(() -> StateCommands.rewind(h.monitor("default"),
                Backfill.parse("--rewind", Instant.parse(watermark).plusSeconds(1).toString())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("moves the watermark back only");
        assertThat(h.watermark()).contains(watermark);
    }
}

package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.monitor.JobMonitor;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.support.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A host clock that is wrong for a while (docs/guarantees.md, "State and delivery guarantee"): the window end
 * is this host's clock, so a clock hours fast would save a watermark in the future, and once NTP
 * set it right, the hours in between would never be asked for. The window end is held to
 * ThreatConnect's own time (the {@code Date} header of its answer, here the simulator's, on this
 * machine's real clock) plus one second; a skew beyond half the overlap is said once and shown in
 * health.
 *
 * <p>Only the monitor's clock is moved ({@link JobMonitor#setClock}, after start): the requests
 * are still signed with the real time, as with an API token, which carries no timestamp.
 */
class ClockSkewEndToEndTest {

    private static final Duration FAST = Duration.ofHours(3);

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private MonitorHarness harness;

    @Test
    void aPollOnAClockHoursFastSavesNoWatermarkPastThreatConnectsTimeSoNothingIsSkippedOnceItIsSetRight() throws Exception {
        harness = monitors.harness().start();
        JobMonitor monitor = harness.monitor("default");
        assertThat(harness.poll().failure()).isEmpty();

        monitor.setClock(new ManualClock(Instant.now().plus(FAST)));
        Poll fast = harness.poll();
        Instant afterFastPoll = Instant.now();

        assertThat(fast.failure()).isEmpty();
        // ThreatConnect's Date has whole seconds and came before this line: at most one second more
        assertThat(Instant.parse(harness.watermark().orElseThrow())).isBeforeOrEqualTo(afterFastPoll.plusSeconds(1));

        // NTP sets the clock right; a job fails after the fast poll, hours before the fast clock's time
        monitor.setClock(Clock.systemUTC());
        long failedSince = harness.simulator.addFailed(7, Instant.now(), "failed after the fast poll\n");

        assertThat(harness.poll().failure()).isEmpty();
        assertThat(harness.alertedIds()).containsExactly(failedSince);
    }

    @Test
    void aSkewBeyondHalfTheOverlapIsLoggedInOneLineAndShownInHealthUntilTheClockIsRight() throws Exception {
        harness = monitors.harness().start();
        JobMonitor monitor = harness.monitor("default");
        Instant start = Instant.now();
        monitor.setClock(new ManualClock(start.plus(FAST)));

        String fastPolls = StandardOutput.of(() -> {
            harness.poll();
            harness.poll();
        });

        // said once, not at every poll (nor at every page), with the size of the skew
        assertThat(fastPolls.lines().filter(line -> line.contains("clock"))).singleElement().asString()
                .contains(" WARN ").contains("'default'").contains("ahead of ThreatConnect's").contains("monitor.overlap");
        HealthCheck.Result skewed = health();
        // the monitor sees ThreatConnect and loses nothing: UP, with the skew for whoever looks
        assertThat(skewed.getState()).isEqualTo(HealthCheck.State.UP);
        long skewSeconds = ((Number) skewed.getDetails().get("default.clockSkewSeconds")).longValue();
        long elapsed = Duration.between(start, Instant.now()).toSeconds();
        assertThat(skewSeconds).isBetween(FAST.toSeconds() - elapsed - 1, FAST.toSeconds() + 1);

        monitor.setClock(Clock.systemUTC());
        String rightPoll = StandardOutput.of(harness::poll);

        assertThat(rightPoll.lines().filter(line -> line.contains("clock"))).singleElement().asString()
                .contains(" INFO ").contains("'default'").contains("agrees with ThreatConnect's");
        assertThat(health().getDetails()).doesNotContainKey("default.clockSkewSeconds");
    }

    private HealthCheck.Result health() {
        return HealthCheckHelper.invoke(harness.context()).stream()
                .filter(result -> result.getCheck().getId().equals("tc-job-monitor")).findFirst()
                .orElseThrow(() -> new AssertionError("no tc-job-monitor health check"));
    }
}

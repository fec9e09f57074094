package dev.tcjobmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.support.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What someone watching {@code --demo} sees: the demo's own simulator and settings, the real monitor
 * polling it, and the demo's two clocks played by hand, second by second: the feeder, which looks
 * for due executions every second, and the demo's cron, a poll every 30 seconds (plus one at start).
 */
class DemoModeTest {

    /** The demo's {@code monitor.cron} is {@code 0/30 * * * * ?}. */
    private static final Duration POLL_PERIOD = Duration.ofSeconds(30);
    private static final Duration FEEDER_TICK = Duration.ofSeconds(1);
    private static final Duration WATCHED = Duration.ofMinutes(6);

    @TempDir
    Path tempDir;

    /**
     * The cron's polls fall on :00 and :30 of the wall clock, so the first one after the poll at
     * start comes 1 to 30 seconds after it: each case is one such phase.
     */
    @ParameterizedTest(name = "first scheduled poll {0} s after start")
    @ValueSource(ints = {1, 15, 29, 30})
    void aWatcherSeesTheSeededFailuresAtStartThenANewFailureWithinAMinuteAndEveryMinuteAfter(int firstPollSeconds)
            throws Exception {
        ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        try (DemoMode demo = new DemoMode(clock)) {
            Main main = Application.createMain(polledByTheTest(demo), true);
            main.start();
            try {
                Poll atStart = poll(main);
                assertThat(atStart.failure()).isEmpty();
                // README: "the poll at start delivers the 6 failures of a seeded hour"
                assertThat(atStart.newFailures()).as("the failures of the seeded hour, at the poll at start").isEqualTo(6);

                // when, after start, a poll delivered a new failure: one entry per failure
                List<Duration> arrivals = new ArrayList<>();
                Duration nextPoll = Duration.ofSeconds(firstPollSeconds);
                for (Duration elapsed = FEEDER_TICK; elapsed.compareTo(WATCHED) <= 0; elapsed = elapsed.plus(FEEDER_TICK)) {
                    clock.advance(FEEDER_TICK);
                    demo.feedDue();
                    if (elapsed.equals(nextPoll)) {
                        Poll poll = poll(main);
                        assertThat(poll.failure()).isEmpty();
                        for (int i = 0; i < poll.newFailures(); i++) {
                            arrivals.add(elapsed);
                        }
                        nextPoll = nextPoll.plus(POLL_PERIOD);
                    }
                }

                assertThat(arrivals).as("new failures over %s", WATCHED).isNotEmpty();
                assertThat(arrivals.get(0)).as("the first new failure arrives within a minute of start, at %s", arrivals)
                        .isLessThanOrEqualTo(Duration.ofMinutes(1));
                for (int i = 1; i < arrivals.size(); i++) {
                    assertThat(arrivals.get(i).minus(arrivals.get(i - 1)))
                            .as("one new failure a minute, never two at once nor a minute without: arrivals %s", arrivals)
                            .isEqualTo(Duration.ofMinutes(1));
                }
                assertThat(arrivals).as("one a minute over %s", WATCHED).hasSizeGreaterThanOrEqualTo(5);
            } finally {
                main.stop();
            }
        }
    }

    /** A machine that slept for ten minutes: on waking, the demo goes on at one failure a minute, no burst of ten. */
    @Test
    void aFeederThatFellBehindAddsOneFailureAndGoesOnAMinuteLater() {
        ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        try (DemoMode demo = new DemoMode(clock)) {
            long seeded = failed(demo);

            clock.advance(Duration.ofMinutes(10));
            demo.feedDue();
            demo.feedDue();
            clock.advance(Duration.ofSeconds(59));
            demo.feedDue();
            assertThat(failed(demo)).as("one failure on waking, none more within the minute").isEqualTo(seeded + 1);

            clock.advance(Duration.ofSeconds(1));
            demo.feedDue();
            assertThat(failed(demo)).isEqualTo(seeded + 2);
        }
    }

    private static long failed(DemoMode demo) {
        return demo.simulator().executions().stream().filter(e -> "Failed".equals(e.path("status").asText())).count();
    }

    /**
     * The demo's own settings, except what the test does itself: polls when the test says (no cron),
     * no management port (tests run side by side), alerts in the test's folder.
     */
    private Properties polledByTheTest(DemoMode demo) {
        Properties settings = demo.overrides();
        settings.setProperty("monitor.cron", "0 0 0 1 1 ? 2099");
        settings.setProperty("camel.management.enabled", "false");
        settings.setProperty("sink.file.directory", tempDir.resolve("alerts").toString());
        return settings;
    }

    private static Poll poll(Main main) throws InterruptedException {
        return Application.pollAllNow(main.getCamelContext()).get(0);
    }
}

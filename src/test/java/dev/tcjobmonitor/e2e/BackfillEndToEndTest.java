package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.support.EmbeddedPostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --since}: a backfill delivers only what each sink has not had yet, as long as the failure
 * is inside {@code monitor.delivered-retention} (counted from the failure's time); one reaching
 * further back says how many failures it could not check. Each backfill is a run of its own (a
 * restart) that knows only the state the last one left, in files or in the cluster's PostgreSQL.
 */
class BackfillEndToEndTest {

    private static final String RETENTION_LINE = "past monitor.delivered-retention";

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();

    /** A monitor whose state is in files, or in a real PostgreSQL as in a cluster. */
    private MonitorHarness monitor(String state) throws Exception {
        if (state.equals("files")) {
            return monitors.harness();
        }
        EmbeddedPostgresServer postgres = monitors.closeLast(new EmbeddedPostgresServer(monitors.tempDir().resolve("pg"))).start();
        return monitors.harness("monitor")
                .set("monitor.cluster.enabled", "true")
                .set("monitor.cluster.jdbc-url", postgres.jdbcUrl())
                .set("monitor.cluster.user", postgres.user())
                .set("monitor.cluster.password", "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"files", "postgres"})
    void aRepeatedBackfillInsideTheRetentionSendsNothingTwice(String state) throws Exception {
        // the shipped retention (30 days); before it, ids were forgotten a day after their window
        MonitorHarness h = monitor(state).set("monitor.since", "P4D").start();
        Instant now = Instant.now();
        long threeDaysAgo = h.simulator.addFailed(100, now.minus(Duration.ofDays(3)), "three days ago\n");
        long twoDaysAgo = h.simulator.addFailed(101, now.minus(Duration.ofDays(2)), "two days ago\n");
        long recent = h.simulator.addFailed(102, now.minus(Duration.ofMinutes(5)), "recent\n");
        assertThat(h.poll().failure()).isEmpty();
        assertThat(h.alertedIds()).containsExactly(threeDaysAgo, twoDaysAgo, recent);

        h.restart();
        Poll[] second = new Poll[1];
        String log = StandardOutput.of(() -> second[0] = h.poll());

        assertThat(second[0].failure()).isEmpty();
        assertThat(second[0].failures()).as("the backfill saw them all again").isEqualTo(3);
        assertThat(second[0].newFailures()).isZero();
        assertThat(h.alertedIds()).as("every sink had them: nothing is sent twice")
                .containsExactly(threeDaysAgo, twoDaysAgo, recent);
        assertThat(second[0].uncheckedFailures()).isZero();
        assertThat(log).doesNotContain(RETENTION_LINE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"files", "postgres"})
    void aBackfillReachingPastTheRetentionSaysHowManyFailuresItCouldNotCheck(String state) throws Exception {
        MonitorHarness h = monitor(state)
                .set("monitor.delivered-retention", "P2D")
                .set("monitor.since", "P4D")
                .start();
        Instant now = Instant.now();
        long threeDaysAgo = h.simulator.addFailed(100, now.minus(Duration.ofDays(3)), "three days ago\n");
        long almostThreeDaysAgo = h.simulator.addFailed(101, now.minus(Duration.ofDays(3)).plus(Duration.ofHours(1)), "x\n");
        long oneDayAgo = h.simulator.addFailed(102, now.minus(Duration.ofDays(1)), "one day ago\n");
        Poll first = h.poll();
        // a first backfill: nothing was forgotten yet, so every failure was checked (and sent)
        assertThat(first.uncheckedFailures()).isZero();
        assertThat(h.alertedIds()).containsExactly(threeDaysAgo, almostThreeDaysAgo, oneDayAgo);

        h.restart();
        Poll[] second = new Poll[1];
        String log = StandardOutput.of(() -> second[0] = h.poll());

        assertThat(second[0].failure()).isEmpty();
        // the two failures older than two days were forgotten after the first run: sent again, and
        // said so; the one of yesterday is remembered and not sent again
        assertThat(h.alertedIds())
                .containsExactly(threeDaysAgo, threeDaysAgo, almostThreeDaysAgo, almostThreeDaysAgo, oneDayAgo);
        assertThat(second[0].uncheckedFailures()).isEqualTo(2);
        List<String> lines = log.lines().filter(line -> line.contains(RETENTION_LINE)).toList();
        assertThat(lines).singleElement().asString()
                .contains("WARN")
                .contains("Backfill of 'default' reached past monitor.delivered-retention (P2D): 2 failure(s) from before "
                        + first.windowEnd().minus(Duration.ofDays(2)))
                .contains("could not be checked against what was already sent");
    }

    @Test
    void aRetentionShorterThanTheOverlapStopsTheStartNamingTheSetting() {
        MonitorHarness h = monitors.harness().set("monitor.overlap", "PT1H").set("monitor.delivered-retention", "PT30M");

        assertThatThrownBy(h::start).rootCause()
                .hasMessageStartingWith("invalid setting monitor.delivered-retention of monitor 'default': 'PT30M' is shorter"
                        + " than the overlap (PT1H)");
    }
}

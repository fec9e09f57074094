package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * README: "The monitor also filters by status and window itself, so an instance that ignores part
 * of the query still produces the right alerts." Here the simulator honours the query, or ignores
 * all of it, or the clauses on one field, for every page of every poll, and the alerts must be the
 * same: the failures of the configured statuses and jobs whose configured time field is after the
 * window's start. Pages hold two executions, so what the monitor must drop is spread over several.
 */
class InstanceIgnoringTqlEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How much of the TQL the instance honours, for the whole test. */
    enum Instance {
        HONOURS_THE_QUERY(ThreatConnectSimulator::honourTql),
        IGNORES_THE_WHOLE_QUERY(ThreatConnectSimulator::ignoreTql),
        IGNORES_THE_TIME_CLAUSE(simulator -> simulator.ignoreTqlClausesOn("failedTime", "completedTime")),
        IGNORES_THE_STATUS_CLAUSE(simulator -> simulator.ignoreTqlClausesOn("status")),
        IGNORES_THE_JOB_ID_CLAUSES(simulator -> simulator.ignoreTqlClausesOn("jobId"));

        private final Consumer<ThreatConnectSimulator> behaviour;

        Instance(Consumer<ThreatConnectSimulator> behaviour) {
            this.behaviour = behaviour;
        }
    }

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private MonitorHarness harness;
    private final AtomicLong ids = new AtomicLong(500);
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private MonitorHarness started(Instance instance, String... settings) throws Exception {
        harness = monitors.harness().set("monitor.page-size", "2")
                .set("monitor.lookback", "PT1H").set("monitor.overlap", "PT10M");
        for (int i = 0; i < settings.length; i += 2) {
            harness.set(settings[i], settings[i + 1]);
        }
        harness.start();
        instance.behaviour.accept(harness.simulator);
        return harness;
    }

    /** An execution with an id, a job and a status; the test adds the time fields it needs. */
    private ObjectNode execution(Object jobId, String status) {
        ObjectNode execution = JSON.createObjectNode().put("id", ids.incrementAndGet());
        execution.set("jobId", JSON.valueToTree(jobId));
        return execution.put("status", status).put("exitMessage", status + " of job " + jobId + "\n");
    }

    private long add(ObjectNode execution) {
        harness.simulator.addExecution(execution);
        return execution.get("id").asLong();
    }

    private static String ago(Duration duration) {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(duration).toString();
    }

    @ParameterizedTest
    @EnumSource(names = {"HONOURS_THE_QUERY", "IGNORES_THE_WHOLE_QUERY", "IGNORES_THE_TIME_CLAUSE", "IGNORES_THE_STATUS_CLAUSE"})
    void onlyFailuresOfTheStatusAfterTheWindowStartAreDelivered(Instance instance) throws Exception {
        MonitorHarness h = started(instance);
        long inside1 = add(execution(1, "Failed").put("failedTime", ago(Duration.ofMinutes(10))));
        long inside2 = add(execution(2, "Failed").put("failedTime", ago(Duration.ofMinutes(20))));
        long inside3 = add(execution(3, "Failed").put("failedTime", ago(Duration.ofMinutes(30))));
        add(execution(4, "Failed").put("failedTime", ago(Duration.ofHours(2))));          // before the window
        add(execution(5, "Failed").put("failedTime", ago(Duration.ofHours(3))));          // before the window
        add(execution(6, "Completed").put("completedTime", ago(Duration.ofMinutes(5))));   // not a failure
        add(execution(7, "Partially Failed").put("failedTime", ago(Duration.ofMinutes(5)))); // not configured
        add(execution(8, "Running").put("startTime", ago(Duration.ofMinutes(1))));        // no failure time either

        Poll first = h.poll();

        assertThat(first.failure()).isEmpty();
        assertThat(h.alertedIds()).containsExactly(inside1, inside2, inside3);
        if (instance != Instance.HONOURS_THE_QUERY) {
            assertThat(first.executions()).as("the pages carried executions the monitor had to drop").isGreaterThan(3);
        }

        // the next window starts at the watermark minus the overlap, exclusive, as "failedTime >" is
        Instant secondStart = first.windowEnd().minus(Duration.ofMinutes(10));
        add(execution(9, "Failed").put("failedTime", secondStart.toString()));
        long justInside = add(execution(10, "Failed").put("failedTime", secondStart.plusSeconds(1).toString()));
        add(execution(11, "Failed").put("failedTime", secondStart.minusSeconds(1).toString()));

        Poll second = h.poll();

        assertThat(second.failure()).isEmpty();
        assertThat(second.windowStart()).isEqualTo(secondStart);
        assertThat(h.alertedIds()).containsExactly(inside1, inside2, inside3, justInside);
    }

    @ParameterizedTest
    @EnumSource(names = {"HONOURS_THE_QUERY", "IGNORES_THE_WHOLE_QUERY", "IGNORES_THE_TIME_CLAUSE"})
    void aFailureStampedAfterTheWindowEndIsDeliveredByThisPollAndNotAgain(Instance instance) throws Exception {
        // the window has no upper bound (the query asks "failedTime > start" only): a failure
        // stamped later than the poll's start, by a clock ahead of this host's or while the poll
        // reads its pages, is delivered at once; the next window returns it again, and the
        // delivered ids keep it from being sent twice
        MonitorHarness h = started(instance);
        Instant later = now.plus(Duration.ofHours(1));
        long ahead = add(execution(1, "Failed").put("failedTime", later.toString()));

        Poll first = h.poll();
        Poll second = h.poll();

        assertThat(first.windowEnd()).isBefore(later);
        assertThat(first.newFailures()).isEqualTo(1);
        assertThat(second.failures()).as("the second window returns it too").isEqualTo(1);
        assertThat(second.newFailures()).isZero();
        assertThat(h.alertedIds()).containsExactly(ahead);
    }

    @ParameterizedTest
    @EnumSource(names = {"HONOURS_THE_QUERY", "IGNORES_THE_WHOLE_QUERY", "IGNORES_THE_STATUS_CLAUSE"})
    void everyConfiguredStatusCountsAsAFailureAndNoOther(Instance instance) throws Exception {
        MonitorHarness h = started(instance, "monitor.statuses", "Failed,Partially Failed");
        String recent = ago(Duration.ofMinutes(5));
        long failed = add(execution(1, "Failed").put("failedTime", recent));
        long partly = add(execution(2, "Partially Failed").put("failedTime", recent));
        long lowerCase = add(execution(3, "partially failed").put("failedTime", recent)); // TQL compares case-insensitively
        add(execution(4, "Completed").put("failedTime", recent));
        add(execution(5, "Running").put("failedTime", recent));
        add(execution(6, "Failed ").put("failedTime", recent)); // not the same word

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(h.alertedIds()).containsExactly(failed, partly, lowerCase);
        assertThat(PollingEndToEndTest.tql(h.simulator.requests().get(0)))
                .startsWith("status IN (\"Failed\", \"Partially Failed\") AND failedTime > ");
    }

    @ParameterizedTest
    @EnumSource(names = {"HONOURS_THE_QUERY", "IGNORES_THE_WHOLE_QUERY", "IGNORES_THE_TIME_CLAUSE"})
    void theConfiguredTimeFieldDecidesWhatIsInsideTheWindow(Instance instance) throws Exception {
        MonitorHarness h = started(instance, "monitor.time-field", "completedTime");
        long completedInside = add(execution(1, "Failed")
                .put("completedTime", ago(Duration.ofMinutes(10))).put("failedTime", ago(Duration.ofHours(3))));
        add(execution(2, "Failed")
                .put("completedTime", ago(Duration.ofHours(3))).put("failedTime", ago(Duration.ofMinutes(10))));
        add(execution(3, "Failed").put("completedTime", ago(Duration.ofHours(2))));

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(h.alertedIds()).containsExactly(completedInside);
        assertThat(PollingEndToEndTest.tql(h.simulator.requests().get(0)))
                .isEqualTo("status IN (\"Failed\") AND completedTime > \"" + poll.windowStart() + "\"");
    }

    @ParameterizedTest
    @EnumSource(names = {"HONOURS_THE_QUERY", "IGNORES_THE_WHOLE_QUERY", "IGNORES_THE_JOB_ID_CLAUSES"})
    void onlyTheWatchedJobsAreDeliveredAndNeverAnExcludedOne(Instance instance) throws Exception {
        MonitorHarness h = started(instance, "monitor.job-ids", "1, 2, 3", "monitor.exclude-job-ids", "2");
        String recent = ago(Duration.ofMinutes(5));
        long watched = add(execution(1, "Failed").put("failedTime", recent));
        add(execution(2, "Failed").put("failedTime", recent));   // excluded
        long watchedToo = add(execution(3, "Failed").put("failedTime", recent));
        add(execution(4, "Failed").put("failedTime", recent));   // not listed
        add(execution(40, "Failed").put("failedTime", recent));  // not listed

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(h.alertedIds()).containsExactly(watched, watchedToo);
        assertThat(PollingEndToEndTest.tql(h.simulator.requests().get(0)))
                .endsWith(" AND jobId IN (1, 2, 3) AND jobId NOT IN (2)");
    }

    @Test
    void aFailureWithoutAReadableTimeOrJobIsKeptAndDeliveredOnce() throws Exception {
        // README: "one without a readable failure time is treated as inside the window"; an
        // unreadable jobId likewise: the monitor drops only what it can tell is unwanted. The
        // rest of the filter still applies to such a record.
        MonitorHarness h = started(Instance.IGNORES_THE_WHOLE_QUERY, "monitor.job-ids", "1");
        long noTime = add(execution(1, "Failed"));
        long unreadableTime = add(execution(1, "Failed").put("failedTime", "yesterday-ish"));
        long unreadableJob = add(execution("n/a", "Failed").put("failedTime", ago(Duration.ofMinutes(5))));
        add(execution(5, "Failed"));                                    // no time, but not a watched job
        add(execution(1, "Completed"));                                 // no time, but not a failure
        add(execution("n/a", "Failed").put("failedTime", ago(Duration.ofHours(2)))); // no job, but too old

        Poll first = h.poll();
        Poll second = h.poll();

        assertThat(first.failure()).isEmpty();
        assertThat(second.failure()).isEmpty();
        assertThat(second.newFailures()).as("nothing is sent twice").isZero();
        assertThat(h.alertedIds()).containsExactly(noTime, unreadableTime, unreadableJob);
    }
}

package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.state.DeadLetterFile;
import dev.tcjobmonitor.state.Delivery;
import dev.tcjobmonitor.state.MonitorStateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each sink of one monitor has: the alerts it accepted, those a silence hid from it, those
 * it refuses (pending until {@code monitor.dead-letter-after}) and those in its dead letter. Each
 * outcome is written to the state store, counted in the poll and in the metrics together, so the
 * watermark (which moves only when every sink has every failure) and the counters never disagree.
 */
final class SinkLedger {

    private static final Logger LOG = LoggerFactory.getLogger(SinkLedger.class);

    private final String monitor;
    private final MonitorStateStore stateStore;
    private final DeadLetterFile deadLetters;
    private final MonitorMetrics metrics;
    /** The monitor's clock, read at each call (a test may set another after start). */
    private final Supplier<Clock> clock;
    private final Duration deadLetterAfter;
    /** What a sink with a repeat interval holds: an alert it has now settles what it counted. */
    private final Repeats repeats;
    /** The failing jobs each sink knows of, for "job recovered" notices (made after this ledger, at start). */
    private final Supplier<JobRecoveries> recoveries;

    SinkLedger(String monitor, MonitorStateStore stateStore, DeadLetterFile deadLetters, MonitorMetrics metrics,
               Supplier<Clock> clock, Duration deadLetterAfter, Repeats repeats, Supplier<JobRecoveries> recoveries) {
        this.monitor = monitor;
        this.stateStore = stateStore;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.clock = clock;
        this.deadLetterAfter = deadLetterAfter;
        this.repeats = repeats;
        this.recoveries = recoveries;
    }

    /** Whether {@code sink} already has the alert with this delivery key. */
    boolean isDelivered(String sink, String key) {
        return stateStore.isDelivered(monitor, sink, key);
    }

    /**
     * A silence hid these failures from {@code sink}: recorded as delivered for it (it never gets
     * them, and they do not keep the window open), counted as silenced.
     */
    void silenced(String sink, List<Delivery> deliveries, Poll poll) {
        if (deliveries.isEmpty()) {
            return;
        }
        stateStore.recordDelivered(monitor, sink, deliveries);
        poll.tally().silenced(sink, deliveries.size());
        metrics.alerts("silenced", monitor, sink, deliveries.size());
    }

    /** The monitor's dead letters, one file per sink (what --replay-dead-letter sends again). */
    DeadLetterFile deadLetters() {
        return deadLetters;
    }

    /** {@code sink} accepted {@code alerts}: it never gets them again. */
    void delivered(String sink, List<Alert> alerts, Poll poll) {
        if (alerts.isEmpty()) {
            return;
        }
        stateStore.recordDelivered(monitor, sink, deliveries(alerts));
        repeats.settled(sink, alerts);
        recoveries.get().delivered(sink, alerts);
        if (poll.isReplay()) {
            poll.replayAccepted(alerts);
        }
        poll.tally().delivered(sink, alerts.size());
        metrics.alerts("delivered", monitor, sink, alerts.size());
    }

    /**
     * {@code sink} refused {@code alerts} after its redeliveries, in a way that may pass. Each
     * stays pending, so the window stays open and the next poll offers it to this sink again,
     * until {@code monitor.dead-letter-after} has passed since this sink first refused it (the
     * state store keeps that time across restarts): then it goes to the sink's dead letter and
     * counts as done. Counted from the first refusal, not from the failure: after an outage longer
     * than that, a refusal dead-letters nothing yet, and an alert without a readable failure time
     * is dead-lettered all the same. The sink is offered nothing more in this poll.
     */
    void undelivered(String sink, List<Alert> alerts, String error, Poll poll) {
        if (alerts.isEmpty()) {
            return;
        }
        poll.tally().refusing(sink, error);
        if (poll.isReplay()) {
            // dead-lettered already: they stay in the dead letter, with no clock of their own
            poll.tally().undelivered(sink, alerts.size(), error);
            return;
        }
        Instant now = clock.get().instant();
        List<String> keys = alerts.stream().map(Alert::key).toList();
        Map<String, Instant> refusedSince = stateStore.refusedSince(monitor, sink, keys, now);
        Instant giveUp = now.minus(deadLetterAfter);
        List<Alert> tooLong = alerts.stream()
                .filter(alert -> !refusedSince.getOrDefault(alert.key(), now).isAfter(giveUp)).toList();
        deadLetter(sink, tooLong, error, now);
        int deadLettered = tooLong.size();
        if (deadLettered > 0) {
            poll.tally().deadLettered(sink, deadLettered, error, false);
        }
        if (alerts.size() > deadLettered) {
            poll.tally().undelivered(sink, alerts.size() - deadLettered, error);
        }
        metrics.alerts("dead.lettered", monitor, sink, deadLettered);
        metrics.alerts("refused", monitor, sink, alerts.size() - deadLettered);
        LOG.debug("Sink '{}' of monitor '{}' refused {} alert(s): {}", sink, monitor, alerts.size(), error);
    }

    /**
     * {@code sink} refused {@code alerts} for good ({@link SinkErrors}: each for a reason of its
     * own that no retry changes): they go to its dead letter at once, count as done, and the sink
     * goes on with the rest of the poll.
     */
    void refusedForGood(String sink, List<Alert> alerts, String error, Poll poll) {
        if (alerts.isEmpty()) {
            return;
        }
        if (poll.isReplay()) {
            // refused again: they stay in the dead letter (written once), and the sink goes on
            poll.tally().undelivered(sink, alerts.size(), error);
            return;
        }
        deadLetter(sink, alerts, error, clock.get().instant());
        poll.tally().deadLettered(sink, alerts.size(), error, true);
        metrics.alerts("dead.lettered", monitor, sink, alerts.size());
        LOG.debug("Sink '{}' of monitor '{}' refused {} alert(s) for good: {}", sink, monitor, alerts.size(), error);
    }

    /** Writes the alerts to the sink's dead letter, then records them as done for it. */
    private void deadLetter(String sink, List<Alert> alerts, String error, Instant now) {
        for (Alert alert : alerts) {
            deadLetters.append(monitor, sink, alert.document(), error, now);
        }
        stateStore.recordDelivered(monitor, sink, deliveries(alerts));
        repeats.settled(sink, alerts);
        recoveries.get().deadLettered(sink, alerts);
    }

    private static List<Delivery> deliveries(List<Alert> alerts) {
        List<Delivery> deliveries = new ArrayList<>(alerts.size());
        alerts.forEach(alert -> deliveries.add(new Delivery(alert.key(), alert.eventTime())));
        return deliveries;
    }
}

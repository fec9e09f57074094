package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.alert.Alert;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The alerts a sink lacks, handed out one at a time, or all at once to a sink that takes a page in
 * one go. Once the sink has refused one (after its redeliveries) in a way that may pass, the rest
 * are not tried in this poll: they stay pending for the next, and count as refused (the
 * dead-letter clock of each starts). Without this, a sink that is down would spend its whole
 * timeout on every alert (or every page) of the poll. An alert refused for good ({@link SinkErrors})
 * stops nothing: it is the alert, not the sink.
 */
final class PendingAlerts implements Iterator<Alert> {

    private final String sink;
    private final List<Alert> alerts;
    private final Poll poll;
    private int next;

    PendingAlerts(String sink, List<Alert> alerts, Poll poll) {
        this.sink = sink;
        this.alerts = alerts;
        this.poll = poll;
    }

    @Override
    public boolean hasNext() {
        if (next < alerts.size() && poll.tally().hasRefused(sink)) {
            List<Alert> skipped = alerts.subList(next, alerts.size());
            next = alerts.size();
            try {
                poll.monitor().ledger().undelivered(sink, skipped, "not tried after an earlier refusal: " + poll.tally().lastError(sink), poll);
            } catch (RuntimeException unrecorded) {
                // as in SinkDeliveries.failed: neither delivered nor dead-lettered, the window stays open
                poll.tally().notRecorded(sink, "cannot record what it was not offered after a refusal ("
                        + ErrorText.describe(unrecorded) + "); it refused: " + poll.tally().lastError(sink));
            }
        }
        return next < alerts.size();
    }

    /** Every alert not handed out yet; none when the sink has refused one in this poll. */
    List<Alert> remaining() {
        if (!hasNext()) {
            return List.of();
        }
        List<Alert> remaining = alerts.subList(next, alerts.size());
        next = alerts.size();
        return remaining;
    }

    @Override
    public Alert next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return alerts.get(next++);
    }
}

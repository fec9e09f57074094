package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.alert.Alert;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The alerts a sink lacks, handed out one at a time, or all at once to a sink that takes a page in
 * one go. Once the sink has refused one (after its redeliveries) the rest are not tried in this
 * poll: they stay pending for the next. Without this, a sink that is down would spend its whole
 * timeout on every alert (or every page) of the poll.
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
        if (next < alerts.size() && poll.hasRefused(sink)) {
            List<Alert> skipped = alerts.subList(next, alerts.size());
            poll.monitor().undelivered(sink, skipped, "not tried after an earlier refusal: " + poll.lastError(sink), poll);
            next = alerts.size();
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

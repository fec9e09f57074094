package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.alert.Alert;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The alerts a sink lacks, handed out one at a time. Once the sink has refused one (after its
 * redeliveries) the rest are not tried in this poll: they stay pending for the next. Without
 * this, a sink that is down would spend its whole timeout on every alert of the page.
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

    @Override
    public Alert next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return alerts.get(next++);
    }
}

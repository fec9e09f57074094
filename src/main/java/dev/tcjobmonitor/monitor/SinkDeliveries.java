package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.alert.AlertBatch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;

/**
 * The steps every sink route shares (bean {@code tcDeliveries}): take from the page's batch the
 * alerts this sink lacks (one at a time, or all at once for a sink that takes a page in one go),
 * turn them into what the sink receives, and record the outcome once the sink has accepted or
 * refused them. The sink's monitor is the one whose poll is on the exchange.
 */
public class SinkDeliveries {

    /**
     * The alerts of the batch in the body that {@code sink} does not have yet, one at a time, and
     * none after the sink has refused one in this poll.
     */
    public Iterator<Alert> pending(String sink, Exchange exchange) throws InvalidPayloadException {
        return pendingAlerts(sink, exchange);
    }

    private static PendingAlerts pendingAlerts(String sink, Exchange exchange) throws InvalidPayloadException {
        return new PendingAlerts(sink, exchange.getMessage().getMandatoryBody(AlertBatch.class).pendingFor(sink),
                poll(sink, exchange));
    }

    /**
     * For a sink that takes a page in one go: the documents of the alerts of the batch in the body
     * that {@code sink} does not have yet, in order; none after the sink has refused one in this
     * poll. The alerts themselves stay on the exchange for {@link #delivered} and {@link #failed}.
     */
    public List<String> pendingDocuments(String sink, Exchange exchange) throws InvalidPayloadException {
        List<Alert> alerts = pendingAll(sink, exchange);
        List<String> documents = new ArrayList<>(alerts.size());
        alerts.forEach(alert -> documents.add(alert.document()));
        return documents;
    }

    /**
     * The alerts of the batch in the body that {@code sink} does not have yet, all at once, in
     * order; none after the sink has refused one in this poll. They stay on the exchange for
     * {@link #delivered} and {@link #failed}.
     */
    public List<Alert> pendingAll(String sink, Exchange exchange) throws InvalidPayloadException {
        List<Alert> alerts = pendingAlerts(sink, exchange).remaining();
        exchange.setProperty(MonitorConstants.ALERTS, alerts);
        return alerts;
    }

    /**
     * Body: the alert's JSON document; headers: tcExecutionId, tcJobId, tcStatus, tcMonitor; the
     * exchange property tcDeliveryKey: the key the sink's delivered ids know it by.
     */
    public void asMessage(Exchange exchange) throws InvalidPayloadException {
        Alert alert = exchange.getMessage().getMandatoryBody(Alert.class);
        exchange.setProperty(MonitorConstants.ALERTS, List.of(alert));
        exchange.setProperty(MonitorConstants.DELIVERY_KEY, alert.key());
        exchange.getMessage().setHeaders(alert.headers());
        exchange.getMessage().setBody(alert.document());
    }

    /**
     * The sink accepted the alerts on this exchange. Of a {@link PartlyAccepted} batch whose last
     * attempt succeeded, those refused for good in an earlier attempt (and left out of the retry)
     * go to the dead letter instead.
     */
    public void delivered(String sink, Exchange exchange) {
        Poll poll = poll(sink, exchange);
        List<Alert> alerts = alerts(exchange);
        if (exchange.getMessage().getBody() instanceof PartlyAccepted handed) {
            Map<Alert, Throwable> forGood = handed.refusedForGood();
            if (!forGood.isEmpty()) {
                deadLetterForGood(sink, alerts, forGood, poll);
                alerts = alerts.stream().filter(alert -> !forGood.containsKey(alert)).toList();
            }
        }
        poll.monitor().ledger().delivered(sink, alerts, poll);
    }

    /**
     * Whether the sink refused the alerts on this exchange for good ({@link SinkErrors}): the
     * {@code onWhen} of the error configuration tc-sink (errors.camel.yaml), which then sends them
     * to {@link #failed} without a redelivery. For a sink handed a {@link PartlyAccepted} batch:
     * whether nothing is left that a retry could send.
     */
    public boolean refusedForGood(Exchange exchange) {
        if (exchange.getMessage().getBody() instanceof PartlyAccepted handed) {
            return handed.settled();
        }
        Throwable cause = exchange.getException();
        return SinkErrors.isPermanent(cause != null ? cause : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
    }

    /**
     * The sink refused the alerts on this exchange: for good (they go to its dead letter at once
     * and the sink goes on with the rest), or, after its redeliveries, in a way that may pass
     * (they stay pending; see {@link JobMonitor#undelivered}). When what it was handed is
     * {@link PartlyAccepted}, those it did accept count as delivered, and each refused alert is
     * judged by its own error.
     */
    public void failed(String sink, Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Poll poll = poll(sink, exchange);
        List<Alert> refused = alerts(exchange);
        try {
            Map<Alert, Throwable> forGood = new IdentityHashMap<>();
            if (exchange.getMessage().getBody() instanceof PartlyAccepted handed) {
                List<Alert> taken = handed.accepted();
                poll.monitor().ledger().delivered(sink, taken, poll);
                Set<Alert> done = Collections.newSetFromMap(new IdentityHashMap<>());
                done.addAll(taken);
                forGood.putAll(handed.refusedForGood());
                done.addAll(forGood.keySet());
                refused = refused.stream().filter(alert -> !done.contains(alert)).toList();
            } else if (SinkErrors.isPermanent(cause)) {
                refused.forEach(alert -> forGood.put(alert, cause));
                refused = List.of();
            }
            deadLetterForGood(sink, alerts(exchange), forGood, poll);
            poll.monitor().ledger().undelivered(sink, refused, ErrorText.describe(cause), poll);
        } catch (RuntimeException unrecorded) {
            // e.g. the dead letter cannot be written (a read-only state folder): those alerts count
            // as neither delivered nor dead-lettered, so the window stays open (Window.close) and
            // says why in its one line; thrown on, it would only reach Camel's fatal error log
            poll.tally().notRecorded(sink, "cannot record what it refused in its dead letter or delivered ids ("
                    + ErrorText.describe(unrecorded)
                    + "); it refused: " + ErrorText.describe(cause));
        }
    }

    /** Those of {@code alerts} in {@code forGood} to the dead letter, grouped by error, in the page's order. */
    private static void deadLetterForGood(String sink, List<Alert> alerts, Map<Alert, Throwable> forGood, Poll poll) {
        Map<String, List<Alert>> byError = new LinkedHashMap<>();
        alerts.stream().filter(forGood::containsKey).forEach(alert -> byError
                .computeIfAbsent(ErrorText.describe(forGood.get(alert)), error -> new ArrayList<>()).add(alert));
        byError.forEach((error, refused) -> poll.monitor().ledger().refusedForGood(sink, refused, error, poll));
    }

    @SuppressWarnings("unchecked")
    private static List<Alert> alerts(Exchange exchange) {
        List<Alert> alerts = exchange.getProperty(MonitorConstants.ALERTS, List.class);
        return alerts == null ? List.of() : alerts;
    }

    static Poll poll(String sink, Exchange exchange) {
        Poll poll = exchange.getProperty(MonitorConstants.POLL, Poll.class);
        if (poll == null) {
            throw new IllegalStateException("sink '" + sink + "' received an alert outside a poll");
        }
        return poll;
    }
}

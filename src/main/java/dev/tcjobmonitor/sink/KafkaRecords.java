package dev.tcjobmonitor.sink;

import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.monitor.MonitorConstants;
import dev.tcjobmonitor.monitor.PartlyAccepted;
import dev.tcjobmonitor.monitor.SinkErrors;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultExchange;

/**
 * A page's alerts for the Kafka sink, as the body camel-kafka sends one record per element of:
 * each element an exchange of its own with the alert's document as value, its job id as key
 * ({@code kafka.KEY}, so one job's failures go to one partition, in order) and the alert's
 * headers. camel-kafka sends them all without waiting for each acknowledgement, and marks each
 * element with the broker's answer: its record metadata once acknowledged, or an exception.
 *
 * <p>Iterated again (a redelivery), it yields only the alerts the broker has not acknowledged
 * yet, so a retry never sends an acknowledged record twice. An attempt stops yielding as soon as
 * a record it sent was refused on the spot in a way that may pass (a broker that is down costs
 * one wait of {@code max.block.ms}, not one per record). A record refused for good
 * ({@link SinkErrors}: too large for the client or the broker, invalid) is never sent again and
 * stops nothing: it goes to the dead letter, the others on. An acknowledgement that arrives only
 * after a failed attempt was settled counts as a refusal: that record may be sent again (at least
 * once).
 */
public final class KafkaRecords implements Iterable<Exchange>, PartlyAccepted {

    private final CamelContext context;
    private final List<Alert> alerts;
    private final boolean[] acknowledged;
    /** Per alert, the error the client or broker refused it with for good (null: not refused so). */
    private final Throwable[] refusedForGood;
    /** The records of the latest attempt, by alert (null: not sent in it). */
    private Exchange[] sent;

    KafkaRecords(CamelContext context, List<Alert> alerts) {
        this.context = context;
        this.alerts = List.copyOf(alerts);
        this.acknowledged = new boolean[alerts.size()];
        this.refusedForGood = new Throwable[alerts.size()];
        this.sent = new Exchange[alerts.size()];
    }

    /** The records still owed, in the page's order. */
    @Override
    public synchronized Iterator<Exchange> iterator() {
        collectAcknowledgements();
        Exchange[] attempt = new Exchange[alerts.size()];
        sent = attempt;
        return new Iterator<>() {
            private int next = owedFrom(0);
            private Exchange last;

            @Override
            public boolean hasNext() {
                return next < alerts.size() && (last == null || last.getException() == null
                        || SinkErrors.isPermanent(last.getException()));
            }

            @Override
            public Exchange next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                last = record(alerts.get(next));
                attempt[next] = last;
                next = owedFrom(next + 1);
                return last;
            }
        };
    }

    /** The alerts the broker acknowledged, in any attempt so far. */
    @Override
    public synchronized List<Alert> accepted() {
        collectAcknowledgements();
        List<Alert> accepted = new ArrayList<>();
        for (int i = 0; i < alerts.size(); i++) {
            if (acknowledged[i]) {
                accepted.add(alerts.get(i));
            }
        }
        return accepted;
    }

    /** The alerts the client or broker refused for good, in any attempt so far, each with its error. */
    @Override
    public synchronized Map<Alert, Throwable> refusedForGood() {
        collectAcknowledgements();
        Map<Alert, Throwable> refused = new IdentityHashMap<>();
        for (int i = 0; i < alerts.size(); i++) {
            if (refusedForGood[i] != null) {
                refused.put(alerts.get(i), refusedForGood[i]);
            }
        }
        return refused;
    }

    /** Whether every alert was acknowledged or refused for good: a retry would send nothing. */
    @Override
    public synchronized boolean settled() {
        collectAcknowledgements();
        return owedFrom(0) == alerts.size();
    }

    private void collectAcknowledgements() {
        for (int i = 0; i < sent.length; i++) {
            Exchange record = sent[i];
            if (record == null) {
                continue;
            }
            Exception refusal = record.getException();
            if (refusal == null && record.getMessage().getHeader(KafkaConstants.KAFKA_RECORD_META) != null) {
                acknowledged[i] = true;
            } else if (refusal != null && SinkErrors.isPermanent(refusal)) {
                refusedForGood[i] = refusal;
            }
        }
    }

    private int owedFrom(int index) {
        int owed = index;
        while (owed < alerts.size() && (acknowledged[owed] || refusedForGood[owed] != null)) {
            owed++;
        }
        return owed;
    }

    private Exchange record(Alert alert) {
        Exchange record = new DefaultExchange(context);
        record.getMessage().setHeaders(alert.headers());
        record.getMessage().setHeader(KafkaConstants.KEY, record.getMessage().getHeader(MonitorConstants.JOB_ID));
        record.getMessage().setBody(alert.document());
        return record;
    }
}

package dev.tcjobmonitor.monitor;

import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * What one sink already has, as Camel's idempotent consumer sees it: a template-local bean of the
 * sink template {@code tc-sink-endpoint}, one per sink, over the monitor's state store (files
 * under {@code monitor.state-dir}, or the cluster's PostgreSQL). The key is the alert's delivery
 * key; the monitor is the one whose poll is on the exchange, so one repository serves every monitor.
 *
 * <p>Used with {@code eager: false} and {@code completionEager: true}: {@link #contains} is asked
 * before the send, {@link #add} only once the endpoint accepted the alert (one ledger write, so a
 * crash repeats at most that alert). A refusal, handled by the sink's error configuration, never
 * adds the key; {@link #remove} does nothing, since nothing was added.
 */
public class DeliveredIds extends ServiceSupport implements IdempotentRepository {

    private final SinkDeliveries deliveries = new SinkDeliveries();
    private String sink;

    public void setSink(String sink) {
        this.sink = sink;
    }

    public String getSink() {
        return sink;
    }

    @Override
    public boolean contains(Exchange exchange, String key) {
        Poll poll = SinkDeliveries.poll(sink, exchange);
        // a dead-lettered alert is recorded as delivered too: a replay of the dead letter sends it all the same
        return !poll.isReplay() && poll.monitor().ledger().isDelivered(sink, key);
    }

    /** The endpoint accepted the alert on this exchange: record it, count it, never send it again. */
    @Override
    public boolean add(Exchange exchange, String key) {
        deliveries.delivered(sink, exchange);
        return true;
    }

    @Override
    public boolean remove(Exchange exchange, String key) {
        return false;
    }

    @Override
    public boolean confirm(Exchange exchange, String key) {
        return true;
    }

    @Override
    public boolean add(String key) {
        throw new UnsupportedOperationException("sink '" + sink + "': delivered ids are recorded with their exchange");
    }

    @Override
    public boolean contains(String key) {
        throw new UnsupportedOperationException("sink '" + sink + "': delivered ids are looked up with their exchange");
    }

    @Override
    public boolean remove(String key) {
        return false;
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        // delivered ids are forgotten by the monitor, once their window is long closed
    }

    @Override
    public String toString() {
        return "DeliveredIds[" + sink + "]";
    }
}

package dev.tcjobmonitor.monitor;

import org.apache.camel.Exchange;

/**
 * The last step of every sink route (bean {@code tcDeliveries}): the sink has accepted the alert,
 * so its monitor records it as delivered to that sink and never sends it there again.
 */
public class DeliveryRecorder {

    public void delivered(String sink, Exchange exchange) {
        Poll poll = exchange.getProperty(MonitorConstants.POLL, Poll.class);
        if (poll == null) {
            throw new IllegalStateException("sink '" + sink + "' received an alert outside a poll");
        }
        poll.monitor().recordDelivered(exchange, sink);
    }
}

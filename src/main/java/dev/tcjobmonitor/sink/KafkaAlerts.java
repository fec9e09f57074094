package dev.tcjobmonitor.sink;

import dev.tcjobmonitor.monitor.SinkDeliveries;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;

/** The Kafka sink's own step (bean {@code tcKafka}): the page's alerts it lacks, as records. */
public class KafkaAlerts {

    private final SinkDeliveries deliveries = new SinkDeliveries();

    /** The records for the alerts of the batch in the body that the Kafka sink lacks; see {@link KafkaRecords}. */
    public KafkaRecords records(Exchange exchange) throws InvalidPayloadException {
        return new KafkaRecords(exchange.getContext(), deliveries.pendingAll("kafka", exchange));
    }
}

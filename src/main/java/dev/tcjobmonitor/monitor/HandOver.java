package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.alert.AlertBatch;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.RuntimeCamelException;

/**
 * How a poll of the Kamelet {@code tc-job-failures-source} hands its new failures to the route
 * that consumes it (the Kamelet's parameter {@code emit}):
 * <ul>
 * <li>{@code failures}: each failure that route lacks, as a message of its own. The route is then
 *     the monitor's only sink, named {@value #CONSUMER} in the delivery records: a failure is taken
 *     when the route returns without an exception, and one it failed on stays pending.</li>
 * <li>{@code pages}: the page's {@link AlertBatch}, once, for tc-job-monitor's own sink routes,
 *     which record what they took themselves; a failure here fails the poll, as any other would.</li>
 * </ul>
 */
final class HandOver {

    /** The consuming route's name as a sink, with {@code emit=failures}. */
    static final String CONSUMER = "kamelet";

    enum Emit { FAILURES, PAGES }

    private final Emit emit;
    private final SinkDeliveries deliveries = new SinkDeliveries();

    HandOver(Emit emit) {
        this.emit = emit;
    }

    static Emit emit(String monitor, String text) {
        String value = text == null || text.isBlank() ? "failures" : text.strip();
        try {
            return Emit.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new SettingException(monitor, "emit", "'" + value + "' is neither failures nor pages");
        }
    }

    Emit emit() {
        return emit;
    }

    /** What the consuming route gets of the batch in the body, one exchange each. */
    Iterator<?> items(Exchange exchange) throws InvalidPayloadException {
        if (emit == Emit.FAILURES) {
            return deliveries.pending(CONSUMER, exchange);
        }
        AlertBatch batch = exchange.getMessage().getMandatoryBody(AlertBatch.class);
        // an empty batch still goes when it is addressed: the last of a poll, to a sink that
        // gathered the poll's failures (Window.addressed)
        List<?> sinks = exchange.getProperty(MonitorConstants.BATCH_SINKS, List.class);
        return batch.alerts().isEmpty() && (sinks == null || sinks.isEmpty())
                ? Collections.emptyIterator() : Collections.singleton(batch).iterator();
    }

    /** One failure becomes the message the consuming route receives; a batch stays as it is. */
    void offer(Exchange exchange) throws InvalidPayloadException {
        if (exchange.getMessage().getBody() instanceof Alert) {
            deliveries.asMessage(exchange);
        }
    }

    void taken(Exchange exchange) {
        if (emit == Emit.FAILURES) {
            deliveries.delivered(CONSUMER, exchange);
        }
    }

    void notTaken(Exchange exchange) throws Exception {
        if (emit == Emit.FAILURES) {
            deliveries.failed(CONSUMER, exchange);
            return;
        }
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        throw cause != null ? cause : new RuntimeCamelException("the sinks failed without an exception");
    }
}

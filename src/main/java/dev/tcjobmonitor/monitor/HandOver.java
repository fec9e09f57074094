package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.alert.AlertBatch;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import org.apache.camel.processor.aggregate.UseOriginalAggregationStrategy;
import org.apache.camel.support.DefaultMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a poll of the Kamelet {@code tc-job-failures-source} hands a batch to the route that consumes
 * it (the Kamelet's bean {@code tcHandOver}, the expression and the aggregation strategy of its
 * hand-over {@code split}), after the Kamelet's parameter {@code emit}:
 * <ul>
 * <li>{@code failures}: each failure that route lacks, as a message of its own (body: the JSON
 *     document; headers tcExecutionId, tcJobId, tcStatus, tcMonitor). The route is then the
 *     monitor's only sink, named {@value #CONSUMER} in the delivery records: a failure is taken
 *     when the route returns without an exception, and one it threw on stays pending (recorded as
 *     each part of the split comes back, {@link #aggregate}).</li>
 * <li>{@code pages}: the page's {@link AlertBatch}, once, for tc-job-monitor's own sink routes,
 *     which record what they took themselves; a failure here fails the poll, as any other would.</li>
 * </ul>
 * As an aggregation strategy it keeps the poll's exchange as it was ({@link UseOriginalAggregationStrategy}).
 */
public class HandOver extends UseOriginalAggregationStrategy {

    /** The monitor's lines keep the monitor's logger (log configuration, README). */
    private static final Logger LOG = LoggerFactory.getLogger(JobMonitor.class);

    /** The consuming route's name as a sink, with {@code emit=failures}. */
    static final String CONSUMER = "kamelet";

    /**
     * Exchange property of the hand-over split (emit=failures): the failures offered to the
     * consuming route. The Kamelet's onException tells by it that a part of the split failed
     * because the consuming route threw, which is no failure of the poll.
     */
    static final String OFFERS = "tcOffers";

    enum Emit { FAILURES, PAGES }

    private final SinkDeliveries deliveries = new SinkDeliveries();
    private JobMonitor monitor;

    public HandOver() {
        super(true);
    }

    /** The strategy of one run of the split over {@code original}, as Camel's Splitter asks for it. */
    private HandOver(HandOver bean, Exchange original) {
        super(original, true);
        this.monitor = bean.monitor;
    }

    public void setMonitor(JobMonitor monitor) {
        this.monitor = monitor;
    }

    static Emit emit(String monitor, String text) {
        String value = text == null || text.isBlank() ? "failures" : text.strip();
        try {
            return Emit.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new SettingException(monitor, "emit", "'" + value + "' is neither failures nor pages");
        }
    }

    /** What the consuming route gets of the batch in the body, one exchange each. */
    public Iterator<?> items(Exchange exchange) throws InvalidPayloadException {
        if (monitor.emit() == Emit.FAILURES) {
            Offers offers = new Offers(deliveries.pending(CONSUMER, exchange), exchange);
            exchange.setProperty(OFFERS, offers);
            return offers;
        }
        AlertBatch batch = exchange.getMessage().getMandatoryBody(AlertBatch.class);
        // an empty batch still goes when it is addressed: the last of a poll, to a sink that
        // gathered the poll's failures (Window.addressed)
        List<?> sinks = exchange.getProperty(MonitorConstants.BATCH_SINKS, List.class);
        return batch.alerts().isEmpty() && (sinks == null || sinks.isEmpty())
                ? Collections.emptyIterator() : Collections.singleton(batch).iterator();
    }

    @Override
    public UseOriginalAggregationStrategy newInstance(Exchange original) {
        return new HandOver(this, original);
    }

    /**
     * A part of the split came back from the consuming route.
     * <ul>
     * <li>emit=failures: a failure the route threw on stays pending for it (or goes to its dead
     *     letter), one it returned without an exception is taken, and the poll goes on with the
     *     next. A route that ended the exchange otherwise (its own error handler handled a
     *     failure, a stop) took nothing, and refused nothing.</li>
     * <li>emit=pages: a page the sinks' route threw on, after that route's error handler gave up,
     *     fails the poll as a failure of the poll's own steps would: no more pages, and when the
     *     window closes, one line and one record of a failed poll ({@link Window#close}); the
     *     watermark stays.</li>
     * </ul>
     * The poll's exchange stays as it was; the exception caught, if any, is on it
     * ({@link UseOriginalAggregationStrategy}).
     */
    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange part) {
        Offers offers = getOriginal() == null ? null : getOriginal().getProperty(OFFERS, Offers.class);
        Exception failure = part.getException();
        if (offers != null) {
            part.setProperty(MonitorConstants.ALERTS, List.of(offers.last()));
            if (failure != null) {
                caught(part, failure);
                deliveries.failed(CONSUMER, part);
            } else if (!endedOtherwise(part)) {
                deliveries.delivered(CONSUMER, part);
            }
        } else if (failure != null && part.getExchangeExtension().isRedeliveryExhausted()) {
            // the poll stops here (no more pages) and fails once, with this failure, when its
            // window closes (Window.close: one line, one record in its history)
            caught(part, failure);
            if (getOriginal().getProperty(MonitorConstants.POLL_ENDED, false, Boolean.class)) {
                // the poll's notice, handed over once the poll was over: nothing else will say it
                LOG.warn("Poll of '{}': its notice did not reach the sinks: {}", monitor.name(), ErrorText.describe(failure));
            } else {
                getOriginal().setProperty(MonitorConstants.HAND_OVER_FAILED, failure);
                getOriginal().setProperty(Pages.NEXT, null);
            }
        }
        return super.aggregate(oldExchange, part);
    }

    /** The part's failure is dealt with here: it stays on the part as the exception caught only. */
    private static void caught(Exchange part, Exception failure) {
        part.setException(null);
        part.getExchangeExtension().setRedeliveryExhausted(false);
        part.setProperty(Exchange.EXCEPTION_CAUGHT, failure);
    }

    /** As a pipeline tells it ({@code PipelineHelper.continueProcessing}): the route stopped it, or handled a failure. */
    private static boolean endedOtherwise(Exchange part) {
        return part.isRollbackOnly() || part.isRollbackOnlyLast() || part.isRouteStop()
                || part.getExchangeExtension().isErrorHandlerHandledSet() && part.getExchangeExtension().isErrorHandlerHandled();
    }

    /** The split is over: its offers are no property of the poll's exchange. */
    @Override
    public void onCompletion(Exchange exchange, Exchange original) {
        if (original != null) {
            original.removeProperty(OFFERS);
        }
    }

    /** The failures the consuming route lacks, each as the message it receives; the last one given out. */
    private static final class Offers implements Iterator<Message> {

        private final Iterator<Alert> pending;
        private final Exchange exchange;
        private Alert last;

        Offers(Iterator<Alert> pending, Exchange exchange) {
            this.pending = pending;
            this.exchange = exchange;
        }

        @Override
        public boolean hasNext() {
            return pending.hasNext();
        }

        @Override
        public Message next() {
            last = pending.next();
            Message message = new DefaultMessage(exchange.getContext());
            message.setHeaders(last.headers());
            message.setBody(last.document());
            return message;
        }

        /** The alert of the message given out last: the part that came back (the split is sequential). */
        Alert last() {
            return last;
        }
    }
}

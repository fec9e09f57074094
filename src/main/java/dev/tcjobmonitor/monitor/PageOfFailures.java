package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.alert.AlertBatch;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Processor;

/**
 * A monitor whose failures pass through a route of the operator's first (the template parameter
 * {@code failuresTo}): that route gets each of a page's new failures on its own exchange and
 * passes on what it keeps to {@code direct:tc-sinks}, where the failure joins its poll's page
 * ({@link #process}); then the sinks get the page together ({@link #take}), as they get it
 * straight from the Kamelet when there is no such route. So a sink still writes, records and
 * sends a page in one go, a sink that is down holds back no other, and the operator's route sees
 * one failure at a time.
 */
public class PageOfFailures implements Processor {

    /**
     * The failure on this exchange joins its page. A route that changed the body (a transform)
     * changes the document the sinks get.
     */
    @Override
    public void process(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<Alert> alerts = exchange.getProperty(MonitorConstants.ALERTS, List.class);
        if (alerts == null || alerts.size() != 1) {
            throw new IllegalStateException("direct:tc-sinks takes the failures a tc-job-monitor route hands its"
                    + " failuresTo route, one at a time");
        }
        Alert alert = alerts.get(0);
        Object body = exchange.getMessage().getBody();
        if (body != null && !alert.document().equals(body)) {
            String document = body instanceof String text ? text : exchange.getMessage().getBody(String.class);
            alert = new Alert(alert.execution(), alert.key(), alert.eventTime(), document, alert.pendingSinks(),
                    alert.monitor());
        }
        Window.poll(exchange).addToPage(alert);
    }

    /**
     * Body: of the page's batch (the body now), the failures the route passed on, addressed to the
     * sinks that lack any of them.
     */
    public AlertBatch take(Exchange exchange) throws InvalidPayloadException {
        AlertBatch offered = exchange.getMessage().getMandatoryBody(AlertBatch.class);
        return Window.addressed(exchange, new AlertBatch(Window.poll(exchange).takePage(offered.alerts())));
    }
}

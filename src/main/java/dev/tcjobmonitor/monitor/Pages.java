package dev.tcjobmonitor.monitor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tcjobmonitor.threatconnect.ExecutionPage;
import dev.tcjobmonitor.threatconnect.ExecutionPageReader;
import dev.tcjobmonitor.threatconnect.PageEnvelope;
import dev.tcjobmonitor.threatconnect.ThreatConnectException;
import java.io.ByteArrayInputStream;
import java.net.URI;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.StreamCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pages of a poll (the Kamelet's bean {@code tcPaging}): reads each page's envelope, follows its
 * {@code next} link, and bounds the paging. A page counts only on a 2xx with
 * {@code "status":"Success"} and a {@code data} array; its {@code next} link must point at the same
 * instance ({@code tc.base-url}), must not ask again for a page this poll already asked for, and a
 * poll reads at most {@code monitor.max-pages} pages: a server whose paging loops fails the poll
 * with one line instead of being asked forever.
 */
public class Pages {

    /** Exchange property: the next page to ask for (a URL), or null when the poll has read them all. */
    public static final String NEXT = "tcNext";

    /** The monitor's lines keep the monitor's logger (log configuration, README). */
    private static final Logger LOG = LoggerFactory.getLogger(JobMonitor.class);

    private final ExecutionPageReader reader = new ExecutionPageReader();
    private JobMonitor monitor;

    public void setMonitor(JobMonitor monitor) {
        this.monitor = monitor;
    }

    /**
     * Checks the page (the body: the envelope, unmarshalled as a {@link PageEnvelope}) and leaves
     * it as the body (its executions), its {@code next} link in {@link #NEXT}.
     *
     * @throws ThreatConnectException why the page cannot be used, or why the paging stops here
     */
    public ExecutionPage read(Exchange exchange) {
        Poll poll = Window.poll(exchange);
        Message message = exchange.getMessage();
        // ThreatConnect's own time: the window ends no later, whatever this host's clock says
        monitor.serverClock().answered(poll, message.getHeader("Date", String.class), monitor.clock().instant());
        Object body = message.getBody();
        ExecutionPage page = body instanceof JsonNode tree
                ? reader.read(status(message), message.getHeader("Retry-After", String.class), tree)
                : reader.read(status(message), message.getHeader("Retry-After", String.class),
                        body instanceof PageEnvelope envelope ? envelope : null);
        URI next = page.next().map(monitor.settings().endpoint()::sameOrigin).orElse(null);
        poll.paging().pageRead(page.size(), next);
        if (next != null && !poll.paging().firstRequestOf(next)) {
            throw new ThreatConnectException("the next link of page " + poll.pages()
                    + " asks again for a page this poll already read: ThreatConnect's paging goes round in a circle,"
                    + " the poll stops");
        }
        if (next != null && poll.pages() >= monitor.maxPages()) {
            throw new ThreatConnectException("ThreatConnect has more than " + monitor.maxPages() + " pages of "
                    + monitor.settings().pageSize() + " executions for this window, the poll stops (monitor.max-pages)");
        }
        if (next != null && exchange.getContext().isStopping()) {
            // a stop lets the poll deliver what it read, and asks for nothing more: the next
            // poll reads the rest of the window (the watermark stays where it was)
            poll.cutShortByStop();
            LOG.info("Poll of '{}' reads no page after page {}: the monitor is stopping; the next poll reads the rest"
                    + " of the window", monitor.name(), poll.pages());
            next = null;
        }
        exchange.setProperty(NEXT, next == null ? null : next.toString());
        if (next != null) {
            // asked for now, while this page is delivered: the loop's request for it takes the answer
            monitor.readAhead(next);
        }
        if (next != null || poll.pages() > 1) {
            // a long backfill shows its progress
            LOG.info("Poll of '{}': page {} read, {} execution(s) so far{}", monitor.name(), poll.pages(), poll.executions(),
                    next == null ? ", last page" : "");
        }
        return page;
    }

    /**
     * An attempt at the page failed (its request, its body or its envelope): hands it to Camel's
     * error handler as such ({@link PageRetry} retries only these). A body that is not JSON says
     * what it is instead, as ThreatConnect's pages are read (a proxy's error page, a body cut short).
     */
    public void attemptFailed(Exchange exchange) throws PageAttemptFailed {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (cause instanceof JsonProcessingException) {
            cause = unreadable(exchange.getMessage(), cause);
        }
        throw new PageAttemptFailed(cause);
    }

    /** Why a body camel-jackson could not read is no page, in the page reader's words. */
    private Throwable unreadable(Message message, Throwable parseError) {
        byte[] body;
        try {
            if (message.getBody() instanceof StreamCache cache) {
                cache.reset();
            }
            body = message.getBody(byte[].class);
        } catch (RuntimeException notReadableAgain) {
            return parseError;
        }
        if (body == null) {
            return parseError;
        }
        try {
            reader.read(status(message), message.getHeader("Retry-After", String.class), new ByteArrayInputStream(body));
        } catch (ThreatConnectException why) {
            return why;
        }
        return parseError;
    }

    private static int status(Message message) {
        Integer status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return status == null ? 0 : status;
    }
}

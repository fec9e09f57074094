package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.threatconnect.TransientFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.apache.camel.CamelContext;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Camel's error handler sends a failed attempt at a page again, and when: the Kamelet's
 * route-scoped {@code onException} asks {@link #retry} ({@code retryWhile}). An I/O error, a
 * timeout, a 429, a 500/502/503/504 or a body cut short at the page's attempt is tried again after
 * the wait of the monitor's {@link RetryPolicy} (exponential backoff with jitter,
 * {@code Retry-After} honoured up to its cap), while the poll's retry budget allows it; a stop
 * ends the wait and the poll. Anything else (a refusal, a TLS failure, a failure
 * outside the page's attempt, the budget spent, the monitor stopping) fails the poll at once; the
 * poll then says why.
 *
 * <p>Stateless: the poll on the exchange knows its monitor and its attempts. Camel asks once per
 * failed attempt, before its own (here zero) redelivery delay.
 */
public class PageRetry {

    /** The monitor's lines keep the monitor's logger, whatever class writes them (log configuration, README). */
    private static final Logger LOG = LoggerFactory.getLogger(JobMonitor.class);

    /** How often a wait for the next attempt looks whether the monitor is stopping. */
    private static final long STOP_CHECK_MILLIS = 100;

    /** True, after the wait, when the failed attempt is to be sent again. */
    public boolean retry(Exchange exchange) {
        Poll poll = exchange.getProperty(MonitorConstants.POLL, Poll.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (poll == null || find(cause, PageAttemptFailed.class) == null || !isTransient(cause)) {
            return false;
        }
        JobMonitor monitor = poll.monitor();
        if (exchange.getContext().isStopping()) {
            // a stop waits for the poll in progress: no new attempt, and no wait for one
            poll.paging().giveUp("page " + (poll.pages() + 1) + " failed and the monitor is stopping, so it is not tried again: "
                    + ErrorText.describe(cause));
            return false;
        }
        if (find(cause, SSLException.class) != null) {
            // an untrusted certificate stays untrusted: no retry
            poll.paging().giveUp("the TLS handshake with " + monitor.settings().endpoint() + " failed: " + ErrorText.describe(cause)
                    + " (check tc.tls.truststore for a private CA; tc.base-url's host must match the certificate)");
            return false;
        }
        TransientFailure transientFailure = find(cause, TransientFailure.class);
        Optional<Duration> retryAfter = transientFailure == null ? Optional.empty() : transientFailure.retryAfter();
        int attempt = poll.paging().attempts() + 1;
        RetryPolicy policy = monitor.retryPolicy();
        Optional<Duration> delay = policy.delayAfter(attempt, retryAfter, poll.elapsed());
        if (delay.isEmpty()) {
            poll.paging().giveUp("page " + (poll.pages() + 1) + " still failed after " + attempt
                    + " attempt(s) within the retry budget of " + policy.budget() + ": " + ErrorText.describe(cause));
            return false;
        }
        poll.paging().attemptFailed();
        LOG.info("Page {} of '{}' failed (attempt {}), retrying in {} ms: {}", poll.pages() + 1, monitor.name(), attempt,
                delay.get().toMillis(), ErrorText.describe(cause));
        if (!waitUnlessStopping(exchange.getContext(), delay.get())) {
            poll.paging().giveUp("page " + (poll.pages() + 1) + " failed and the monitor began to stop before it was tried again: "
                    + ErrorText.describe(cause));
            return false;
        }
        // waited here already: Camel sends the attempt again at once
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, 0L);
        return true;
    }

    /**
     * The wait before the next attempt, cut short when the monitor begins to stop (false then). It
     * is here rather than in Camel's redelivery delay because Camel, at shutdown, drops a delayed
     * redelivery without running the route's onException: the poll would end unrecorded, with an
     * ERROR from Quartz instead of its one line.
     */
    private static boolean waitUnlessStopping(CamelContext context, Duration delay) {
        long deadline = System.nanoTime() + delay.toNanos();
        try {
            for (long left = delay.toNanos(); left > 0; left = deadline - System.nanoTime()) {
                if (context.isStopping() || context.isStopped()) {
                    return false;
                }
                Thread.sleep(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), STOP_CHECK_MILLIS)));
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !context.isStopping();
    }

    /** I/O errors and timeouts (IOException), 429/5xx and bodies cut short (TransientFailure). */
    private static boolean isTransient(Throwable cause) {
        return find(cause, TransientFailure.class) != null || find(cause, IOException.class) != null;
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}

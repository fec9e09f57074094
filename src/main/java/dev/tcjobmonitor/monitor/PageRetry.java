package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.threatconnect.TransientFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Camel's error handler sends a failed attempt at a page again, and when: the Kamelet's
 * route-scoped {@code onException} asks {@link #retry} ({@code retryWhile}). An I/O error, a
 * timeout, a 429, a 500/502/503/504 or a body cut short at the page's attempt is tried again after
 * the wait of the monitor's {@link RetryPolicy} (exponential backoff with jitter,
 * {@code Retry-After} honoured up to its cap), put in {@link Exchange#REDELIVERY_DELAY} for Camel,
 * while the poll's retry budget allows it. Anything else (a refusal, a TLS failure, a failure
 * outside the page's attempt, the budget spent) fails the poll at once; the poll then says why.
 *
 * <p>Stateless: the poll on the exchange knows its monitor and its attempts. Camel asks once per
 * failed attempt, before it computes the delay, so the answer can carry the wait.
 */
public class PageRetry {

    /** The monitor's lines keep the monitor's logger, whatever class writes them (log configuration, README). */
    private static final Logger LOG = LoggerFactory.getLogger(JobMonitor.class);

    /** True, with the wait in {@link Exchange#REDELIVERY_DELAY}, when the failed attempt is to be sent again. */
    public boolean retry(Exchange exchange) {
        Poll poll = exchange.getProperty(MonitorConstants.POLL, Poll.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (poll == null || find(cause, PageAttemptFailed.class) == null || !isTransient(cause)) {
            return false;
        }
        JobMonitor monitor = poll.monitor();
        if (find(cause, SSLException.class) != null) {
            // an untrusted certificate stays untrusted: no retry
            poll.giveUp("the TLS handshake with " + monitor.settings().endpoint() + " failed: " + ErrorText.describe(cause)
                    + " (check tc.tls.truststore for a private CA; tc.base-url's host must match the certificate)");
            return false;
        }
        TransientFailure transientFailure = find(cause, TransientFailure.class);
        Optional<Duration> retryAfter = transientFailure == null ? Optional.empty() : transientFailure.retryAfter();
        int attempt = poll.attempts() + 1;
        RetryPolicy policy = monitor.retryPolicy();
        Optional<Duration> delay = policy.delayAfter(attempt, retryAfter, poll.elapsed());
        if (delay.isEmpty()) {
            poll.giveUp("page " + (poll.pages() + 1) + " still failed after " + attempt
                    + " attempt(s) within the retry budget of " + policy.budget() + ": " + ErrorText.describe(cause));
            return false;
        }
        poll.attemptFailed();
        LOG.info("Page {} of '{}' failed (attempt {}), retrying in {} ms: {}", poll.pages() + 1, monitor.name(), attempt,
                delay.get().toMillis(), ErrorText.describe(cause));
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, delay.get().toMillis());
        return true;
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

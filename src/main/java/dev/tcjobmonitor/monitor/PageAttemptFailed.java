package dev.tcjobmonitor.monitor;

/**
 * An attempt at a page (its request, its body, its envelope) failed: only such a failure may be
 * tried again ({@link PageRetry}); anything else that goes wrong in a poll fails it at once. The
 * cause says why, and is what the poll's failure line shows.
 */
public class PageAttemptFailed extends Exception {

    private static final long serialVersionUID = 1L;

    PageAttemptFailed(Throwable cause) {
        super(cause == null ? "the page's attempt failed" : cause.getMessage(), cause);
    }
}

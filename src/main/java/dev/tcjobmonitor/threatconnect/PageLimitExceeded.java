package dev.tcjobmonitor.threatconnect;

import java.io.IOException;

/**
 * A page's answer went past one of the client's limits ({@code tc.max-page-bytes},
 * {@code tc.page-deadline}); the connection is dropped at once. An I/O error, so the monitor
 * counts the attempt as transient and retries it within its budget.
 */
public class PageLimitExceeded extends IOException {

    public PageLimitExceeded(String message) {
        super(message);
    }
}

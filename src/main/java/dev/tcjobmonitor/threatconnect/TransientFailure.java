package dev.tcjobmonitor.threatconnect;

import java.time.Duration;
import java.util.Optional;

/**
 * A failure that may pass if the same request is tried again: HTTP 429, 500, 502, 503, 504, or a
 * good status with a body cut short. ThreatConnect's {@code Retry-After}, when it sent one, says
 * how long to wait.
 */
public class TransientFailure extends ThreatConnectException {

    private final transient Optional<Duration> retryAfter;

    public TransientFailure(String message, Optional<Duration> retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    public Optional<Duration> retryAfter() {
        return retryAfter;
    }
}

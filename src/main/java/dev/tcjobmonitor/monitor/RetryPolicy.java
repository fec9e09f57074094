package dev.tcjobmonitor.monitor;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a poll retries a page after a transient failure: exponential backoff with jitter from
 * {@code initialDelay} up to {@code maxDelay}, a {@code Retry-After} honoured up to
 * {@code retryAfterCap}, and never past {@code budget} since the poll started, which is kept
 * shorter than the cron period so a struggling poll never runs into the next one.
 */
public record RetryPolicy(Duration initialDelay, Duration maxDelay, Duration retryAfterCap, Duration budget) {

    /**
     * The wait before attempt {@code attempt + 1}, or empty when the budget does not allow it.
     *
     * @param attempt    attempts made so far (1 after the first failure)
     * @param retryAfter what the server asked for, if anything
     * @param elapsed    time since the poll started
     */
    public Optional<Duration> delayAfter(int attempt, Optional<Duration> retryAfter, Duration elapsed) {
        long exponential = initialDelay.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(Math.max(exponential, 0), maxDelay.toMillis());
        // "equal jitter": half fixed, half random, so polls of many monitors do not retry in step
        long delay = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        if (retryAfter.isPresent()) {
            delay = Math.max(delay, Math.min(retryAfter.get().toMillis(), retryAfterCap.toMillis()));
        }
        Duration wait = Duration.ofMillis(delay);
        return elapsed.plus(wait).compareTo(budget) <= 0 ? Optional.of(wait) : Optional.empty();
    }
}

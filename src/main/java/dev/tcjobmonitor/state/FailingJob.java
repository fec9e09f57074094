package dev.tcjobmonitor.state;

import java.time.Instant;

/**
 * A job a sink got failures of and no "job recovered" notice since (the sink's failing set).
 *
 * @param sink         the sink that got them
 * @param jobId        the job
 * @param firstFailure the earliest of those failures (their failure time)
 * @param lastFailure  the latest of them
 * @param failures     how many the sink got
 */
public record FailingJob(String sink, long jobId, Instant firstFailure, Instant lastFailure, int failures) {
}

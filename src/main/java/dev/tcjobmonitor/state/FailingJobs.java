package dev.tcjobmonitor.state;

import java.time.Instant;
import java.util.List;

/**
 * Per monitor and sink, the jobs the sink got failures of and no "job recovered" notice since
 * (README "Job recovered"): what the recovery check asks ThreatConnect about, and who gets its
 * notice. Kept by the state store (a file beside the delivered ids, or a PostgreSQL table), so it
 * survives restarts.
 */
public interface FailingJobs {

    /** One failure of a job, at its failure time. */
    record Failure(long jobId, Instant failedAt) {
    }

    /** {@code sink} got these failures: each job joins (or stays in) its failing set, with its count and times. */
    void failed(String monitor, String sink, List<Failure> failures);

    /** Every (sink, job) of the monitor's failing sets. */
    List<FailingJob> failing(String monitor);

    /**
     * {@code sink} has the job's notice (or its dead letter): the job leaves the sink's failing set,
     * unless the sink got a failure of it later than {@code lastFailure} (the notice's) meanwhile.
     */
    void recovered(String monitor, String sink, long jobId, Instant lastFailure);

    /** Forgets, without a notice, every job whose last failure is before {@code cutoff} (monitor.recovery-window). */
    void forgetBefore(String monitor, Instant cutoff);
}

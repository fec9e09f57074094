package dev.tcjobmonitor.state;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a monitor remembers between polls: its watermark (the end of the last fully delivered
 * window) and, per sink, which executions that sink already has and since when it refuses those it
 * does not. Keys are namespaced by monitor name so several monitors can share one store.
 */
public interface MonitorStateStore {

    /**
     * The folder this store keeps its state in on this node, if it keeps any there: a monitor that
     * shares the store keeps its dead letters and repeat state beside it.
     */
    default Optional<java.nio.file.Path> localFolder() {
        return Optional.empty();
    }

    Optional<Instant> watermark(String monitor);

    void saveWatermark(String monitor, Instant watermark);

    boolean isDelivered(String monitor, String sink, String executionKey);

    /**
     * @param eventTime when the execution failed (when it was detected, if ThreatConnect gave no
     *                  time): the entry is kept by it, {@code monitor.delivered-retention} long
     */
    default void recordDelivered(String monitor, String sink, String executionKey, Instant eventTime) {
        recordDelivered(monitor, sink, List.of(new Delivery(executionKey, eventTime)));
    }

    /**
     * Records what a sink accepted in one go (a page's alerts): one write, or one database batch,
     * instead of one per alert. Keys already recorded keep their first entry.
     */
    void recordDelivered(String monitor, String sink, List<Delivery> deliveries);

    /**
     * May forget the deliveries of executions that failed before {@code cutoff} (those at or after
     * it are kept); a store may keep them longer, to forget in batches. Whatever it forgets moves
     * {@link #forgottenBefore} to the cutoff first.
     */
    void forgetDeliveredBefore(String monitor, Instant cutoff);

    /**
     * Up to when this monitor's delivered ids may be incomplete: a delivery of an execution that
     * failed at or after the instant is still known, one before it may have been forgotten (a
     * backfill cannot tell whether such a failure was sent). Empty when nothing was ever forgotten.
     * Never moves back, even when the retention grows.
     */
    Optional<Instant> forgottenBefore(String monitor);

    /**
     * Since when {@code sink} refuses each of these executions ({@code monitor.dead-letter-after}
     * counts from then): the time recorded at its first refusal, or {@code now} for one it had
     * not refused before, which is recorded now. Kept across restarts until {@link #forgetRefusals}.
     *
     * @return a time for each key
     */
    Map<String, Instant> refusedSince(String monitor, String sink, List<String> executionKeys, Instant now);

    /**
     * Forgets the first refusals of executions that their sink has had since (delivered or
     * dead-lettered: in its delivered ids), and those first refused before {@code cutoff}.
     */
    void forgetRefusals(String monitor, Instant cutoff);

    /** Per sink, the jobs it got failures of and no "job recovered" notice since (README "Job recovered"). */
    FailingJobs failingJobs();

    /**
     * What a poll of {@code monitor} takes first, so that no other process polls it at the same
     * time. A store that one process has to itself (the file store: its folder is locked by it)
     * needs none; a store that processes share (the cluster's PostgreSQL) lends the monitor to one
     * of them at a time.
     */
    default PollLock pollLock(String monitor) {
        return PollLock.UNCONTESTED;
    }

    /**
     * Where the sinks with a repeat interval keep their held failures ({@link RepeatState}), in
     * the same place as the rest of the state; null: the monitor keeps them in files under its
     * state folder.
     */
    default RepeatState repeatState() {
        return null;
    }
}

package dev.tcjobmonitor.state;

import java.time.Instant;
import java.util.Optional;

/**
 * What a monitor remembers between polls: its watermark (the end of the last fully delivered
 * window) and, per sink, which executions that sink already has. Keys are namespaced by monitor
 * name so several monitors can share one store.
 */
public interface MonitorStateStore {

    Optional<Instant> watermark(String monitor);

    void saveWatermark(String monitor, Instant watermark);

    boolean isDelivered(String monitor, String sink, String executionKey);

    /**
     * @param eventTime when the execution failed (or was seen), so the entry can be forgotten once
     *                  no window can return the execution again
     */
    void recordDelivered(String monitor, String sink, String executionKey, Instant eventTime);

    /** Forgets deliveries of executions older than {@code cutoff}: no later window reaches them. */
    void forgetDeliveredBefore(String monitor, Instant cutoff);
}

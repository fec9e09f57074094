package dev.tcjobmonitor.state;

import java.time.Instant;
import java.util.List;
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
    default void recordDelivered(String monitor, String sink, String executionKey, Instant eventTime) {
        recordDelivered(monitor, sink, List.of(new Delivery(executionKey, eventTime)));
    }

    /**
     * Records what a sink accepted in one go (a page's alerts): one write, or one database batch,
     * instead of one per alert. Keys already recorded keep their first entry.
     */
    void recordDelivered(String monitor, String sink, List<Delivery> deliveries);

    /** Forgets deliveries of executions older than {@code cutoff}: no later window reaches them. */
    void forgetDeliveredBefore(String monitor, Instant cutoff);
}

package dev.tcjobmonitor.monitor;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The finished polls of every monitor in this process (bean {@code tcPollHistory}): how many,
 * and the last one. {@code --once} waits on it; health checks read it.
 */
public class PollHistory {

    /** What a finished poll changed about a monitor's sight of ThreatConnect. */
    public enum Change { NONE, WENT_BLIND, RECOVERED }

    private final Map<String, Integer> counts = new HashMap<>();
    private final Map<String, Poll> last = new HashMap<>();
    private final Map<String, MonitorHealth> health = new java.util.TreeMap<>();
    private final Map<String, JobMonitor> monitors = new java.util.TreeMap<>();

    /** A monitor starts being watched; until its first poll, its start counts as its last good poll. */
    public synchronized void register(JobMonitor monitor, HealthRules rules, java.time.Instant startedAt) {
        monitors.put(monitor.name(), monitor);
        health.put(monitor.name(), new MonitorHealth(rules, startedAt, monitor::sharedLastGoodPoll));
    }

    /** Every monitor of this process, by name. */
    public synchronized Map<String, JobMonitor> monitors() {
        return Map.copyOf(monitors);
    }

    public synchronized Change record(String monitor, Poll poll) {
        counts.merge(monitor, 1, Integer::sum);
        last.put(monitor, poll);
        notifyAll();
        MonitorHealth monitorHealth = health.get(monitor);
        return monitorHealth == null ? Change.NONE : monitorHealth.record(poll, poll.windowEnd());
    }

    /** Each registered monitor's health at {@code now}, by name. */
    public synchronized Map<String, MonitorHealth.Verdict> health(java.time.Instant now) {
        Map<String, MonitorHealth.Verdict> verdicts = new java.util.TreeMap<>();
        health.forEach((monitor, monitorHealth) -> verdicts.put(monitor, monitorHealth.verdict(now)));
        return verdicts;
    }

    public synchronized int count(String monitor) {
        return counts.getOrDefault(monitor, 0);
    }

    public synchronized Optional<Poll> last(String monitor) {
        return Optional.ofNullable(last.get(monitor));
    }

    /**
     * Waits until each monitor has finished more polls than {@code before} says it had.
     *
     * @return the new last poll of each monitor, in the order given
     * @throws IllegalStateException when the timeout passes first
     */
    public synchronized List<Poll> awaitPollsAfter(Map<String, Integer> before, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Map.Entry<String, Integer> monitor : before.entrySet()) {
            while (count(monitor.getKey()) <= monitor.getValue()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("monitor '" + monitor.getKey() + "' did not finish a poll within " + timeout);
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
        return before.keySet().stream().map(last::get).toList();
    }

    /** A snapshot of the counts, to pass to {@link #awaitPollsAfter} later. */
    public synchronized Map<String, Integer> counts(Collection<String> monitors) {
        Map<String, Integer> snapshot = new java.util.LinkedHashMap<>();
        monitors.forEach(monitor -> snapshot.put(monitor, count(monitor)));
        return snapshot;
    }
}

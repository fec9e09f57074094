package dev.tcjobmonitor.monitor;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The finished polls of every monitor in this process (bean {@code tcPollHistory}): how many,
 * and the last one. {@code --once} waits on it; health checks read it. Its lock is never held
 * during I/O: the state store (in a cluster, a database that may not answer) is read before it is
 * taken, and waited for no longer than {@link SharedLastGoodPoll#WAIT}.
 */
public class PollHistory {

    /** What a finished poll changed about a monitor's sight of ThreatConnect. */
    public enum Change { NONE, WENT_BLIND, RECOVERED }

    private final Map<String, Integer> counts = new HashMap<>();
    private final Map<String, Poll> last = new HashMap<>();
    private final Map<String, MonitorHealth> health = new java.util.TreeMap<>();
    private final Map<String, JobMonitor> monitors = new java.util.TreeMap<>();
    private final Map<String, SharedLastGoodPoll> shared = new java.util.TreeMap<>();

    /** A monitor starts being watched; until its first poll, its start counts as its last good poll. */
    public synchronized void register(JobMonitor monitor, HealthRules rules, java.time.Instant startedAt) {
        monitors.put(monitor.name(), monitor);
        health.put(monitor.name(), new MonitorHealth(rules, startedAt));
        shared.put(monitor.name(), new SharedLastGoodPoll(monitor::sharedLastGoodPoll));
    }

    /** Every monitor of this process, by name. */
    public synchronized Map<String, JobMonitor> monitors() {
        return Map.copyOf(monitors);
    }

    public Change record(String monitor, Poll poll) {
        Optional<java.time.Instant> sharedLastGoodPoll = sharedLastGoodPolls(List.of(monitor)).getOrDefault(monitor, Optional.empty());
        synchronized (this) {
            counts.merge(monitor, 1, Integer::sum);
            last.put(monitor, poll);
            notifyAll();
            MonitorHealth monitorHealth = health.get(monitor);
            return monitorHealth == null ? Change.NONE : monitorHealth.record(poll, poll.openedAt(), sharedLastGoodPoll);
        }
    }

    /** Each registered monitor's health at {@code now}, by name. */
    public Map<String, MonitorHealth.Verdict> health(java.time.Instant now) {
        List<String> names;
        synchronized (this) {
            names = List.copyOf(health.keySet());
        }
        Map<String, Optional<java.time.Instant>> sharedLastGoodPolls = sharedLastGoodPolls(names);
        synchronized (this) {
            Map<String, MonitorHealth.Verdict> verdicts = new java.util.TreeMap<>();
            health.forEach((monitor, monitorHealth) -> verdicts.put(monitor,
                    monitorHealth.verdict(now, sharedLastGoodPolls.getOrDefault(monitor, Optional.empty()))));
            return verdicts;
        }
    }

    /** The monitors' shared last good polls, read together (outside the lock), within one wait. */
    private Map<String, Optional<java.time.Instant>> sharedLastGoodPolls(List<String> names) {
        Map<String, SharedLastGoodPoll> readers = new java.util.LinkedHashMap<>();
        synchronized (this) {
            names.forEach(name -> {
                if (shared.containsKey(name)) {
                    readers.put(name, shared.get(name));
                }
            });
        }
        Map<String, java.util.concurrent.CompletableFuture<Optional<java.time.Instant>>> reads = new java.util.LinkedHashMap<>();
        readers.forEach((name, reader) -> reads.put(name, reader.read()));
        long deadline = System.nanoTime() + SharedLastGoodPoll.WAIT.toNanos();
        Map<String, Optional<java.time.Instant>> values = new HashMap<>();
        reads.forEach((name, read) -> values.put(name, readers.get(name).await(read, deadline)));
        return values;
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

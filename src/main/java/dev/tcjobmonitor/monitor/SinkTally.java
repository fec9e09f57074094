package dev.tcjobmonitor.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Counts, per sink, what became of the failures one {@link Poll} owed it: delivered, silenced, held
 * for reminders, dead-lettered or left undelivered, and why a sink refused. Part of a {@link Poll};
 * the window closes only when no sink is missing any ({@link #missingBySink()}).
 */
public final class SinkTally {

    /** Per sink, the failures of the window it lacked: each must end delivered or dead-lettered for the window to close. */
    private final Map<String, Integer> owedBySink = new TreeMap<>();
    private final Map<String, Integer> deliveredBySink = new TreeMap<>();
    /** Per sink, the failures a silence hid from it (recorded as delivered, never sent). */
    private final Map<String, Integer> silencedBySink = new TreeMap<>();
    /** Per sink, each silence that hid failures of this poll from it and how many, in the order found. */
    private final Map<String, Map<Silences.Silence, Integer>> hiddenBySilence = new TreeMap<>();
    private final Map<String, Integer> deadLetteredBySink = new TreeMap<>();
    private final Map<String, Integer> undeliveredBySink = new TreeMap<>();
    /** Of the dead-lettered, those refused for good ({@link SinkErrors}), not for too long. */
    private final Map<String, Integer> refusedForGoodBySink = new TreeMap<>();
    /** The sinks that refused an alert in a way that may pass: offered nothing more in this poll. */
    private final Set<String> refusingSinks = new HashSet<>();
    /** Per sink, why it refused what stays pending (the first such refusal of the poll). */
    private final Map<String, String> lastErrorBySink = new TreeMap<>();
    /** Per sink, why what it refused for good went to its dead letter, and why what it refused for too long did. */
    private final Map<String, String> refusedForGoodErrorBySink = new TreeMap<>();
    private final Map<String, String> expiredErrorBySink = new TreeMap<>();
    /**
     * Per sink, the failures of this poll a repeat interval held for a job's next reminder, by job
     * id: how many, and when the reminder is due.
     */
    private final Map<String, Map<String, HeldRepeats>> heldBySink = new TreeMap<>();

    /** Failures of one job held in this poll, and when their reminder is due (the poll on or after it sends it). */
    public record HeldRepeats(int count, Instant reminderDue) {
    }

    SinkTally() {
    }

    /** {@code count} failures of the window that these sinks lack (negative: no longer owed). */
    synchronized void owed(Iterable<String> sinks, int count) {
        for (String sink : sinks) {
            owedBySink.merge(sink, count, Integer::sum);
        }
    }

    synchronized void held(String sink, String job, Instant reminderDue) {
        heldBySink.computeIfAbsent(sink, s -> new TreeMap<>())
                .merge(job, new HeldRepeats(1, reminderDue), (a, b) -> new HeldRepeats(a.count() + 1, b.reminderDue()));
    }

    /** The failures of this poll {@code sink} held for reminders, by job id. */
    public synchronized Map<String, HeldRepeats> heldFor(String sink) {
        return Map.copyOf(heldBySink.getOrDefault(sink, Map.of()));
    }

    /** Per sink, how many failures of this poll it held for reminders. */
    public synchronized Map<String, Integer> heldBySink() {
        Map<String, Integer> counts = new TreeMap<>();
        heldBySink.forEach((sink, jobs) -> counts.put(sink, jobs.values().stream().mapToInt(HeldRepeats::count).sum()));
        return counts;
    }

    synchronized void silenced(String sink, int count) {
        silencedBySink.merge(sink, count, Integer::sum);
    }

    /** Per sink, the failures of this poll a silence hid from it. */
    /** {@code silence} hid one failure of this poll from {@code sink}. */
    synchronized void hidden(String sink, Silences.Silence silence) {
        hiddenBySilence.computeIfAbsent(sink, s -> new java.util.LinkedHashMap<>()).merge(silence, 1, Integer::sum);
    }

    /** The silences that hid failures of this poll from {@code sink}, and how many each, in the order found. */
    public synchronized Map<Silences.Silence, Integer> hiddenFrom(String sink) {
        return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(hiddenBySilence.getOrDefault(sink, Map.of())));
    }

    public synchronized Map<String, Integer> silencedBySink() {
        return Map.copyOf(silencedBySink);
    }

    synchronized void delivered(String sink, int count) {
        deliveredBySink.merge(sink, count, Integer::sum);
    }

    public synchronized Map<String, Integer> deliveredBySink() {
        return Map.copyOf(deliveredBySink);
    }

    /**
     * {@code count} alerts went to the sink's dead letter: refused for good (at once), or refused
     * for longer than {@code monitor.dead-letter-after} since their first refusal.
     */
    synchronized void deadLettered(String sink, int count, String error, boolean forGood) {
        deadLetteredBySink.merge(sink, count, Integer::sum);
        if (forGood) {
            refusedForGoodBySink.merge(sink, count, Integer::sum);
            refusedForGoodErrorBySink.putIfAbsent(sink, error);
        } else {
            expiredErrorBySink.putIfAbsent(sink, error);
        }
    }

    /**
     * What went to the sink's dead letter in this poll, and why: how many were refused for good
     * and how many for longer than {@code deadLetterAfter}, each with the first error.
     */
    synchronized String deadLetterSummary(String sink, Duration deadLetterAfter) {
        int forGood = refusedForGoodBySink.getOrDefault(sink, 0);
        int expired = deadLetteredBySink.getOrDefault(sink, 0) - forGood;
        List<String> parts = new ArrayList<>();
        if (forGood > 0) {
            parts.add(forGood + " refused for good (no retry changes it): " + refusedForGoodErrorBySink.get(sink));
        }
        if (expired > 0) {
            parts.add(expired + " still refused " + deadLetterAfter + " after the first refusal: " + expiredErrorBySink.get(sink));
        }
        return String.join("; ", parts);
    }

    public synchronized Map<String, Integer> deadLetteredBySink() {
        return Map.copyOf(deadLetteredBySink);
    }

    /** The sink refused alerts in a way that may pass: the rest of the poll is not offered to it. */
    synchronized void refusing(String sink, String error) {
        refusingSinks.add(sink);
        lastErrorBySink.putIfAbsent(sink, error);
    }

    /**
     * The sink refused an alert in this poll, after its redeliveries, in a way that may pass (one
     * it refused for good does not count: it goes on with the next).
     */
    synchronized boolean hasRefused(String sink) {
        return refusingSinks.contains(sink);
    }

    synchronized void undelivered(String sink, int count, String error) {
        undeliveredBySink.merge(sink, count, Integer::sum);
        lastErrorBySink.putIfAbsent(sink, error);
    }

    /** Sinks that refused alerts this poll which stay pending: the window cannot close. */
    public synchronized Map<String, Integer> undeliveredBySink() {
        return Map.copyOf(undeliveredBySink);
    }

    /**
     * What the sink refused could not be recorded (its dead letter or its delivered ids could not
     * be written): why, for the line that says the window stays open.
     */
    synchronized void notRecorded(String sink, String error) {
        lastErrorBySink.put(sink, error);
    }

    synchronized String lastError(String sink) {
        return lastErrorBySink.get(sink);
    }

    /**
     * Per sink, the failures of the window it lacked that it has neither accepted nor had
     * dead-lettered: refused and pending, or lost on the way (a refusal that could not be
     * recorded). The window closes only when there are none.
     */
    public synchronized Map<String, Integer> missingBySink() {
        Map<String, Integer> missing = new TreeMap<>();
        owedBySink.forEach((sink, owed) -> {
            int done = deliveredBySink.getOrDefault(sink, 0) + deadLetteredBySink.getOrDefault(sink, 0);
            if (owed > done) {
                missing.put(sink, owed - done);
            }
        });
        return missing;
    }
}

package dev.tcjobmonitor.monitor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.alert.AlertDocument;
import dev.tcjobmonitor.alert.FailedExecution;
import dev.tcjobmonitor.state.Delivery;
import dev.tcjobmonitor.state.RepeatState;
import dev.tcjobmonitor.state.RepeatState.HeldFailure;
import dev.tcjobmonitor.state.RepeatState.JobRepeats;
import dev.tcjobmonitor.threatconnect.ExecutionPageReader;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Repeat grouping per sink ({@code sink.<name>.repeat-interval}, README "Repeat interval"): a
 * job's first failure goes to the sink at once and opens an interval; its further failures within
 * the interval are held, and once the interval has ended (at the first poll on or after its end)
 * they go to the sink as one reminder ({@code "status":"JobStillFailing"}), which opens the next
 * interval. A job that did not fail again sends no reminder; its next failure is a first again.
 *
 * <p>A held failure is owed: it is recorded in the {@link RepeatState} (on the disk, or committed)
 * before it is recorded as delivered for the sink, and stays there until a reminder that counts
 * it was accepted or dead-lettered. A reminder the sink refuses stays pending like any alert
 * (offered again at the next poll, with the failures held meanwhile; dead-lettered after
 * {@code monitor.dead-letter-after}). Failures without a job id (or with one that is no plain id)
 * are never held.
 */
final class Repeats {

    static final String STATUS = "JobStillFailing";
    private static final Pattern SAFE_JOB = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    /** A reminder lists at most this many execution ids (it counts all of them). */
    static final int MAX_IDS = 100;

    private final JobMonitor monitor;
    private final Map<String, Duration> intervals;
    private final RepeatState state;
    /** Per sink, its jobs as read at the start of the poll and changed by it. */
    private final Map<String, Map<String, Job>> jobsBySink = new HashMap<>();
    private Poll loadedFor;
    /** What the page decided, written before its batch goes to the sinks. */
    private final Map<String, Map<String, Job>> opened = new TreeMap<>();
    private final Map<String, Map<String, List<HeldFailure>>> heldOnPage = new TreeMap<>();
    /** The keys held in this poll: a reminder found already sent (a crash) covers only older ones. */
    private final Set<String> heldThisPoll = new HashSet<>();
    /** The reminders handed to the sinks, by key, until the sink has them. */
    private final Map<String, Reminder> reminders = new HashMap<>();

    private static final class Job {
        Instant since;
        String opener;
        final LinkedHashMap<String, HeldFailure> held = new LinkedHashMap<>();
    }

    private record Reminder(String sink, String job, List<String> covered) {
    }

    private Repeats(JobMonitor monitor, Map<String, Duration> intervals, RepeatState state) {
        this.monitor = monitor;
        this.intervals = intervals;
        this.state = state;
    }

    /**
     * The sinks' repeat intervals, from {@code sink.<name>.repeat-interval} (empty or absent: every
     * failure is sent, no grouping); a value that is not a positive ISO-8601 duration stops start-up.
     */
    static Repeats of(JobMonitor monitor, java.util.function.Function<String, Optional<String>> property,
            java.util.function.Supplier<RepeatState> state) {
        Map<String, Duration> intervals = new TreeMap<>();
        for (String sink : monitor.settings().sinks()) {
            String key = "sink." + sink + ".repeat-interval";
            String text = property.apply(key).map(String::strip).orElse("");
            if (text.isEmpty()) {
                continue;
            }
            Duration interval;
            try {
                interval = Duration.parse(text);
            } catch (DateTimeParseException e) {
                throw new SettingException(monitor.name(), key, "'" + text + "' is not an ISO-8601 duration such as PT4H"
                        + " (empty: every failure is sent)");
            }
            if (interval.isNegative() || interval.isZero() || interval.compareTo(Duration.ofDays(36_500)) > 0) {
                throw new SettingException(monitor.name(), key, "'" + text + "' must be longer than zero and at most P36500D"
                        + " (empty: every failure is sent)");
            }
            intervals.put(sink, interval);
        }
        return new Repeats(monitor, intervals, intervals.isEmpty() ? null : state.get());
    }

    Map<String, Duration> intervals() {
        return intervals;
    }

    boolean none() {
        return intervals.isEmpty();
    }

    /** The job a failure is grouped by, or empty: it is never held. */
    static Optional<String> jobOf(FailedExecution execution) {
        return execution.text("jobId").map(String::strip).filter(id -> SAFE_JOB.matcher(id).matches());
    }

    /**
     * Whether {@code sink} holds this failure (which it lacks, and no silence hid) for the job's
     * next reminder rather than get it now. Decided in memory; {@link #flush} records the page's
     * decisions before the page goes to the sinks.
     */
    synchronized boolean hold(Poll poll, String sink, FailedExecution execution, String key, Instant failedAt, Instant now) {
        Duration interval = intervals.get(sink);
        if (interval == null) {
            return false; // the usual case: no repeat interval, nothing read
        }
        Optional<String> jobId = jobOf(execution);
        if (jobId.isEmpty()) {
            return false;
        }
        String job = jobId.get();
        Job repeats = jobs(poll, sink).get(job);
        if (repeats != null && key.equals(repeats.opener)) {
            return false; // the failure that opened the interval, not delivered yet: offered until it is
        }
        boolean running = repeats != null && repeats.since != null && now.isBefore(repeats.since.plus(interval));
        if (!running && (repeats == null || repeats.held.isEmpty())) {
            repeats = jobs(poll, sink).computeIfAbsent(job, j -> new Job());
            repeats.since = now;
            repeats.opener = key;
            opened.computeIfAbsent(sink, s -> new TreeMap<>()).put(job, repeats);
            return false;
        }
        // within the interval, or past it with failures held: for the reminder (due now, or at its end)
        HeldFailure held = new HeldFailure(key, UntrustedId.of(execution.text("id").orElse(key)), failedAt,
                execution.text("exitMessage").orElse(null));
        repeats.held.put(key, held);
        heldThisPoll.add(key);
        heldOnPage.computeIfAbsent(sink, s -> new TreeMap<>()).computeIfAbsent(job, j -> new ArrayList<>()).add(held);
        poll.tally().held(sink, job, repeats.since.plus(interval));
        return true;
    }

    /**
     * Records the page's decisions: the intervals opened, then the held failures (on the disk or
     * committed), and only then those as delivered for their sink, so a held failure is never
     * recorded as delivered without being owed to a reminder.
     */
    synchronized void flush(Poll poll) {
        if (none()) {
            return;
        }
        if (monitor.dryRun()) {
            opened.clear();
            heldOnPage.clear();
            return;
        }
        opened.forEach((sink, jobs) -> jobs.forEach((job, repeats) ->
                state.opened(monitor.name(), sink, job, repeats.since, repeats.opener)));
        opened.clear();
        heldOnPage.forEach((sink, jobs) -> {
            List<Delivery> deliveries = new ArrayList<>();
            jobs.forEach((job, failures) -> {
                state.held(monitor.name(), sink, job, failures);
                failures.forEach(failure -> deliveries.add(new Delivery(failure.key(), failure.failedTime())));
            });
            monitor.stateStore().recordDelivered(monitor.name(), sink, deliveries);
            monitor.metrics().alerts("held", monitor.name(), sink, deliveries.size());
        });
        heldOnPage.clear();
    }

    /**
     * The reminders due at {@code now}: per sink and job whose interval has ended with failures
     * held, one alert for that sink only. A reminder the sink already has (accepted just before a
     * crash) is settled instead of sent again.
     */
    synchronized List<Alert> due(Poll poll, Instant now, ObjectNode about) {
        List<Alert> due = new ArrayList<>();
        if (none() || monitor.dryRun()) {
            return due;
        }
        intervals.forEach((sink, interval) -> jobs(poll, sink).forEach((job, repeats) -> {
            if (repeats.held.isEmpty() || repeats.since == null || now.isBefore(repeats.since.plus(interval))) {
                return;
            }
            String key = "reminder-" + job + "-" + repeats.since.getEpochSecond();
            if (monitor.ledger().isDelivered(sink, key)) {
                List<String> covered = repeats.held.keySet().stream().filter(held -> !heldThisPoll.contains(held)).toList();
                settle(sink, new Reminder(sink, job, covered), now);
                return;
            }
            List<HeldFailure> held = List.copyOf(repeats.held.values());
            reminders.put(key, new Reminder(sink, job, held.stream().map(HeldFailure::key).toList()));
            due.add(reminder(sink, job, repeats.since, interval, held, key, about, now));
        }));
        return due;
    }

    /** The sink has these alerts (accepted, or dead-lettered): its reminders among them are settled. */
    synchronized void settled(String sink, List<Alert> alerts) {
        if (reminders.isEmpty()) {
            return;
        }
        Instant now = monitor.clock().instant();
        for (Alert alert : alerts) {
            Reminder reminder = reminders.get(alert.key());
            if (reminder != null && reminder.sink().equals(sink)) {
                reminders.remove(alert.key());
                settle(sink, reminder, now);
            }
        }
    }

    private void settle(String sink, Reminder reminder, Instant now) {
        state.reminded(monitor.name(), sink, reminder.job(), reminder.covered(), now);
        Map<String, Job> jobs = jobsBySink.get(sink);
        Job repeats = jobs == null ? null : jobs.get(reminder.job());
        if (repeats != null) {
            reminder.covered().forEach(repeats.held::remove);
            repeats.since = now;
            repeats.opener = null;
        }
    }

    /** The sink's jobs: read from the state at the first use in a poll (another node may have polled since). */
    private Map<String, Job> jobs(Poll poll, String sink) {
        if (loadedFor != poll) {
            loadedFor = poll;
            jobsBySink.clear();
            heldThisPoll.clear();
            reminders.clear();
        }
        return jobsBySink.computeIfAbsent(sink, s -> {
            Map<String, Job> jobs = new HashMap<>();
            state.jobs(monitor.name(), sink).forEach((job, stored) -> jobs.put(job, copy(stored)));
            return jobs;
        });
    }

    private static Job copy(JobRepeats stored) {
        Job job = new Job();
        job.since = stored.since();
        job.opener = stored.opener();
        stored.held().forEach(held -> job.held.put(held.key(), held));
        return job;
    }

    /**
     * {@code {"reminder":"Job 174 failed 16 more times since 2026-11-30T10:00:00Z; last exit message: ...",
     * "status":"JobStillFailing","jobId":174,"count":16,...}}: shaped like a failed execution (its
     * jobId, its last exit message), so every sink takes it as it is.
     */
    private Alert reminder(String sink, String job, Instant since, Duration interval, List<HeldFailure> held, String key,
            ObjectNode about, Instant now) {
        HeldFailure last = held.stream().max(java.util.Comparator.comparing(HeldFailure::failedTime)).orElseThrow();
        HeldFailure first = held.stream().min(java.util.Comparator.comparing(HeldFailure::failedTime)).orElseThrow();
        String exitMessage = last.exitMessage() == null ? "" : last.exitMessage();
        ObjectNode fields = ExecutionPageReader.JSON.createObjectNode();
        fields.put("reminder", "Job " + job + " failed " + held.size() + " more time" + (held.size() == 1 ? "" : "s")
                + " since " + since + "; last exit message: " + exitMessage.strip());
        fields.put("status", STATUS);
        if (job.matches("[0-9]{1,18}")) {
            fields.put("jobId", Long.parseLong(job));
        } else {
            fields.put("jobId", job);
        }
        fields.put("count", held.size())
                .put("since", since.toString())
                .put("repeatInterval", interval.toString())
                .put("firstFailedTime", first.failedTime().toString())
                .put("lastFailedTime", last.failedTime().toString())
                .put("lastExecutionId", last.executionId())
                .put("exitMessage", exitMessage)
                .put("reminderTime", now.toString());
        var ids = fields.putArray("executionIds");
        held.stream().limit(MAX_IDS).forEach(failure -> ids.add(failure.executionId()));
        FailedExecution execution = new FailedExecution(fields);
        return new Alert(execution, key, now, AlertDocument.render(execution, about), Set.of(sink), monitor.name());
    }

    /** ThreatConnect's id as a reminder lists it: one line, at most 128 characters. */
    private static final class UntrustedId {
        static String of(String id) {
            String line = id.replaceAll("\\p{Cntrl}", " ");
            return line.length() > 128 ? line.substring(0, 128) : line;
        }
    }
}

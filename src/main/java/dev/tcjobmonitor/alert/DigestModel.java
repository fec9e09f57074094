package dev.tcjobmonitor.alert;

import dev.tcjobmonitor.alert.EmailDigest.Held;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Groups the alerts of one {@link EmailDigest} mail into what it says: the jobs that failed (most
 * failures first, each execution in the order it failed), the reminders and held repeats, the jobs
 * that recovered, and the counts; with the words its text and HTML parts share. What comes from
 * ThreatConnect is cleaned here (one line, or lines without control characters); escaping it is
 * the HTML part's job.
 */
final class DigestModel {

    private static final String NOT_GIVEN = "(not given)";
    private static final int MAX_NAME_IN_SUBJECT = 80;

    private DigestModel() {
    }

    /**
     * The digest of {@code alerts}: the first {@code maxRows} failures listed, all counted; the
     * failures {@code held} for reminders by job id; each job's name asked of {@code jobNames} once.
     */
    static Digest group(List<Alert> alerts, int maxRows, Map<String, Held> held, Function<String, String> jobNames) {
        if (alerts == null || alerts.isEmpty()) {
            throw new IllegalArgumentException("an email digest needs at least one alert");
        }
        // "job recovered" notices have a section of their own, after the failures
        List<Recovered> recovered = new ArrayList<>();
        alerts.stream().filter(Alert::isJobRecovered).forEach(notice -> recovered.add(new Recovered(notice, nameOf(jobNames, jobId(notice)))));
        if (!recovered.isEmpty()) {
            alerts = alerts.stream().filter(alert -> !alert.isJobRecovered()).toList();
        }
        Map<String, List<Alert>> byJob = new HashMap<>();
        Map<String, Integer> countByJob = new HashMap<>();
        Map<String, Alert> reminderByJob = new HashMap<>();
        List<Alert> failures = new ArrayList<>(alerts.size());
        for (Alert alert : alerts) {
            if (alert.isReminder()) {
                reminderByJob.put(jobId(alert), alert);
                byJob.computeIfAbsent(jobId(alert), id -> new ArrayList<>());
            } else {
                failures.add(alert);
            }
        }
        int listed = Math.min(maxRows, failures.size());
        for (int i = 0; i < failures.size(); i++) {
            Alert alert = failures.get(i);
            String jobId = jobId(alert);
            countByJob.merge(jobId, 1, Integer::sum);
            List<Alert> ofJob = byJob.computeIfAbsent(jobId, id -> new ArrayList<>());
            if (i < listed) {
                ofJob.add(alert);
            }
        }
        // jobs with only held failures are shown too, when the mail goes anyway
        held.keySet().forEach(jobId -> byJob.computeIfAbsent(jobId, id -> new ArrayList<>()));
        List<JobFailures> jobs = new ArrayList<>(byJob.size());
        byJob.forEach((jobId, ofJob) -> {
            ofJob.sort(Comparator.comparing(Alert::eventTime, Comparator.nullsLast(Comparator.naturalOrder()))
                    .thenComparing(DigestModel::executionId, DigestModel::compareIds)
                    .thenComparing(Alert::key));
            jobs.add(new JobFailures(jobId, nameOf(jobNames, jobId), List.copyOf(ofJob), countByJob.getOrDefault(jobId, 0),
                    // held in this poll and a reminder due now: the reminder counts them already
                    reminderByJob.get(jobId), jobId == null || reminderByJob.containsKey(jobId) ? null : held.get(jobId)));
        });
        jobs.sort(Comparator.comparingInt(JobFailures::weight).reversed()
                .thenComparing(JobFailures::jobId, Comparator.nullsLast(DigestModel::compareIds)));
        TreeSet<String> monitors = new TreeSet<>();
        alerts.forEach(alert -> monitors.add(UntrustedText.oneLine(alert.monitor())));
        recovered.forEach(job -> monitors.add(UntrustedText.oneLine(job.notice().monitor())));
        int repeats = reminderByJob.values().stream().mapToInt(DigestModel::repeats).sum();
        int heldCount = jobs.stream().filter(job -> job.held() != null).mapToInt(job -> job.held().count()).sum();
        return new Digest(String.join(", ", monitors), List.copyOf(jobs), failures.size(), listed, reminderByJob.size(), repeats,
                heldCount, List.copyOf(recovered));
    }

    /** {@code The first 500 are listed; and 700 more, see the file and kafka sinks.} */
    static String cutNote(Digest digest, List<String> elsewhere) {
        String where;
        if (elsewhere.isEmpty()) {
            where = "not listed here (sink.email.max-rows)";
        } else if (elsewhere.size() == 1) {
            where = "see the " + elsewhere.get(0) + " sink";
        } else {
            where = "see the " + String.join(", ", elsewhere.subList(0, elsewhere.size() - 1)) + " and "
                    + elsewhere.get(elsewhere.size() - 1) + " sinks";
        }
        return "The first " + digest.listed() + " are listed; and " + (digest.executions() - digest.listed()) + " more, "
                + where + ".";
    }

    static String unlistedOfJob(JobFailures job) {
        return job.listed().isEmpty() ? "Not listed here." : "And " + job.unlisted() + " more of this job, not listed here.";
    }

    /** The job id as sent, or null when there is none (those failures are grouped together). */
    static String jobId(Alert alert) {
        return alert.execution().text("jobId").map(String::strip).filter(id -> !id.isEmpty()).orElse(null);
    }

    private static String nameOf(Function<String, String> jobNames, String jobId) {
        if (jobId == null) {
            return "Unknown job";
        }
        String name = UntrustedText.oneLine(jobNames.apply(jobId));
        return name.isEmpty() ? "Job " + UntrustedText.oneLine(jobId) : name;
    }

    /** Numbers by value (9 before 10), before anything that is not a number, which goes by text. */
    private static int compareIds(String a, String b) {
        boolean aNumber = a.matches("[0-9]+");
        boolean bNumber = b.matches("[0-9]+");
        if (aNumber && bNumber) {
            return new BigInteger(a).compareTo(new BigInteger(b));
        }
        return aNumber != bNumber ? (aNumber ? -1 : 1) : a.compareTo(b);
    }

    /** {@code Failed 16 more times since 2026-11-30T10:00:00Z (the last at ..., execution 123).} */
    static String reminderLine(Alert reminder) {
        FailedExecution execution = reminder.execution();
        return "Failed " + count(repeats(reminder), "more time") + " since " + field(execution, "since")
                + " (the last at " + field(execution, "lastFailedTime") + ", execution " + field(execution, "lastExecutionId")
                + "); repeat interval " + field(execution, "repeatInterval") + ".";
    }

    static int repeats(Alert reminder) {
        return reminder.execution().text("count").map(count -> {
            try {
                return Integer.parseInt(count);
            } catch (NumberFormatException notANumber) {
                return 0;
            }
        }).orElse(0);
    }

    /** {@code 3 more failures held for a reminder due 2026-11-30T14:00:00Z.} */
    static String heldLine(Held held) {
        return count(held.count(), "more failure") + " held for a reminder due " + held.reminderDue() + ".";
    }

    static String executionId(Alert alert) {
        return UntrustedText.oneLine(alert.execution().text("id").orElse(alert.key()));
    }

    /** ThreatConnect's failedTime as sent; without one, when the monitor saw the failure. */
    static String failedAt(Alert alert) {
        return alert.execution().text("failedTime").map(UntrustedText::oneLine).filter(time -> !time.isEmpty())
                .orElse(alert.eventTime() + " (detected)");
    }

    static String field(FailedExecution execution, String name) {
        return execution.text(name).map(UntrustedText::oneLine).filter(value -> !value.isEmpty()).orElse(NOT_GIVEN);
    }

    static String exitMessage(FailedExecution execution) {
        String message = UntrustedText.lines(execution.text("exitMessage").orElse(""));
        return message.isBlank() ? NOT_GIVEN : message;
    }

    static String count(int n, String thing) {
        return n + " " + thing + (n == 1 ? "" : "s");
    }

    /** {@code listed}: how many of the {@code executions} the mail lists. */
    record Digest(String monitor, List<JobFailures> jobs, int executions, int listed, int reminders, int repeats,
                  int held, List<Recovered> recovered) {

        boolean cut() {
            return listed < executions;
        }

        /** For the subject: {@code 3 jobs failed: 5 failed executions}. */
        String summary() {
            return count(jobs.size(), "job") + " failed: " + count(executions, "failed execution") + extra();
        }

        /** For the body: {@code 3 jobs failed, 5 failed executions} (and {@code , 1 job recovered}). */
        String counts() {
            String failed = count(jobs.size(), "job") + " failed, " + count(executions, "failed execution") + extra();
            return recovered.isEmpty() ? failed
                    : jobs.isEmpty() ? count(recovered.size(), "job") + " recovered" : failed + ", " + count(recovered.size(), "job") + " recovered";
        }

        /** {@code , 16 repeated failures in 1 reminder, 3 held for reminders}, when there are. */
        private String extra() {
            return (reminders == 0 ? "" : ", " + count(repeats, "repeated failure") + " in " + count(reminders, "reminder"))
                    + (held == 0 ? "" : ", " + held + " held for reminders");
        }
    }

    /** A "job recovered" notice: the job, its name, when it completed and the failures before. */
    record Recovered(Alert notice, String name) {

        private String field(String field) {
            return notice.execution().text(field).map(UntrustedText::oneLine).orElse("?");
        }

        String title() {
            String jobId = field("jobId");
            return name.equals("Job " + jobId) ? name : name + " (job " + jobId + ")";
        }

        String subjectName() {
            String jobId = field("jobId");
            return name.equals("Job " + jobId) ? name : "Job \"" + UntrustedText.shortened(name, MAX_NAME_IN_SUBJECT) + "\"";
        }

        /** {@code 2026-11-28T12:00:00Z (execution 96)} */
        String completedAt() {
            return field("completedTime") + notice.execution().text("completedExecutionId")
                    .map(id -> " (execution " + UntrustedText.oneLine(id) + ")").orElse("");
        }

        /** {@code 16, from 2026-11-28T10:00:00Z to 2026-11-28T11:45:00Z} */
        String failures() {
            return field("failureCount") + ", from " + field("firstFailure") + " to " + field("lastFailure");
        }
    }

    /**
     * One job's failures: those the mail lists and how many there are in all; {@code jobId} is null
     * when ThreatConnect did not say which job.
     */
    record JobFailures(String jobId, String name, List<Alert> listed, int count, Alert reminder, Held held) {

        int unlisted() {
            return count - listed.size();
        }

        /** Its failures, repeated failures and held ones: the jobs with most come first. */
        int weight() {
            return count + (reminder == null ? 0 : repeats(reminder)) + (held == null ? 0 : held.count());
        }

        /** {@code 2 failed executions}, {@code still failing} (a reminder), {@code 3 held}. */
        String countText() {
            if (count > 0) {
                return DigestModel.count(count, "failed execution");
            }
            return reminder != null ? "still failing" : (held == null ? 0 : held.count()) + " held";
        }

        /** Whether the name is only the stand-in for a job whose name is not known. */
        private boolean nameIsId() {
            return jobId == null || name.equals("Job " + UntrustedText.oneLine(jobId));
        }

        /** For headings: {@code Feed import (job 174)}, or {@code Job 174} when that is all we know. */
        String title() {
            return nameIsId() ? name : name + " (job " + UntrustedText.oneLine(jobId) + ")";
        }

        /** For the subject: {@code Job "Feed import"}, or {@code Job 174}. */
        String subjectName() {
            return nameIsId() ? name : "Job \"" + UntrustedText.shortened(name, MAX_NAME_IN_SUBJECT) + "\"";
        }
    }
}

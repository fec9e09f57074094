package dev.tcjobmonitor.alert;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Renders the failures of one monitor as an email: a subject, a plain-text part and an HTML part,
 * grouped by job (the job with most failures first), each execution in the order it failed. A
 * digest lists at most {@code maxRows} failures (the first ones it is given) and counts all of
 * them, per job and in total, saying how many more there are and which sinks have them.
 *
 * <p>Everything that comes from ThreatConnect is untrusted: in the subject it is kept to one line
 * of printable characters (so it cannot add a header), in the HTML it is escaped (so it cannot add
 * markup), and in the text part it loses the control characters that could drive a terminal.
 */
public final class EmailDigest {

    /** Subjects are kept short enough for every mail client's list view and header line limit. */
    public static final int MAX_SUBJECT = 200;
    private static final int MAX_NAME_IN_SUBJECT = 80;
    private static final String NOT_GIVEN = "(not given)";

    private static final String CELL = "padding:6px 10px;border-bottom:1px solid #d0d7de;vertical-align:top;text-align:left;";
    private static final String HEAD_CELL = CELL + "background:#f6f8fa;font-weight:bold;";
    private static final String PRE = "margin:0;white-space:pre-wrap;word-break:break-word;"
            + "font-family:Consolas,Menlo,monospace;font-size:12px;";

    private final Function<String, String> jobNames;
    private final int maxRows;
    private final List<String> elsewhere;
    /** Per job id, the failures the poll held for a reminder rather than send (sink.email.repeat-interval). */
    private Map<String, Held> held = Map.of();

    /**
     * @param jobNames a job's name from its id as ThreatConnect sent it (production passes the
     *                 names {@code JobDirectory.namesOf} found for {@link #jobIds}); asked once
     *                 per job and render, a whole {@link #mail} being one render
     */
    public EmailDigest(Function<String, String> jobNames) {
        this(jobNames, Integer.MAX_VALUE, List.of());
    }

    /**
     * @param maxRows   the most failures listed: the first ones of the list a mail is made of
     * @param elsewhere the other sinks of the monitor, named where the mail says how many it does not list
     */
    public EmailDigest(Function<String, String> jobNames, int maxRows, List<String> elsewhere) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("a digest lists at least one failure");
        }
        this.jobNames = jobNames;
        this.maxRows = maxRows;
        this.elsewhere = List.copyOf(elsewhere);
    }

    /** Failures of one job held for its next reminder in the poll of the mail, and when the reminder is due. */
    public record Held(int count, java.time.Instant reminderDue) {
    }

    /**
     * Shows, under each job, the failures the poll held for the job's next reminder (a repeat
     * interval); jobs with only held failures get a line of their own at the end.
     */
    public EmailDigest withHeld(Map<String, Held> heldByJob) {
        this.held = Map.copyOf(heldByJob);
        return this;
    }

    /** A rendered mail: its subject, plain-text part and HTML part. */
    public record Mail(String subject, String text, String html) {
    }

    /**
     * The whole mail for {@code alerts}, from one grouping: each job's name is asked for once for
     * the subject, the text and the HTML together.
     */
    public Mail mail(String prefix, List<Alert> alerts) {
        Digest digest = digest(alerts);
        return new Mail(subject(prefix, alerts, digest), text(digest), html(digest));
    }

    /**
     * The job ids the digest groups {@code alerts} by, as ThreatConnect sent them: the ones whose
     * names it shows (failures without a job id are grouped without a name).
     */
    public static java.util.Set<String> jobIds(List<Alert> alerts) {
        java.util.Set<String> ids = new java.util.TreeSet<>();
        for (Alert alert : alerts) {
            String id = jobId(alert);
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    /**
     * {@code [TC] Job "Feed import" failed on monitor 'default'} for one job, or {@code [TC] 3 jobs
     * failed: 5 failed executions on monitor 'default'} for several.
     */
    public String subject(String prefix, List<Alert> alerts) {
        return subject(prefix, alerts, digest(alerts));
    }

    private static String subject(String prefix, List<Alert> alerts, Digest digest) {
        String about;
        if (!digest.recovered().isEmpty() && digest.jobs().isEmpty()) {
            about = digest.recovered().size() == 1 ? digest.recovered().get(0).subjectName() + " recovered"
                    : count(digest.recovered().size(), "job") + " recovered";
        } else if (alerts.stream().allMatch(Alert::isNotice)) {
            // the monitor speaking about itself: its own words, not a job failure
            about = alerts.get(alerts.size() - 1).execution().text("notice").orElse("notice");
        } else if (digest.jobs().size() == 1 && digest.jobs().get(0).count() == 0 && digest.jobs().get(0).reminder() != null) {
            JobFailures job = digest.jobs().get(0);
            about = job.subjectName() + " still failing: " + count(repeats(job.reminder()), "more failure") + " since "
                    + job.reminder().execution().text("since").orElse("?");
        } else if (digest.jobs().size() == 1) {
            JobFailures job = digest.jobs().get(0);
            about = job.subjectName() + " failed" + (job.count() == 1 ? "" : " " + job.count() + " times");
        } else {
            about = digest.summary();
        }
        if (!digest.recovered().isEmpty() && !digest.jobs().isEmpty()) {
            about += "; " + count(digest.recovered().size(), "job") + " recovered";
        }
        String lead = UntrustedText.oneLine(prefix);
        String subject = (lead.isEmpty() ? "" : lead + " ") + about + " on monitor '" + digest.monitor() + "'";
        return UntrustedText.shortened(UntrustedText.oneLine(subject), MAX_SUBJECT);
    }

    /** The plain-text part. */
    public String text(List<Alert> alerts) {
        return text(digest(alerts));
    }

    private String text(Digest digest) {
        StringBuilder text = new StringBuilder();
        text.append("Monitor '").append(digest.monitor()).append("': ").append(digest.counts()).append(".\n");
        if (digest.cut()) {
            text.append(cutNote(digest)).append('\n');
        }
        for (JobFailures job : digest.jobs()) {
            text.append("\n== ").append(job.title()).append(": ").append(job.countText()).append(" ==\n");
            if (job.reminder() != null) {
                text.append('\n').append(reminderLine(job.reminder())).append('\n')
                        .append("  Last exit message:").append(indented(exitMessage(job.reminder().execution()), "    ")).append('\n');
            }
            for (Alert alert : job.listed()) {
                FailedExecution execution = alert.execution();
                text.append("\nExecution ").append(executionId(alert)).append('\n')
                        .append("  Failed at:    ").append(failedAt(alert)).append('\n')
                        .append("  Server:       ").append(field(execution, "serverName")).append('\n')
                        .append("  Status:       ").append(field(execution, "status")).append('\n')
                        .append("  Exit message:").append(indented(exitMessage(execution), "    ")).append('\n');
            }
            if (job.unlisted() > 0) {
                text.append('\n').append(unlistedOfJob(job)).append('\n');
            }
            if (job.held() != null) {
                text.append('\n').append(heldLine(job.held())).append('\n');
            }
        }
        if (!digest.recovered().isEmpty()) {
            text.append("\n== Recovered: ").append(count(digest.recovered().size(), "job")).append(" ==\n");
            for (Recovered job : digest.recovered()) {
                text.append('\n').append(job.title()).append('\n')
                        .append("  Completed at: ").append(job.completedAt()).append('\n')
                        .append("  Failures:     ").append(job.failures()).append('\n');
            }
        }
        return text.toString();
    }

    /** The HTML part: a complete document with inline styles, one table per job. */
    public String html(List<Alert> alerts) {
        return html(digest(alerts));
    }

    private String html(Digest digest) {
        StringBuilder html = new StringBuilder(2048);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(escaped("Failed ThreatConnect job executions on monitor '" + digest.monitor() + "'"))
                .append("</title>\n</head>\n")
                .append("<body style=\"margin:0;padding:16px;background:#ffffff;color:#1f2328;")
                .append("font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.4;\">\n")
                .append("<h1 style=\"font-size:18px;margin:0 0 4px 0;\">Failed ThreatConnect job executions</h1>\n")
                .append("<p style=\"margin:0 0 16px 0;color:#57606a;\">Monitor <strong>").append(escaped(digest.monitor()))
                .append("</strong>: ").append(escaped(digest.counts())).append(".</p>\n");
        if (digest.cut()) {
            html.append("<p style=\"margin:0 0 16px 0;\"><strong>").append(escaped(cutNote(digest))).append("</strong></p>\n");
        }
        for (JobFailures job : digest.jobs()) {
            html.append("<h2 style=\"font-size:16px;margin:24px 0 8px 0;\">").append(escaped(job.title()))
                    .append(" <span style=\"font-weight:normal;color:#57606a;\">").append(escaped(job.countText()))
                    .append("</span></h2>\n");
            if (job.reminder() != null) {
                html.append("<p style=\"margin:0 0 4px 0;\"><strong>").append(escaped(reminderLine(job.reminder())))
                        .append("</strong></p>\n<pre style=\"").append(PRE).append("margin:0 0 8px 0;\">")
                        .append(HtmlText.escape(exitMessage(job.reminder().execution()))).append("</pre>\n");
            }
            if (job.listed().isEmpty()) {
                if (job.count() > 0) {
                    html.append("<p style=\"margin:0;color:#57606a;\">").append(escaped(unlistedOfJob(job))).append("</p>\n");
                }
                heldHtml(html, job);
                continue;
            }
            html.append("<table style=\"border-collapse:collapse;width:100%;font-size:13px;\">\n<thead><tr>");
            for (String heading : List.of("Execution", "Failed at", "Server", "Status", "Exit message")) {
                html.append("<th style=\"").append(HEAD_CELL).append("\">").append(heading).append("</th>");
            }
            html.append("</tr></thead>\n<tbody>\n");
            for (Alert alert : job.listed()) {
                FailedExecution execution = alert.execution();
                html.append("<tr>")
                        .append(cell(escaped(executionId(alert))))
                        .append(cell(escaped(failedAt(alert))))
                        .append(cell(escaped(field(execution, "serverName"))))
                        .append(cell(escaped(field(execution, "status"))))
                        .append(cell("<pre style=\"" + PRE + "\">" + HtmlText.escape(exitMessage(execution)) + "</pre>"))
                        .append("</tr>\n");
            }
            html.append("</tbody>\n</table>\n");
            if (job.unlisted() > 0) {
                html.append("<p style=\"margin:4px 0 0 0;color:#57606a;\">").append(escaped(unlistedOfJob(job))).append("</p>\n");
            }
            heldHtml(html, job);
        }
        if (!digest.recovered().isEmpty()) {
            html.append("<h2 style=\"font-size:16px;margin:24px 0 8px 0;color:#1a7f37;\">Recovered <span style=\"font-weight:normal;")
                    .append("color:#57606a;\">").append(count(digest.recovered().size(), "job")).append("</span></h2>\n")
                    .append("<table style=\"border-collapse:collapse;width:100%;font-size:13px;\">\n<thead><tr>");
            for (String heading : List.of("Job", "Completed at", "Failures")) {
                html.append("<th style=\"").append(HEAD_CELL).append("\">").append(heading).append("</th>");
            }
            html.append("</tr></thead>\n<tbody>\n");
            for (Recovered job : digest.recovered()) {
                html.append("<tr>").append(cell(escaped(job.title()))).append(cell(escaped(job.completedAt())))
                        .append(cell(escaped(job.failures()))).append("</tr>\n");
            }
            html.append("</tbody>\n</table>\n");
        }
        html.append("</body>\n</html>\n");
        return html.toString();
    }

    // --- grouping -------------------------------------------------------------------------------

    private Digest digest(List<Alert> alerts) {
        if (alerts == null || alerts.isEmpty()) {
            throw new IllegalArgumentException("an email digest needs at least one alert");
        }
        // "job recovered" notices have a section of their own, after the failures
        List<Recovered> recovered = new ArrayList<>();
        alerts.stream().filter(Alert::isJobRecovered).forEach(notice -> recovered.add(new Recovered(notice, nameOf(jobId(notice)))));
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
                    .thenComparing(EmailDigest::executionId, EmailDigest::compareIds)
                    .thenComparing(Alert::key));
            jobs.add(new JobFailures(jobId, nameOf(jobId), List.copyOf(ofJob), countByJob.getOrDefault(jobId, 0),
                    // held in this poll and a reminder due now: the reminder counts them already
                    reminderByJob.get(jobId), jobId == null || reminderByJob.containsKey(jobId) ? null : held.get(jobId)));
        });
        jobs.sort(Comparator.comparingInt(JobFailures::weight).reversed()
                .thenComparing(JobFailures::jobId, Comparator.nullsLast(EmailDigest::compareIds)));
        TreeSet<String> monitors = new TreeSet<>();
        alerts.forEach(alert -> monitors.add(UntrustedText.oneLine(alert.monitor())));
        recovered.forEach(job -> monitors.add(UntrustedText.oneLine(job.notice().monitor())));
        int repeats = reminderByJob.values().stream().mapToInt(EmailDigest::repeats).sum();
        int heldCount = jobs.stream().filter(job -> job.held() != null).mapToInt(job -> job.held().count()).sum();
        return new Digest(String.join(", ", monitors), List.copyOf(jobs), failures.size(), listed, reminderByJob.size(), repeats,
                heldCount, List.copyOf(recovered));
    }

    /** {@code The first 500 are listed; and 700 more, see the file and kafka sinks.} */
    private String cutNote(Digest digest) {
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

    private static String unlistedOfJob(JobFailures job) {
        return job.listed().isEmpty() ? "Not listed here." : "And " + job.unlisted() + " more of this job, not listed here.";
    }

    /** The job id as sent, or null when there is none (those failures are grouped together). */
    private static String jobId(Alert alert) {
        return alert.execution().text("jobId").map(String::strip).filter(id -> !id.isEmpty()).orElse(null);
    }

    private String nameOf(String jobId) {
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
    private static String reminderLine(Alert reminder) {
        FailedExecution execution = reminder.execution();
        return "Failed " + count(repeats(reminder), "more time") + " since " + field(execution, "since")
                + " (the last at " + field(execution, "lastFailedTime") + ", execution " + field(execution, "lastExecutionId")
                + "); repeat interval " + field(execution, "repeatInterval") + ".";
    }

    private static int repeats(Alert reminder) {
        return reminder.execution().text("count").map(count -> {
            try {
                return Integer.parseInt(count);
            } catch (NumberFormatException notANumber) {
                return 0;
            }
        }).orElse(0);
    }

    /** {@code 3 more failures held for a reminder due 2026-11-30T14:00:00Z.} */
    private static String heldLine(Held held) {
        return count(held.count(), "more failure") + " held for a reminder due " + held.reminderDue() + ".";
    }

    private static void heldHtml(StringBuilder html, JobFailures job) {
        if (job.held() != null) {
            html.append("<p style=\"margin:4px 0 0 0;color:#57606a;\">").append(escaped(heldLine(job.held()))).append("</p>\n");
        }
    }

    // --- values ---------------------------------------------------------------------------------

    private static String executionId(Alert alert) {
        return UntrustedText.oneLine(alert.execution().text("id").orElse(alert.key()));
    }

    /** ThreatConnect's failedTime as sent; without one, when the monitor saw the failure. */
    private static String failedAt(Alert alert) {
        return alert.execution().text("failedTime").map(UntrustedText::oneLine).filter(time -> !time.isEmpty())
                .orElse(alert.eventTime() + " (detected)");
    }

    private static String field(FailedExecution execution, String name) {
        return execution.text(name).map(UntrustedText::oneLine).filter(value -> !value.isEmpty()).orElse(NOT_GIVEN);
    }

    private static String exitMessage(FailedExecution execution) {
        String message = UntrustedText.lines(execution.text("exitMessage").orElse(""));
        return message.isBlank() ? NOT_GIVEN : message;
    }

    private static String indented(String lines, String indent) {
        StringBuilder text = new StringBuilder();
        lines.lines().forEach(line -> text.append('\n').append(indent).append(line));
        return text.toString();
    }

    private static String escaped(String text) {
        return HtmlText.escape(UntrustedText.oneLine(text));
    }

    private static String cell(String content) {
        return "<td style=\"" + CELL + "\">" + content + "</td>";
    }

    private static String count(int n, String thing) {
        return n + " " + thing + (n == 1 ? "" : "s");
    }

    // --- model ----------------------------------------------------------------------------------

    /** {@code listed}: how many of the {@code executions} the mail lists. */
    private record Digest(String monitor, List<JobFailures> jobs, int executions, int listed, int reminders, int repeats,
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
    private record Recovered(Alert notice, String name) {

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
    private record JobFailures(String jobId, String name, List<Alert> listed, int count, Alert reminder, Held held) {

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
                return EmailDigest.count(count, "failed execution");
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

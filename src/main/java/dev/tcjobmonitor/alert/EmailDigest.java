package dev.tcjobmonitor.alert;

import static dev.tcjobmonitor.alert.DigestModel.count;
import static dev.tcjobmonitor.alert.DigestModel.cutNote;
import static dev.tcjobmonitor.alert.DigestModel.executionId;
import static dev.tcjobmonitor.alert.DigestModel.exitMessage;
import static dev.tcjobmonitor.alert.DigestModel.failedAt;
import static dev.tcjobmonitor.alert.DigestModel.field;
import static dev.tcjobmonitor.alert.DigestModel.heldLine;
import static dev.tcjobmonitor.alert.DigestModel.jobId;
import static dev.tcjobmonitor.alert.DigestModel.reminderLine;
import static dev.tcjobmonitor.alert.DigestModel.repeats;
import static dev.tcjobmonitor.alert.DigestModel.unlistedOfJob;

import dev.tcjobmonitor.alert.DigestModel.Digest;
import dev.tcjobmonitor.alert.DigestModel.JobFailures;
import dev.tcjobmonitor.alert.DigestModel.Recovered;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    private final Function<String, String> jobNames;
    private final int maxRows;
    private final List<String> elsewhere;
    /** Per job id, the failures the poll held for a reminder rather than send (sink.email.repeat-interval). */
    private Map<String, Held> held = Map.of();
    /** The operators' silences that hid failures of the poll from this mail. */
    private List<Silenced> silenced = List.of();

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

    /**
     * A silence of {@code silences.yaml} that hid {@code count} failures of the mail's poll from
     * it: the reader learns that something was hidden, by whom, why and until when.
     */
    public record Silenced(int line, Optional<String> jobId, Optional<String> messageText, String author, String reason,
                           Instant ends, int count) {

        /** {@code 3 failures of job 7 hidden by the silence at line 2 (alice: feed vendor outage) until 2026-12-02T08:00:00Z} */
        public String text() {
            String what = jobId.map(id -> "job " + id).orElse("")
                    + (jobId.isPresent() && messageText.isPresent() ? " with " : "")
                    + messageText.map(text -> (jobId.isPresent() ? "" : "any job with ") + "an exit message containing \"" + text + "\"")
                            .orElse("");
            return DigestModel.count(count, "failure") + " of " + what + " hidden by the silence at line " + line + " ("
                    + author + ": " + reason + ") until " + ends;
        }
    }

    /** Shows, after the jobs, the silences that hid failures of the poll from this mail. */
    public EmailDigest withSilenced(List<Silenced> silences) {
        this.silenced = List.copyOf(silences);
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
        return new Mail(subject(prefix, alerts, digest), text(digest), DigestHtml.html(digest, elsewhere, silenced));
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
            text.append(cutNote(digest, elsewhere)).append('\n');
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
        if (!silenced.isEmpty()) {
            text.append("\n== Silenced ==\n");
            silenced.forEach(silence -> text.append('\n').append(UntrustedText.oneLine(silence.text())).append('\n'));
        }
        return text.toString();
    }

    /** The HTML part: a complete document with inline styles, one table per job. */
    public String html(List<Alert> alerts) {
        return DigestHtml.html(digest(alerts), elsewhere, silenced);
    }

    private static String indented(String lines, String indent) {
        StringBuilder text = new StringBuilder();
        lines.lines().forEach(line -> text.append('\n').append(indent).append(line));
        return text.toString();
    }

    private Digest digest(List<Alert> alerts) {
        return DigestModel.group(alerts, maxRows, held, jobNames);
    }
}

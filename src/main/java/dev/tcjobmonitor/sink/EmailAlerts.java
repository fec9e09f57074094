package dev.tcjobmonitor.sink;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.alert.EmailDigest;
import dev.tcjobmonitor.alert.FailedExecution;
import dev.tcjobmonitor.monitor.MonitorConstants;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.monitor.SinkDeliveries;
import dev.tcjobmonitor.threatconnect.ExecutionPageReader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;

/**
 * The email sink's own steps (bean {@code tcEmail}): which mails a batch makes
 * ({@code sink.email.mode}: one digest per poll, or one mail per failure) and what each mail says.
 *
 * <p>A digest gathers the failures of every page of the poll (in the poll, {@link Poll#gather}) and
 * is sent once the poll has read its last page, or has failed part-way: one mail per poll however
 * many pages it read. It lists at most {@code sink.email.max-rows} failures and counts all of them.
 * Its failures count as delivered only once the SMTP server accepted the mail; refused, all of them
 * stay pending for this sink.
 */
public class EmailAlerts {

    /** camel-mail sends this header's text as the plain part beside the HTML body. */
    static final String ALTERNATIVE_BODY = "CamelMailAlternativeBody";
    private static final String SINK = "email";

    private final SinkDeliveries deliveries = new SinkDeliveries();
    private boolean digest = true;
    private String subjectPrefix = "";
    private int maxRows = 500;

    /** {@code digest} (one mail per poll with every new failure) or {@code each}. */
    public void setMode(String mode) {
        switch (mode == null ? "" : mode.strip()) {
            case "digest" -> digest = true;
            case "each" -> digest = false;
            default -> throw new IllegalArgumentException("invalid setting sink.email.mode: '" + mode + "' is neither digest nor each");
        }
    }

    public void setSubjectPrefix(String subjectPrefix) {
        this.subjectPrefix = subjectPrefix == null ? "" : subjectPrefix;
    }

    /** {@code sink.email.max-rows}: the most failures a digest lists (it counts all of them). */
    public void setMaxRows(String maxRows) {
        String value = maxRows == null ? "" : maxRows.strip();
        try {
            this.maxRows = Integer.parseInt(value);
        } catch (NumberFormatException notANumber) {
            this.maxRows = 0;
        }
        if (this.maxRows < 1) {
            throw new IllegalArgumentException("invalid setting sink.email.max-rows: '" + value
                    + "' is not a whole number of at least 1");
        }
    }

    /** The mails to send for the batch in the body, each as the list of alerts it reports. */
    public Iterator<List<Alert>> mails(Exchange exchange) throws InvalidPayloadException {
        if (!digest) {
            Iterator<Alert> pending = deliveries.pending(SINK, exchange);
            return new Iterator<>() {
                public boolean hasNext() {
                    return pending.hasNext();
                }

                public List<Alert> next() {
                    return List.of(pending.next());
                }
            };
        }
        Poll poll = exchange.getProperty(MonitorConstants.POLL, Poll.class);
        List<Alert> failures = new ArrayList<>();
        List<Alert> notices = new ArrayList<>();
        // "job recovered" notices come with the poll's last page and join its digest
        List<Alert> recovered = new ArrayList<>();
        for (Alert alert : deliveries.pendingAll(SINK, exchange)) {
            (alert.isJobRecovered() ? recovered : alert.isNotice() ? notices : failures).add(alert);
        }
        // beyond the rows a digest lists, a failure is only counted (and recorded, or dead-lettered,
        // with its document): it need not keep its parsed execution until the poll's end
        int kept = poll.gathered(SINK);
        List<Alert> gathering = new ArrayList<>(failures.size());
        for (Alert alert : failures) {
            // a reminder is one line of its job, always shown whole
            gathering.add(alert.isReminder() || kept++ < maxRows ? alert : unlisted(alert));
        }
        poll.gather(SINK, gathering);
        List<List<Alert>> mails = new ArrayList<>(2);
        if (!poll.hasMorePages()) {
            List<Alert> digestOfPoll = new ArrayList<>(poll.takeGathered(SINK));
            digestOfPoll.addAll(recovered);
            recovered.clear();
            if (!digestOfPoll.isEmpty()) {
                mails.add(digestOfPoll);
            }
        }
        notices.addAll(recovered);
        // the monitor's notices about itself come after the poll's pages, in a mail of their own
        if (!notices.isEmpty()) {
            mails.add(List.copyOf(notices));
        }
        return mails.iterator();
    }

    /** The alert as a digest that does not list it needs it: its keys, times, document and job. */
    private static Alert unlisted(Alert alert) {
        ObjectNode fields = ExecutionPageReader.JSON.createObjectNode();
        alert.execution().text("jobId").ifPresent(jobId -> fields.put("jobId", jobId));
        return new Alert(new FailedExecution(fields), alert.key(), alert.eventTime(), alert.document(), alert.pendingSinks(),
                alert.monitor());
    }

    /**
     * Body: the HTML part; the plain part and the Subject in headers. Every other header is
     * dropped, since camel-mail turns headers into mail headers.
     */
    public void render(Exchange exchange) throws InvalidPayloadException {
        @SuppressWarnings("unchecked")
        List<Alert> alerts = exchange.getMessage().getMandatoryBody(List.class);
        Poll poll = exchange.getProperty(MonitorConstants.POLL, Poll.class);
        List<String> elsewhere = poll.monitor().settings().sinks().stream().filter(sink -> !sink.equals(SINK)).toList();
        // a digest also shows the failures the poll held for reminders (sink.email.repeat-interval)
        Map<String, EmailDigest.Held> held = new java.util.TreeMap<>();
        // and the operators' silences that hid failures of the poll from it (silences.yaml)
        List<EmailDigest.Silenced> silenced = new java.util.ArrayList<>();
        if (digest) {
            poll.tally().heldFor(SINK).forEach((job, repeats) -> held.put(job, new EmailDigest.Held(repeats.count(), repeats.reminderDue())));
            poll.tally().hiddenFrom(SINK).forEach((silence, count) -> silenced.add(new EmailDigest.Silenced(silence.line(),
                    silence.jobId().map(String::valueOf), silence.messageText(), silence.author(), silence.reason(), silence.ends(), count)));
        }
        java.util.Set<String> jobIds = new java.util.TreeSet<>(EmailDigest.jobIds(alerts));
        jobIds.addAll(held.keySet());
        // every job's name asked for at once, under one deadline (JobDirectory.namesOf)
        Map<String, String> names = poll.monitor().jobDirectory().namesOf(jobIds);
        EmailDigest.Mail mail = new EmailDigest(id -> names.getOrDefault(id, ""), maxRows, elsewhere).withHeld(held)
                .withSilenced(silenced).mail(subjectPrefix, alerts);
        exchange.setProperty(MonitorConstants.ALERTS, alerts);
        exchange.getMessage().setHeaders(new java.util.HashMap<>(Map.of(
                "Subject", mail.subject(),
                ALTERNATIVE_BODY, mail.text())));
        exchange.getMessage().setBody(mail.html());
    }
}

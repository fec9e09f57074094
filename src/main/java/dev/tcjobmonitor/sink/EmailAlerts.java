package dev.tcjobmonitor.sink;

import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.alert.EmailDigest;
import dev.tcjobmonitor.monitor.MonitorConstants;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.monitor.SinkDeliveries;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;

/**
 * The email sink's own steps (bean {@code tcEmail}): which mails a page's batch makes
 * ({@code sink.email.mode}: one digest, or one mail per failure) and what each mail says.
 */
public class EmailAlerts {

    /** camel-mail sends this header's text as the plain part beside the HTML body. */
    static final String ALTERNATIVE_BODY = "CamelMailAlternativeBody";

    private final SinkDeliveries deliveries = new SinkDeliveries();
    private boolean digest = true;
    private String subjectPrefix = "";

    /** {@code digest} (one mail per poll's page with every new failure) or {@code each}. */
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

    /** The mails to send for the batch in the body, each as the list of alerts it reports. */
    public Iterator<List<Alert>> mails(Exchange exchange) throws InvalidPayloadException {
        Iterator<Alert> pending = deliveries.pending("email", exchange);
        if (!digest) {
            return new Iterator<>() {
                public boolean hasNext() {
                    return pending.hasNext();
                }

                public List<Alert> next() {
                    return List.of(pending.next());
                }
            };
        }
        List<Alert> all = new java.util.ArrayList<>();
        pending.forEachRemaining(all::add);
        return all.isEmpty() ? java.util.Collections.emptyIterator() : List.of(List.copyOf(all)).iterator();
    }

    /**
     * Body: the HTML part; the plain part and the Subject in headers. Every other header is
     * dropped, since camel-mail turns headers into mail headers.
     */
    public void render(Exchange exchange) throws InvalidPayloadException {
        @SuppressWarnings("unchecked")
        List<Alert> alerts = exchange.getMessage().getMandatoryBody(List.class);
        Poll poll = exchange.getProperty(MonitorConstants.POLL, Poll.class);
        Map<String, String> names = poll.monitor().jobDirectory().namesOf(EmailDigest.jobIds(alerts));
        EmailDigest.Mail mail = new EmailDigest(id -> names.getOrDefault(id, "")).mail(subjectPrefix, alerts);
        exchange.setProperty(MonitorConstants.ALERTS, alerts);
        exchange.getMessage().setHeaders(new java.util.HashMap<>(Map.of(
                "Subject", mail.subject(),
                ALTERNATIVE_BODY, mail.text())));
        exchange.getMessage().setBody(mail.html());
    }
}

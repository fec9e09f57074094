package dev.tcjobmonitor.monitor;

import java.util.Locale;
import java.util.Set;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

/**
 * Which refusals of a sink are for good: the sink refused that one alert for a reason of the
 * alert's own, which no retry changes, so the alert goes to the sink's dead letter at once and the
 * sink goes on with the next. Everything else may pass (a sink that is down, busy, misconfigured
 * or refusing access refuses every alert alike, and is fixed by waiting or by an operator): the
 * alert stays pending until {@code monitor.dead-letter-after} after its first refusal.
 * <ul>
 * <li>HTTP: a 4xx answer, except those about the endpoint rather than the request (401, 403, 404,
 *     405, 407, 410, 421: its address, method or credentials, the same for every alert) and those
 *     that say "later" (408, 409, 423, 425, 429). So 400, 413, 415, 422 and the like.</li>
 * <li>Kafka: a record the client or broker cannot take (too large, invalid, not serializable).</li>
 * <li>SMTP: a 5xx reply to the message itself (DATA, its end, BDAT), e.g. 552 too large or 554/550
 *     content refused; and 552 to MAIL FROM (the declared size). A 5xx to RCPT TO or MAIL FROM
 *     otherwise names the configured addresses, and a 552 to RCPT TO is a full mailbox, which
 *     RFC 5321 says to treat as temporary.</li>
 * </ul>
 * The whole cause chain is looked at: camel-kafka and camel-mail may wrap what the client threw.
 */
public final class SinkErrors {

    /** 4xx answers that are not about the request itself: the endpoint's address, access, or "later". */
    private static final Set<Integer> HTTP_NOT_ABOUT_THE_REQUEST = Set.of(401, 403, 404, 405, 407, 408, 409, 410, 421, 423,
            425, 429);

    private SinkErrors() {
    }

    /** Whether {@code failure} (or a cause of it) refuses the alert for good; false for null. */
    public static boolean isPermanent(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (permanent(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean permanent(Throwable t) {
        if (t instanceof HttpOperationFailedException http) {
            int status = http.getStatusCode();
            return status >= 400 && status < 500 && !HTTP_NOT_ABOUT_THE_REQUEST.contains(status);
        }
        if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
                || t instanceof InvalidRecordException || t instanceof SerializationException) {
            return true;
        }
        if (t instanceof SMTPSendFailedException smtp) {
            return smtpMessageRefused(smtp.getCommand(), smtp.getReturnCode());
        }
        if (t instanceof SMTPSenderFailedException sender) {
            return sender.getReturnCode() == 552;
        }
        return false;
    }

    private static boolean smtpMessageRefused(String command, int code) {
        if (code < 500 || code > 599) {
            return false;
        }
        String verb = command == null ? "" : command.strip().toUpperCase(Locale.ROOT);
        boolean aboutTheMessage = verb.equals(".") || verb.startsWith("DATA") || verb.startsWith("BDAT");
        boolean sizeAtMailFrom = code == 552 && verb.startsWith("MAIL");
        return aboutTheMessage || sizeAtMailFrom;
    }
}

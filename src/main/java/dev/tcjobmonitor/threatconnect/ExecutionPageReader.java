package dev.tcjobmonitor.threatconnect;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Turns one HTTP response of {@code /v3/job/executions} into an {@link ExecutionPage}, or into a
 * {@link ThreatConnectException} saying, in one line, why the page cannot be used. A page counts
 * only when the status is 2xx and the envelope says {@code "status":"Success"}.
 */
public final class ExecutionPageReader {

    /**
     * Numbers keep their value exactly (no double rounding), so what ThreatConnect sent is what
     * sinks get: integers and plain decimals such as 1.10 also keep their text; exponent forms
     * such as 1e5 come out as BigDecimal writes them (1E+5).
     */
    public static final ObjectMapper JSON = new ExactJson();

    private static final int EXCERPT = 200;

    public ExecutionPage read(int httpStatus, InputStream body) {
        return read(httpStatus, null, body);
    }

    /**
     * @param retryAfter the response's {@code Retry-After} header, if any
     * @throws TransientFailure      for an answer that may be different if asked again
     * @throws ThreatConnectException for a refusal, with what to check
     */
    public ExecutionPage read(int httpStatus, String retryAfter, InputStream body) {
        PageEnvelope envelope;
        try {
            envelope = parse(httpStatus, body);
        } catch (ThreatConnectException e) {
            throw unreadable(httpStatus, retryAfter, e);
        }
        return read(httpStatus, retryAfter, envelope);
    }

    /**
     * Checks an envelope already parsed as a tree: an object, {@code "status":"Success"} on a 2xx,
     * a {@code data} array.
     */
    public ExecutionPage read(int httpStatus, String retryAfter, JsonNode envelope) {
        return read(httpStatus, retryAfter, envelope == null ? null : PageEnvelope.of(envelope));
    }

    /**
     * Checks an envelope already parsed (the route unmarshals the body with camel-jackson into a
     * {@link PageEnvelope}, with {@link ExactJson}): an object, {@code "status":"Success"} on a
     * 2xx, a {@code data} array.
     */
    public ExecutionPage read(int httpStatus, String retryAfter, PageEnvelope envelope) {
        JsonNode notAnObject = envelope == null ? MissingNode.getInstance() : envelope.notAnObject();
        if (notAnObject != null && notAnObject.isMissingNode()) {
            throw unreadable(httpStatus, retryAfter,
                    new ThreatConnectException("ThreatConnect answered HTTP " + httpStatus + " with an empty body"));
        }
        if (notAnObject != null) {
            throw unreadable(httpStatus, retryAfter, new ThreatConnectException("ThreatConnect answered HTTP " + httpStatus
                    + " with JSON that is not an object: " + excerpt(notAnObject.toString())));
        }
        JsonNode status = path(envelope.member("status"));
        if (!isSuccess(httpStatus) || !"Success".equals(status.asText())) {
            String message = message(envelope);
            String problem = "ThreatConnect answered HTTP " + httpStatus + " with status " + describe(status)
                    + ": " + message;
            if (isTransient(httpStatus)) {
                throw new TransientFailure(problem, RetryAfter.parse(retryAfter));
            }
            String hint = ErrorHints.forRefusal(httpStatus, message);
            throw new ThreatConnectException(hint.isEmpty() ? problem : problem + " (" + hint + ")");
        }
        if (!envelope.dataIsArray()) {
            throw new ThreatConnectException("ThreatConnect answered HTTP " + httpStatus
                    + " with status Success but no data array (data is " + describe(envelope.data()) + ")");
        }
        JsonNode next = envelope.member("next");
        Optional<String> nextLink = next != null && next.isTextual() && !next.asText().isBlank()
                ? Optional.of(next.asText()) : Optional.empty();
        return new ExecutionPage(envelope.executions(), envelope.notObjects(), nextLink);
    }

    private static JsonNode path(JsonNode member) {
        return member == null ? MissingNode.getInstance() : member;
    }

    /** A body that is no envelope: worth asking again on a 2xx (cut short) or a transient status, else a refusal. */
    private static ThreatConnectException unreadable(int httpStatus, String retryAfter, ThreatConnectException e) {
        if (isTransient(httpStatus) || isSuccess(httpStatus)) {
            return new TransientFailure(e.getMessage(), RetryAfter.parse(retryAfter));
        }
        return e;
    }

    /** Rate limits and the gateway errors of an instance that is busy or restarting. */
    static boolean isTransient(int httpStatus) {
        return httpStatus == 429 || httpStatus == 500 || httpStatus == 502 || httpStatus == 503 || httpStatus == 504;
    }

    private static boolean isSuccess(int httpStatus) {
        return httpStatus >= 200 && httpStatus <= 299;
    }

    private static PageEnvelope parse(int httpStatus, InputStream body) {
        byte[] bytes;
        try {
            bytes = body == null ? new byte[0] : body.readAllBytes();
        } catch (IOException e) {
            throw new ThreatConnectException("reading ThreatConnect's answer (HTTP " + httpStatus + ") failed: " + e);
        }
        return parse(httpStatus, bytes);
    }

    private static PageEnvelope parse(int httpStatus, byte[] bytes) {
        if (bytes.length == 0) {
            throw new ThreatConnectException("ThreatConnect answered HTTP " + httpStatus + " with an empty body");
        }
        PageEnvelope envelope;
        try (JsonParser parser = JSON.createParser(bytes)) {
            // read in one pass, as the poll's unmarshal reads it (PageEnvelope); no token at all: empty
            envelope = parser.nextToken() == null ? PageEnvelope.notAnObject(MissingNode.getInstance())
                    : PageEnvelope.read(parser);
        } catch (JsonProcessingException e) {
            if (httpStatus < 200 || httpStatus > 299) {
                // a proxy or load balancer page: its text says more than the parser would
                throw new ThreatConnectException("ThreatConnect answered HTTP " + httpStatus + " with a body that is not JSON: "
                        + excerpt(new String(bytes, 0, Math.min(bytes.length, 4 * EXCERPT), StandardCharsets.UTF_8)));
            }
            throw new ThreatConnectException("ThreatConnect answered HTTP " + httpStatus
                    + " with a body that is not valid JSON (" + excerpt(e.getOriginalMessage()) + " at byte "
                    + e.getLocation().getByteOffset() + " of " + bytes.length + ")");
        } catch (IOException e) {
            throw new ThreatConnectException("reading ThreatConnect's answer (HTTP " + httpStatus + ") failed: " + e);
        }
        return envelope;
    }

    private static String message(PageEnvelope envelope) {
        JsonNode message = envelope.member("message");
        return message == null || message.isNull() ? "(no message)" : excerpt(message.asText());
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "missing";
        }
        return node.isTextual() ? excerpt(node.asText()) : node.getNodeType().toString().toLowerCase();
    }

    /** Keeps log lines to one short line whatever the server sent. */
    static String excerpt(String text) {
        String flat = text.replaceAll("[\\p{Cc}\\u2028\\u2029]+", " ").strip();
        return flat.length() <= EXCERPT ? flat : flat.substring(0, EXCERPT) + "...";
    }
}

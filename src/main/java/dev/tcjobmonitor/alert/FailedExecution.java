package dev.tcjobmonitor.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A failed job execution exactly as ThreatConnect sent it, with what the monitor needs to know
 * about it. Nothing here trusts the content: any field may be missing or of the wrong type.
 */
public final class FailedExecution {

    private static final java.util.regex.Pattern SAFE_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final ObjectNode fields;

    public FailedExecution(ObjectNode fields) {
        this.fields = fields;
    }

    public ObjectNode fields() {
        return fields;
    }

    /**
     * What identifies this execution in the delivered-ids store: its {@code id}, or when that is
     * missing or unusable, a digest of the whole record (so even a malformed failure is delivered
     * once rather than never or always).
     */
    public String deliveryKey() {
        JsonNode id = fields.get("id");
        if (id != null && (id.isIntegralNumber() || id.isTextual()) && SAFE_ID.matcher(id.asText()).matches()) {
            return id.asText();
        }
        return "sha256:" + sha256(fields.toString());
    }

    public Optional<String> text(String field) {
        JsonNode value = fields.get(field);
        return value == null || value.isNull() || value.isContainerNode() ? Optional.empty() : Optional.of(value.asText());
    }

    /** The instant in {@code field} when it holds an ISO-8601 timestamp. */
    public Optional<Instant> instant(String field) {
        return text(field).flatMap(FailedExecution::parseInstant);
    }

    private static Optional<Instant> parseInstant(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}

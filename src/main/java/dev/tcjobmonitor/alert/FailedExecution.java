package dev.tcjobmonitor.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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
        Instant utc = utcTimestamp(text);
        if (utc != null) {
            return Optional.of(utc);
        }
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * The form ThreatConnect sends, {@code 2026-11-28T10:15:30Z} with or without a fraction of up
     * to nine digits, read without a formatter (whose parsing costs more than the rest of an
     * execution's checks); it means what {@link OffsetDateTime#parse} reads it as. Null for any
     * other form, or an impossible date or time: those are the formatter's to accept or refuse.
     */
    private static Instant utcTimestamp(String text) {
        int length = text.length();
        if (length < 20 || length == 21 || length > 30 || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-'
                || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':'
                || length > 20 && text.charAt(19) != '.') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        int fraction = length > 20 ? digits(text, 20, length - 1) : 0;
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || fraction < 0) {
            return null;
        }
        int nanos = fraction;
        for (int digits = length > 20 ? length - 21 : 9; digits < 9; digits++) {
            nanos *= 10;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException impossible) {
            return null;
        }
    }

    /** The number the ASCII digits in [start, end) spell, or -1 if any is not one. */
    private static int digits(String text, int start, int end) {
        int value = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}

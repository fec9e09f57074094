package dev.tcjobmonitor.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.threatconnect.ExecutionPageReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.Month;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A failed job execution exactly as ThreatConnect sent it, with what the monitor needs to know
 * about it. Nothing here trusts the content: any field may be missing or of the wrong type.
 */
public final class FailedExecution {

    /** What an id may be to serve as the key as it is: 1 to 64 of {@code [A-Za-z0-9._:-]}. */
    private static boolean isSafeId(String id) {
        int length = id.length();
        if (length < 1 || length > 64) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** What a streamed field's value is (its first token): {@link #text} and {@link #deliveryKey} go by it. */
    public static final int STRING = 1;
    public static final int INTEGER = 2;
    public static final int DECIMAL = 3;
    public static final int BOOLEAN = 4;
    public static final int NULL = 5;
    public static final int CONTAINER = 6;

    /** Given as a tree (a notice, a test), or read from {@link #json} when first asked for. */
    private volatile ObjectNode fields;
    /**
     * Read from a page as a stream: the fields as compact JSON, exactly as {@code fields.toString()}
     * writes them and as the alert document holds them; their names in order (no name twice);
     * for field i, {@code values[3i]} its kind, {@code [values[3i+1], values[3i+2])} its value in
     * {@code json}. Null when given as a tree.
     */
    private final String json;
    private final String[] names;
    private final int[] values;
    /** True when {@link #json} is known to hold ASCII characters only (its UTF-8 bytes are its characters). */
    private final boolean asciiJson;

    public FailedExecution(ObjectNode fields) {
        this.fields = fields;
        this.json = null;
        this.names = null;
        this.values = null;
        this.asciiJson = false;
    }

    /**
     * An execution read from a page as a stream (see {@code PageEnvelope}), without a tree: what
     * {@code new FailedExecution(tree)} of the same object would say, at a fraction of the memory.
     *
     * @param json   the object as compact JSON, as Jackson writes its tree (no name twice)
     * @param names  its field names, in order
     * @param values per field: its kind ({@link #STRING}...), and where its value starts and ends in {@code json}
     */
    public FailedExecution(String json, String[] names, int[] values) {
        this(json, names, values, false);
    }

    /** @param asciiJson true: {@code json} holds ASCII characters only (a sink may then copy it byte for byte) */
    public FailedExecution(String json, String[] names, int[] values, boolean asciiJson) {
        this.json = json;
        this.names = names;
        this.values = values;
        this.asciiJson = asciiJson;
    }

    /** True when {@link #json} is known to hold ASCII characters only; false when not, or not known. */
    public boolean asciiJson() {
        return asciiJson;
    }

    /** The fields as a tree (for a streamed execution, read from its JSON when first asked for). */
    public ObjectNode fields() {
        ObjectNode tree = fields;
        if (tree == null) {
            try {
                tree = (ObjectNode) ExecutionPageReader.JSON.readTree(json);
                // a decimal written as an integer (1.5e1 is written 15) stays a decimal, as it was read
                for (int i = 0; i < names.length; i++) {
                    if (values[3 * i] == DECIMAL && !tree.get(names[i]).isBigDecimal()) {
                        tree.put(names[i], new java.math.BigDecimal(valueText(i)));
                    }
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot read an execution's own JSON again", e);
            }
            fields = tree;
        }
        return tree;
    }

    /** Whether the execution has a field of this name. */
    public boolean has(String field) {
        return json == null ? fields.has(field) : index(field) >= 0;
    }

    /** The fields as compact JSON for a streamed execution, else null. */
    String json() {
        return json;
    }

    /**
     * What identifies this execution in the delivered-ids store: its {@code id}, or when that is
     * missing or unusable, a digest of the whole record (so even a malformed failure is delivered
     * once rather than never or always).
     */
    public String deliveryKey() {
        if (json != null) {
            int i = index("id");
            if (i >= 0 && (values[3 * i] == INTEGER || values[3 * i] == STRING)) {
                String text = valueText(i);
                if (isSafeId(text)) {
                    return text;
                }
            }
            return "sha256:" + sha256(json);
        }
        JsonNode id = fields.get("id");
        if (id != null && (id.isIntegralNumber() || id.isTextual())) {
            String text = id.asText();
            if (isSafeId(text)) {
                return text;
            }
        }
        return "sha256:" + sha256(fields.toString());
    }

    public Optional<String> text(String field) {
        if (json != null) {
            int i = index(field);
            return i < 0 || values[3 * i] == NULL || values[3 * i] == CONTAINER ? Optional.empty() : Optional.of(valueText(i));
        }
        JsonNode value = fields.get(field);
        return value == null || value.isNull() || value.isContainerNode() ? Optional.empty() : Optional.of(value.asText());
    }

    /** The value of a JSON string literal (written by Jackson, so well formed). */
    private static String unescape(String literal) {
        try (com.fasterxml.jackson.core.JsonParser parser = ExecutionPageReader.JSON.getFactory().createParser(literal)) {
            parser.nextToken();
            return parser.getText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read an execution's own JSON again", e);
        }
    }

    private int index(String field) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(field)) {
                return i;
            }
        }
        return -1;
    }

    /** What {@code JsonNode.asText()} says of scalar field i: a string unescaped, a number or boolean as written. */
    private String valueText(int i) {
        int start = values[3 * i + 1];
        int end = values[3 * i + 2];
        if (values[3 * i] != STRING) {
            return json.substring(start, end);
        }
        for (int c = start + 1; c < end - 1; c++) {
            if (json.charAt(c) == '\\') {
                return unescape(json.substring(start, end));
            }
        }
        return json.substring(start + 1, end - 1);
    }

    /** The instant in {@code field} when it holds an ISO-8601 timestamp. */
    public Optional<Instant> instant(String field) {
        if (json != null) {
            // the usual form straight from the JSON text, without taking the string out first
            int i = index(field);
            if (i >= 0 && values[3 * i] == STRING) {
                Instant utc = utcTimestamp(json, values[3 * i + 1] + 1, values[3 * i + 2] - 1);
                if (utc != null) {
                    return Optional.of(utc);
                }
            }
        }
        return text(field).flatMap(FailedExecution::parseInstant);
    }

    private static Optional<Instant> parseInstant(String text) {
        Instant utc = utcTimestamp(text, 0, text.length());
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
    private static Instant utcTimestamp(String text, int from, int to) {
        int length = to - from;
        if (length < 20 || length == 21 || length > 30 || text.charAt(to - 1) != 'Z' || text.charAt(from + 4) != '-'
                || text.charAt(from + 7) != '-' || text.charAt(from + 10) != 'T' || text.charAt(from + 13) != ':'
                || text.charAt(from + 16) != ':' || length > 20 && text.charAt(from + 19) != '.') {
            return null;
        }
        int year = digits(text, from, from + 4);
        int month = digits(text, from + 5, from + 7);
        int day = digits(text, from + 8, from + 10);
        int hour = digits(text, from + 11, from + 13);
        int minute = digits(text, from + 14, from + 16);
        int second = digits(text, from + 17, from + 19);
        int fraction = length > 20 ? digits(text, from + 20, to - 1) : 0;
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || fraction < 0) {
            return null;
        }
        int nanos = fraction;
        for (int digits = length > 20 ? length - 21 : 9; digits < 9; digits++) {
            nanos *= 10;
        }
        // what LocalDateTime.of accepts (a four-digit year always fits), without making one
        if (month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year)) || hour > 23
                || minute > 59 || second > 59) {
            return null;
        }
        return Instant.ofEpochSecond(epochDay(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second, nanos);
    }

    /** Days since 1970-01-01 of a valid date, as {@code LocalDate.toEpochDay} counts them. */
    private static long epochDay(long year, int month, int day) {
        long total = 365 * year;
        if (year >= 0) {
            total += (year + 3) / 4 - (year + 99) / 100 + (year + 399) / 400;
        } else {
            total -= year / -4 - year / -100 + year / -400;
        }
        total += (367 * month - 362) / 12;
        total += day - 1;
        if (month > 2) {
            total--;
            if (!Year.isLeap(year)) {
                total--;
            }
        }
        return total - 719_528;
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

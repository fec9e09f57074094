package dev.tcjobmonitor.simulator;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A misbehaviour the simulator applies to the next request: a delay, then a rewrite of the answer
 * it would have given, and possibly a connection dropped half-way through the body. Queue them
 * with {@link ThreatConnectSimulator#enqueueFault(Fault)}.
 *
 * @param dropsConnectionMidBody announce the whole body's {@code Content-Length}, send half of
 *                               it, then close the connection: the client's read ends early
 */
public record Fault(String description, Duration delay, UnaryOperator<SimulatedResponse> rewrite,
                    boolean dropsConnectionMidBody, Sending sending) {

    /**
     * How the body goes on the wire.
     *
     * @param announcesLength a {@code Content-Length} header, or else chunked (the client learns the
     *                        size only by reading it all)
     * @param chunkBytes      bytes per write, with {@code pause} between writes; 0: all at once
     */
    public record Sending(boolean announcesLength, int chunkBytes, Duration pause) {
        /** As a server normally answers: the length announced, the body at once. */
        public static final Sending WHOLE = new Sending(true, 0, Duration.ZERO);
    }

    public Fault(String description, Duration delay, UnaryOperator<SimulatedResponse> rewrite,
                 boolean dropsConnectionMidBody) {
        this(description, delay, rewrite, dropsConnectionMidBody, Sending.WHOLE);
    }

    public Fault(String description, Duration delay, UnaryOperator<SimulatedResponse> rewrite) {
        this(description, delay, rewrite, false);
    }

    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    /** Answers {@code status} with ThreatConnect's error envelope carrying {@code message}. */
    public static Fault error(int status, String message) {
        return respond(status, SimulatedResponse.errorBody(message));
    }

    /** Answers exactly this status and body. */
    public static Fault respond(int status, String body) {
        return new Fault("HTTP " + status, Duration.ZERO,
                normal -> new SimulatedResponse(status, Map.of("Content-Type", "application/json"), body));
    }

    /** HTTP 429 with ThreatConnect's error body and a {@code Retry-After} in seconds. */
    public static Fault rateLimited(Duration retryAfter) {
        return new Fault("HTTP 429", Duration.ZERO, normal -> new SimulatedResponse(429,
                Map.of("Content-Type", "application/json", "Retry-After", String.valueOf(retryAfter.toSeconds())),
                SimulatedResponse.errorBody("Rate limit exceeded")));
    }

    /**
     * A redirect ({@code status} 301, 302, 303, 307 or 308) to {@code location}, with the short
     * HTML page servers put in such answers; a client that follows it asks {@code location}.
     */
    public static Fault redirect(int status, String location) {
        if (status < 300 || status > 399) {
            throw new IllegalArgumentException("not a redirect status: " + status);
        }
        return new Fault("HTTP " + status + " to " + location, Duration.ZERO, normal -> new SimulatedResponse(status,
                Map.of("Content-Type", "text/html", "Location", location),
                "<html><head><title>" + status + " Moved</title></head><body>Moved</body></html>"));
    }

    /**
     * HTTP 429 with ThreatConnect's error body and a {@code Retry-After} as an HTTP-date: the
     * IMF-fixdate of RFC 9110 ({@code Sun, 06 Nov 1994 08:49:37 GMT}), which has whole seconds, so
     * {@code until} is sent truncated to its second.
     */
    public static Fault rateLimitedUntil(Instant until) {
        String date = HTTP_DATE.format(until.truncatedTo(ChronoUnit.SECONDS));
        return new Fault("HTTP 429 until " + date, Duration.ZERO, normal -> new SimulatedResponse(429,
                Map.of("Content-Type", "application/json", "Retry-After", date),
                SimulatedResponse.errorBody("Rate limit exceeded")));
    }

    /**
     * The normal answer cut in half, with a {@code Content-Length} that matches the half: a
     * complete HTTP response whose body is not valid JSON, as a proxy that buffered a dropped
     * connection passes it on.
     */
    public static Fault truncated() {
        return new Fault("truncated body", Duration.ZERO,
                normal -> normal.withBody(normal.body().substring(0, normal.body().length() / 2)));
    }

    /**
     * The connection drops in the middle of the normal answer: the headers announce the whole
     * body, half of it arrives, then the connection closes, so the client's read ends early
     * (an I/O error such as "premature end of Content-Length delimited message body").
     */
    public static Fault connectionDroppedMidBody() {
        return new Fault("connection dropped mid-body", Duration.ZERO, UnaryOperator.identity(), true);
    }

    /**
     * The normal answer padded with trailing whitespace (still valid JSON) to at least
     * {@code bytes}, sent chunked, without a {@code Content-Length}: a client learns how large it
     * is only by reading it.
     */
    public static Fault oversized(int bytes) {
        return new Fault("body of " + bytes + " bytes", Duration.ZERO,
                normal -> normal.withBody(normal.body() + " ".repeat(Math.max(0, bytes - normal.body().length()))),
                false, new Sending(false, 0, Duration.ZERO));
    }

    /**
     * The normal answer trickled: {@code chunkBytes} at a time with {@code pause} between writes
     * (its length announced), as a server that keeps a connection alive without ever finishing:
     * every read gets bytes long before a response timeout, the whole takes as long as it likes.
     */
    public static Fault trickled(int chunkBytes, Duration pause) {
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("chunkBytes must be positive: " + chunkBytes);
        }
        return new Fault("trickled " + chunkBytes + " bytes every " + pause, Duration.ZERO, UnaryOperator.identity(),
                false, new Sending(true, chunkBytes, pause));
    }

    /** The normal answer, late. */
    public static Fault delay(Duration delay) {
        return new Fault("delay " + delay, delay, UnaryOperator.identity());
    }

    /** The normal answer with its {@code next} link pointing at another origin. */
    public static Fault nextLinkTo(String foreignOrigin) {
        return new Fault("next link to " + foreignOrigin, Duration.ZERO,
                normal -> normal.withBody(normal.body().replaceAll("\"next\":\"https?://[^/\"]+", "\"next\":\"" + foreignOrigin)));
    }
}

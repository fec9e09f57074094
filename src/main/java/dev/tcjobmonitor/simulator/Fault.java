package dev.tcjobmonitor.simulator;

import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A misbehaviour the simulator applies to the next request: a delay, then a rewrite of the answer
 * it would have given. Queue them with {@link ThreatConnectSimulator#enqueueFault(Fault)}.
 */
public record Fault(String description, Duration delay, UnaryOperator<SimulatedResponse> rewrite) {

    /** Answers {@code status} with ThreatConnect's error envelope carrying {@code message}. */
    public static Fault error(int status, String message) {
        return respond(status, ThreatConnectSimulator.errorBody(message));
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
                ThreatConnectSimulator.errorBody("Rate limit exceeded")));
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

    /** The normal answer cut in half, as a dropped connection behind a proxy leaves it. */
    public static Fault truncated() {
        return new Fault("truncated body", Duration.ZERO,
                normal -> normal.withBody(normal.body().substring(0, normal.body().length() / 2)));
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

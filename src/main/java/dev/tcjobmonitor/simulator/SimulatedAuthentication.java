package dev.tcjobmonitor.simulator;

import com.sun.net.httpserver.Headers;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Checks a request's credentials as ThreatConnect does: an API token ({@code TC-Token}), or an
 * HMAC signature ({@link HmacVerifier}) whose {@code Timestamp} is within five minutes of the
 * simulator's clock; a refusal carries ThreatConnect's error body.
 */
final class SimulatedAuthentication {

    private static final long MAX_SKEW_SECONDS = 300;
    private static final String NO_MATCH = "Signature Data Did Not Match Expected Result";

    private final Map<String, String> hmacUsers = new LinkedHashMap<>();
    private final List<String> tokens = new CopyOnWriteArrayList<>();

    synchronized void addHmacUser(String accessId, String secretKey) {
        hmacUsers.put(accessId, secretKey);
    }

    void addApiToken(String token) {
        tokens.add(token);
    }

    /**
     * The refusal of a request, or null when its credentials pass.
     *
     * @param target the path and query as they came over the wire (what was signed)
     * @param clock  the simulator's clock, which the timestamp must be near
     */
    synchronized SimulatedResponse refusal(String method, String target, Headers headers, Clock clock) {
        String authorization = headers.getFirst("Authorization");
        if (authorization == null) {
            return SimulatedResponse.error(401, "No Authorization header");
        }
        if (authorization.startsWith("TC-Token ")) {
            return tokens.contains(authorization.substring("TC-Token ".length())) ? null : SimulatedResponse.error(401, "Invalid token");
        }
        HmacVerifier.Credentials credentials = HmacVerifier.credentials(authorization).orElse(null);
        if (credentials == null) {
            return SimulatedResponse.error(401, NO_MATCH);
        }
        String timestamp = headers.getFirst("Timestamp");
        long seconds;
        try {
            seconds = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            return SimulatedResponse.error(401, NO_MATCH);
        }
        if (Math.abs(clock.instant().getEpochSecond() - seconds) > MAX_SKEW_SECONDS) {
            return SimulatedResponse.error(401, "Timestamp Out of Acceptable Time Range");
        }
        String secretKey = hmacUsers.get(credentials.accessId());
        // the timestamp is signed as its header reads, the target as it came over the wire
        if (secretKey == null || !HmacVerifier.verifies(secretKey, method, target, timestamp, credentials.signature())) {
            return SimulatedResponse.error(401, NO_MATCH);
        }
        return null;
    }
}

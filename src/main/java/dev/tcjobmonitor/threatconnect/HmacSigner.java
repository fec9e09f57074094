package dev.tcjobmonitor.threatconnect;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * ThreatConnect API-user authentication: {@code Authorization: TC <accessId>:<signature>} with
 * {@code signature = Base64(HMAC-SHA256(secretKey, "<path>?<query>:<METHOD>:<timestamp>"))}.
 */
public final class HmacSigner implements RequestSigner {

    private final String accessId;
    private final SecretKeySpec key;
    private final Clock clock;

    public HmacSigner(String accessId, String secretKey, Clock clock) {
        this.accessId = accessId;
        this.key = new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.clock = clock;
    }

    @Override
    public Map<String, String> sign(String method, String pathAndQuery) {
        long timestamp = clock.instant().getEpochSecond();
        return Map.of("Timestamp", Long.toString(timestamp),
                "Authorization", authorization(method, pathAndQuery, timestamp));
    }

    /** The Authorization header value for a given timestamp (what the test vectors pin down). */
    public String authorization(String method, String pathAndQuery, long timestamp) {
        String stringToSign = pathAndQuery + ":" + method + ":" + timestamp;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] signature = mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8));
            return "TC " + accessId + ":" + Base64.getEncoder().encodeToString(signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "HmacSigner[accessId=" + accessId + ", secretKey=****]";
    }
}

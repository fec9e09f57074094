package dev.tcjobmonitor.simulator;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The simulator's check of ThreatConnect's API-user authentication, written from the reference
 * (shared/reference/threatconnect-api.md, "Authentication") and pinned by its vectors
 * (hmac-vectors.json), not from the monitor's signer: a simulator that signs with the monitor's
 * own code agrees with every mistake in it, and a wrong string to sign would pass every test.
 * Nothing here comes from {@code dev.tcjobmonitor.threatconnect}; a test keeps it that way.
 *
 * <p>The reference: headers {@code Timestamp: <unix seconds>} and {@code Authorization: TC
 * <accessId>:<signature>}, where {@code signature = Base64(HMAC-SHA256(secretKey, "<raw path>?<raw
 * query>:<METHOD>:<timestamp>"))}, the query exactly as it came over the wire.
 */
public final class HmacVerifier {

    private static final String SCHEME = "TC ";
    private static final char[] BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

    private HmacVerifier() {
    }

    /** The two parts of an {@code Authorization: TC <accessId>:<signature>} header. */
    public record Credentials(String accessId, String signature) {
    }

    /** The access id and signature of a {@code TC} header; empty for any other form. */
    public static Optional<Credentials> credentials(String authorization) {
        if (authorization == null || !authorization.startsWith(SCHEME)) {
            return Optional.empty();
        }
        // the signature is Base64, which has no ':'; the access id comes before the last one
        String rest = authorization.substring(SCHEME.length());
        int colon = rest.lastIndexOf(':');
        if (colon <= 0 || colon == rest.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(new Credentials(rest.substring(0, colon), rest.substring(colon + 1)));
    }

    /**
     * Whether {@code signature} is what {@code secretKey} makes of this request.
     *
     * @param requestTarget the raw path, and {@code ?} and the raw query if the request had one, as received
     * @param timestamp     the {@code Timestamp} header's text, as received
     */
    public static boolean verifies(String secretKey, String method, String requestTarget, String timestamp, String signature) {
        byte[] expected = expectedSignature(secretKey, stringToSign(method, requestTarget, timestamp))
                .getBytes(StandardCharsets.US_ASCII);
        // constant time: a stand-in, but one that does not teach a timing oracle
        return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
    }

    /** {@code <raw path>?<raw query>:<METHOD>:<timestamp>}, the reference's string to sign. */
    static String stringToSign(String method, String requestTarget, String timestamp) {
        return String.join(":", requestTarget, method, timestamp);
    }

    /** Base64 of HMAC-SHA256 with the secret key's UTF-8 bytes as the key (the vectors: the key is not decoded). */
    static String expectedSignature(String secretKey, String stringToSign) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return base64(hmac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** RFC 4648 section 4 (standard alphabet, '=' padding), three bytes to four characters. */
    static String base64(byte[] bytes) {
        StringBuilder out = new StringBuilder((bytes.length + 2) / 3 * 4);
        for (int i = 0; i < bytes.length; i += 3) {
            int remaining = Math.min(3, bytes.length - i);
            int group = (bytes[i] & 0xFF) << 16;
            if (remaining > 1) {
                group |= (bytes[i + 1] & 0xFF) << 8;
            }
            if (remaining > 2) {
                group |= bytes[i + 2] & 0xFF;
            }
            out.append(BASE64[(group >> 18) & 0x3F]).append(BASE64[(group >> 12) & 0x3F]);
            out.append(remaining > 1 ? BASE64[(group >> 6) & 0x3F] : '=');
            out.append(remaining > 2 ? BASE64[group & 0x3F] : '=');
        }
        return out.toString();
    }
}

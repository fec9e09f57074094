package dev.tcjobmonitor.threatconnect;

import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding as ThreatConnect signs it: every byte outside RFC 3986's unreserved set is
 * encoded, spaces as {@code %20}. The signature covers the query exactly as it goes on the wire,
 * so this is the only place that decides how a query is encoded.
 */
public final class UriEncoding {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private UriEncoding() {
    }

    /** Encodes one query parameter value (or name). */
    public static String encode(String value) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (isUnreserved(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }

    /**
     * Makes a URL received from elsewhere (a {@code next} link) safe to send unchanged: characters
     * that may not appear raw in a URI are encoded, existing {@code %XX} escapes are kept. HTTP
     * clients re-encode such characters themselves, which would break a signature made before.
     */
    public static String encodeUnsafeCharacters(String url) {
        StringBuilder out = new StringBuilder(url.length() + 16);
        byte[] bytes = url.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int c = bytes[i] & 0xFF;
            boolean escape = c == '%' && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2]);
            if (escape || isUnreserved(c) || "!$&'()*+,;=:@/?#[]".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static boolean isHex(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'A' && b <= 'F') || (b >= 'a' && b <= 'f');
    }
}

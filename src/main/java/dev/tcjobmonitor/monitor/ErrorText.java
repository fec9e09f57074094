package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.threatconnect.ThreatConnectException;

/**
 * Makes one readable line of an exception chain, for the poll's failure log line. An endpoint
 * named in it keeps its scheme and host only: a webhook's path or query (a chat webhook's URL is its
 * secret) or user info never reaches a log, a health detail or a dead letter.
 */
public final class ErrorText {

    /**
     * scheme://, user info (up to the last '@' before the path: a password may hold an '@'), the
     * host ([an IPv6 address] too) and port, and the rest up to white space, a quote or a bracket
     * (how messages enclose a URI), less a trailing comma, full stop, colon or semicolon (the
     * sentence's, not the URI's).
     */
    private static final java.util.regex.Pattern URL = java.util.regex.Pattern.compile(
            "\\b([A-Za-z][A-Za-z0-9+.-]*://)(?:[^/?#\\s\"'<>\\[\\]]*@)?(\\[[^\\]\\s/]*\\][^/?#\\s\"'<>\\[\\]@]*|[^/?#\\s\"'<>\\[\\]@]+)"
                    + "[^\\s\"'<>\\[\\]]*?(?=[,.;:]?(?:[\\s\"'<>\\[\\]]|$))");

    /** One endpoint URI's scheme (with // if any), then its host[:port] or opaque name; user info skipped. */
    private static final java.util.regex.Pattern ORIGIN =
            java.util.regex.Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*:(?://)?)(?:[^/?]*@)?([^/?]*)");

    private ErrorText() {
    }

    static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown error";
        }
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ThreatConnectException) {
                return oneLine(t.getMessage());
            }
            root = t;
        }
        String message = root.getMessage();
        String type = root.getClass().getSimpleName();
        return oneLine(message == null || message.isBlank() ? type : type + ": " + withEndpointOrigins(message));
    }

    /**
     * {@code text} with each URL in it cut to scheme://host[:port]: no user info, path or query,
     * where a webhook's secret (Slack, Teams), a login or a token would be.
     */
    public static String withEndpointOrigins(String text) {
        return URL.matcher(text).replaceAll("$1$2");
    }

    /**
     * What a log line may show of one endpoint URI: its scheme and authority, without user info,
     * path or query ({@code http://hooks.example.org:8443}); for a URI without an authority (a Camel
     * {@code log:} or {@code kafka:} endpoint) its scheme and the name before any {@code ?}.
     */
    public static String origin(String uri) {
        java.util.regex.Matcher origin = ORIGIN.matcher(uri);
        return origin.find() ? origin.group(1) + origin.group(2) : "its endpoint";
    }

    static String oneLine(String text) {
        return text.replaceAll("[\\p{Cc}\\u2028\\u2029]+", " ").strip();
    }
}

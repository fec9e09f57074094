package dev.tcjobmonitor.threatconnect;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * One ThreatConnect instance's API root (e.g. {@code https://app.threatconnect.com/api}) and the
 * URLs derived from it. It is also the guard that keeps credentials at home: a URL whose scheme,
 * host or port differ from the base is refused before anything is signed.
 */
public final class ApiEndpoint {

    public static final String EXECUTIONS_PATH = "/v3/job/executions";

    private final URI base;

    private ApiEndpoint(URI base) {
        this.base = base;
    }

    /** Parses and checks {@code tc.base-url}; the message names what is wrong with it. */
    public static ApiEndpoint of(String baseUrl) {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new IllegalArgumentException("is empty; set it to the instance's API root, e.g. https://app.threatconnect.com/api");
        }
        String shown = redact(baseUrl);
        URI uri;
        try {
            uri = new URI(baseUrl.strip().replaceAll("/+$", ""));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + shown + "' is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("'" + shown + "' must start with https:// (or http:// for a local simulator)");
        }
        if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("'" + shown + "' must be scheme://host[:port]/path with no user, query or fragment");
        }
        return new ApiEndpoint(uri);
    }

    /**
     * Whether requests here go over plain http to a host other than this one's loopback
     * (127.0.0.0/8, ::1, localhost): credentials in clear text on a network. Names are not looked
     * up: only "localhost" itself and loopback address literals count as loopback.
     */
    public boolean cleartextBeyondLoopback() {
        return "http".equalsIgnoreCase(base.getScheme()) && !isLoopback(base.getHost());
    }

    /** Whether the base URL's host is this host's loopback (see {@link #cleartextBeyondLoopback}). */
    public boolean onLoopback() {
        return isLoopback(base.getHost());
    }

    /** The host requests go to. */
    public String host() {
        return base.getHost();
    }

    private static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        boolean ipv6 = host.startsWith("[") && host.endsWith("]");
        boolean ipv4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        if (!ipv4 && !ipv6) {
            return false; // a name: never resolved here
        }
        try {
            // an address literal: parsed, not looked up
            return InetAddress.getByName(ipv6 ? host.substring(1, host.length() - 1) : host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * A URL as it may be shown: whatever sits before the last '@' could be a password, '/', ':'
     * or '?' included (a password is not always URL-encoded, and those end the authority early):
     * only the scheme and what follows the '@' are shown.
     */
    static String redact(String url) {
        int at = url.lastIndexOf('@');
        if (at < 0) {
            return url;
        }
        int scheme = url.indexOf("://");
        return (scheme >= 0 && scheme < at ? url.substring(0, scheme + 3) : "") + "****@" + url.substring(at + 1);
    }

    public String baseUrl() {
        return base.toString();
    }

    /** The first page of job executions matching {@code tql}. */
    public URI executionsUrl(String tql, int pageSize) {
        return URI.create(base + EXECUTIONS_PATH + "?tql=" + UriEncoding.encode(tql) + "&resultLimit=" + pageSize);
    }

    /** A job, for its name. */
    public URI jobUrl(long jobId) {
        return URI.create(base + "/v3/jobs/" + jobId);
    }

    /**
     * Accepts a {@code next} link only when it points at this instance.
     *
     * @throws ThreatConnectException if it points anywhere else or is not a URL
     */
    public URI sameOrigin(String link) {
        URI uri;
        try {
            uri = new URI(UriEncoding.encodeUnsafeCharacters(link));
        } catch (URISyntaxException e) {
            throw new ThreatConnectException("ThreatConnect returned a next link that is not a URL: " + e.getReason());
        }
        if (!uri.isAbsolute()) {
            uri = base.resolve(uri);
        }
        boolean same = base.getScheme().equalsIgnoreCase(uri.getScheme())
                && base.getHost().equalsIgnoreCase(uri.getHost())
                && port(base) == port(uri);
        if (!same) {
            throw new ThreatConnectException("refused to follow a next link to " + origin(uri)
                    + ": it is not " + origin(base) + " (tc.base-url), and credentials are only sent there");
        }
        return uri;
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + ":" + port(uri);
    }

    /** The signed form of a request target: raw path and raw query, exactly as on the wire. */
    public static String pathAndQuery(URI uri) {
        return uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
    }

    @Override
    public String toString() {
        return baseUrl();
    }
}

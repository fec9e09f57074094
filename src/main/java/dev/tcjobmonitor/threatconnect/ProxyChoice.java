package dev.tcjobmonitor.threatconnect;

import dev.tcjobmonitor.threatconnect.ThreatConnectProxy.InvalidSetting;
import dev.tcjobmonitor.threatconnect.ThreatConnectProxy.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Chooses the proxy, if any, on the path to one ThreatConnect instance: from the
 * {@code tc.proxy.*} settings when any is set, else from the environment's {@code https_proxy}
 * (or {@code http_proxy}) and {@code no_proxy}; a setting or variable that is half set or
 * malformed is refused by name ({@link InvalidSetting}), never showing its secret.
 */
final class ProxyChoice {

    static final String HOST = "proxyHost (tc.proxy.host)";
    static final String PORT = "proxyPort (tc.proxy.port)";
    static final String USER = "proxyUser (tc.proxy.user)";
    static final String PASSWORD = "proxyPassword (tc.proxy.password)";

    private ProxyChoice() {
    }

    /** See {@link ThreatConnectProxy#forEndpoint}. */
    static ThreatConnectProxy forEndpoint(ApiEndpoint endpoint, Settings settings, Map<String, String> environment) {
        ThreatConnectProxy proxy;
        List<String> nonProxyHosts;
        if (settings.anySet()) {
            proxy = explicit(settings);
            nonProxyHosts = list(settings.nonProxyHosts());
        } else {
            boolean https = endpoint.baseUrl().regionMatches(true, 0, "https:", 0, 6);
            String name = https ? "https_proxy" : "http_proxy";
            String variable = environment.containsKey(name) ? name : name.toUpperCase(Locale.ROOT);
            String value = environment.getOrDefault(variable, "").strip();
            proxy = value.isEmpty() ? ThreatConnectProxy.DIRECT : fromEnvironment(variable, value);
            nonProxyHosts = list(environment.getOrDefault("no_proxy", environment.getOrDefault("NO_PROXY", "")));
        }
        if (proxy.direct() || endpoint.onLoopback() || matches(endpoint.host(), nonProxyHosts)) {
            return ThreatConnectProxy.DIRECT;
        }
        return proxy;
    }

    private static ThreatConnectProxy explicit(Settings settings) {
        String host = settings.host();
        if (host.isEmpty()) {
            String set = !settings.port().isEmpty() ? "tc.proxy.port" : !settings.user().isEmpty() ? "tc.proxy.user"
                    : !settings.password().isEmpty() ? "tc.proxy.password" : "tc.proxy.non-proxy-hosts";
            throw new InvalidSetting(HOST, "is empty while " + set + " is set; set the proxy's host name, or clear every"
                    + " tc.proxy.* setting to use no proxy (or HTTPS_PROXY)");
        }
        if (!host.matches("[A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+]")) {
            throw new InvalidSetting(HOST, "'" + redact(host) + "' is not a host name or address (just the host, such as"
                    + " proxy.example.org; the port goes in tc.proxy.port)");
        }
        if (settings.port().isEmpty()) {
            throw new InvalidSetting(PORT, "is empty while tc.proxy.host is set; set the proxy's port, such as 3128");
        }
        int port = port(PORT, settings.port());
        String user = settings.user();
        String password = settings.password();
        if (!user.isEmpty() && password.isEmpty()) {
            throw new InvalidSetting(PASSWORD, "is empty while tc.proxy.user is set; set both or neither");
        }
        if (user.isEmpty() && !password.isEmpty()) {
            throw new InvalidSetting(USER, "is empty while tc.proxy.password is set; set both or neither");
        }
        return new ThreatConnectProxy(host.startsWith("[") ? host.substring(1, host.length() - 1) : host, port,
                user.isEmpty() ? null : user, user.isEmpty() ? null : password, "tc.proxy.host");
    }

    /** {@code http://[user:password@]host:port[/]}, as curl and most tools take it; no scheme means http. */
    private static ThreatConnectProxy fromEnvironment(String variable, String value) {
        String text = value.contains("://") ? value : "http://" + value;
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidSetting(variable, "'" + redact(value) + "' is not a proxy URL such as http://proxy.example.org:3128");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw new InvalidSetting(variable, "'" + redact(value) + "': only a proxy spoken to over http:// is supported"
                    + " (HTTPS to ThreatConnect is still tunnelled through it with CONNECT)");
        }
        if (uri.getHost() == null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null) {
            throw new InvalidSetting(variable, "'" + redact(value) + "' is not a proxy URL such as http://proxy.example.org:3128");
        }
        if (uri.getPort() == -1) {
            throw new InvalidSetting(variable, "'" + redact(value) + "' names no port; add it, such as :3128");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            password = parts.length == 2 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "";
            if (user.isEmpty() || password.isEmpty()) {
                throw new InvalidSetting(variable, "'" + redact(value) + "' has a user without a password (or the reverse);"
                        + " give both, user:password@, or neither");
            }
        }
        String host = uri.getHost();
        return new ThreatConnectProxy(host.startsWith("[") ? host.substring(1, host.length() - 1) : host, uri.getPort(),
                user, password, variable);
    }

    private static int port(String setting, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw new InvalidSetting(setting, "'" + text + "' is not a port number (1-65535)");
    }

    /**
     * Whether {@code host} is one of the hosts reached directly: {@code *} is every host, an entry
     * is that host and its subdomains ({@code example.org}, {@code .example.org} and
     * {@code *.example.org} all match example.org and a.example.org), an address matches itself.
     */
    static boolean matches(String host, List<String> nonProxyHosts) {
        String name = host.toLowerCase(Locale.ROOT).replaceAll("^\\[|]$", "");
        for (String entry : nonProxyHosts) {
            String domain = entry.toLowerCase(Locale.ROOT).replaceAll("^\\*?\\.", "").replaceAll("^\\[|]$", "");
            if (entry.equals("*") || name.equals(domain) || name.endsWith("." + domain)) {
                return true;
            }
        }
        return false;
    }

    /** Entries separated by commas (NO_PROXY's form) or '|' (the JVM's http.nonProxyHosts form); a ':port' is ignored. */
    private static List<String> list(String text) {
        return Arrays.stream(text.split("[,|]")).map(String::strip).filter(entry -> !entry.isEmpty())
                .map(entry -> entry.matches("[^:\\[]*:\\d+") ? entry.substring(0, entry.lastIndexOf(':')) : entry)
                .toList();
    }

    /** As tc.base-url is shown: nothing before the last '@', which could be a password. */
    private static String redact(String text) {
        return ApiEndpoint.redact(text);
    }
}

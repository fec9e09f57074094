package dev.tcjobmonitor.threatconnect;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.CredentialsProvider;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.DefaultSchemePortResolver;
import org.apache.hc.client5.http.impl.auth.CredentialsProviderBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.routing.DefaultProxyRoutePlanner;
import org.apache.hc.client5.http.impl.routing.DefaultRoutePlanner;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpStatus;

/**
 * The path of every request to one ThreatConnect instance (the pages, the job names, the
 * {@code --check} probe): straight to it, or through one HTTP forward proxy, HTTPS tunnelled with
 * {@code CONNECT}. Decided once at start, from:
 * <ol>
 *   <li>{@code tc.proxy.host}/{@code tc.proxy.port} (with {@code tc.proxy.user}/{@code tc.proxy.password}
 *       and {@code tc.proxy.non-proxy-hosts}): when any of them is set, they alone decide and the
 *       environment is not read;</li>
 *   <li>otherwise the environment's {@code https_proxy}/{@code HTTPS_PROXY} (for an https base URL;
 *       {@code http_proxy}/{@code HTTP_PROXY} for http), {@code http://[user:password@]host:port},
 *       and {@code no_proxy}/{@code NO_PROXY}.</li>
 * </ol>
 * A base URL on loopback is always reached directly: the proxy's loopback is not this host's.
 * The JVM's {@code https.proxyHost} properties and camel-http's own proxy options are not used, so
 * the three kinds of request cannot take different paths.
 *
 * <p>The proxy's credentials answer the proxy's challenge (407) only: they are scoped to the
 * proxy's address and go on the {@code CONNECT} alone; ThreatConnect's signed headers go inside
 * the tunnel only (HttpClient builds the {@code CONNECT} with its own processor, not the request
 * interceptors that sign). A failure of the proxy is said as one: a proxy that cannot be reached
 * is a {@link ProxyUnavailable} (an I/O error, retried as transient), a tunnel it refuses (407,
 * 403, ...) a {@link ProxyRefused}, each naming the proxy and where its address came from.
 */
public final class ThreatConnectProxy {

    /** Reached directly. */
    public static final ThreatConnectProxy DIRECT = new ThreatConnectProxy(null, 0, null, null, "");

    /** Marks an execution that got past the proxy (the tunnel is open, or the request was handed to it). */
    private static final String PASSED = "tc.proxy.passed";

    /** The settings as the Kamelet passes them (empty: not set). */
    public record Settings(String host, String port, String user, String password, String nonProxyHosts) {

        public static final Settings NONE = new Settings("", "", "", "", "");

        public Settings {
            host = trim(host);
            port = trim(port);
            user = trim(user);
            password = password == null ? "" : password;
            nonProxyHosts = trim(nonProxyHosts);
        }

        boolean anySet() {
            return !host.isEmpty() || !port.isEmpty() || !user.isEmpty() || !password.isEmpty() || !nonProxyHosts.isEmpty();
        }

        @Override
        public String toString() {
            return "Settings[host=" + host + ", port=" + port + ", user=" + user + ", password=****, nonProxyHosts="
                    + nonProxyHosts + "]";
        }
    }

    /** A proxy setting that cannot work: which one, and what is wrong, never its secret. */
    public static final class InvalidSetting extends IllegalArgumentException {

        private static final long serialVersionUID = 1L;
        private final String setting;
        private final String problem;

        InvalidSetting(String setting, String problem) {
            super(setting + ": " + problem, null);
            this.setting = setting;
            this.problem = problem;
        }

        public String setting() {
            return setting;
        }

        public String problem() {
            return problem;
        }
    }

    static final String HOST = "proxyHost (tc.proxy.host)";
    static final String PORT = "proxyPort (tc.proxy.port)";
    static final String USER = "proxyUser (tc.proxy.user)";
    static final String PASSWORD = "proxyPassword (tc.proxy.password)";

    private final HttpHost proxy;
    private final String user;
    private final String password;
    /** Where the proxy's address came from: tc.proxy.host or the environment variable's name. */
    private final String source;

    private ThreatConnectProxy(String host, int port, String user, String password, String source) {
        this.proxy = host == null ? null : new HttpHost("http", host, port);
        this.user = user;
        this.password = password;
        this.source = source;
    }

    /**
     * The path to {@code endpoint}: the settings when any is set, else the environment.
     *
     * @throws InvalidSetting naming the setting (or variable) that is half set or malformed
     */
    public static ThreatConnectProxy forEndpoint(ApiEndpoint endpoint, Settings settings, Map<String, String> environment) {
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
            proxy = value.isEmpty() ? DIRECT : fromEnvironment(variable, value);
            nonProxyHosts = list(environment.getOrDefault("no_proxy", environment.getOrDefault("NO_PROXY", "")));
        }
        if (proxy.direct() || endpoint.onLoopback() || matches(endpoint.host(), nonProxyHosts)) {
            return DIRECT;
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

    private static String trim(String text) {
        return text == null ? "" : text.strip();
    }

    public boolean direct() {
        return proxy == null;
    }

    /**
     * Routes the requests of {@code client} this way (whatever proxy camel-http, Camel's global
     * options or the JVM's properties name), with the proxy's credentials for the proxy only and
     * its failures named as the proxy's.
     */
    public void configure(HttpClientBuilder client) {
        if (direct()) {
            client.setRoutePlanner(new DefaultRoutePlanner(DefaultSchemePortResolver.INSTANCE));
            return;
        }
        client.setRoutePlanner(new DefaultProxyRoutePlanner(proxy, DefaultSchemePortResolver.INSTANCE));
        // the proxy's credentials, scoped to the proxy's address, or none: never a provider a
        // host set on camel-http for its own proxy
        CredentialsProviderBuilder credentials = CredentialsProviderBuilder.create();
        if (user != null) {
            credentials.add(new AuthScope(proxy.getHostName(), proxy.getPort()), user, password.toCharArray());
        }
        CredentialsProvider provider = credentials.build();
        client.setDefaultCredentialsProvider(provider);
        client.addExecInterceptorAfter(ChainElement.CONNECT.name(), "tc-proxy-passed", (request, scope, chain) -> {
            scope.clientContext.setAttribute(PASSED, Boolean.TRUE);
            return chain.proceed(request, scope);
        });
        client.addExecInterceptorFirst("tc-proxy-failures", this::namingProxyFailures);
    }

    private ClassicHttpResponse namingProxyFailures(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        scope.clientContext.removeAttribute(PASSED);
        ClassicHttpResponse response;
        try {
            response = chain.proceed(request, scope);
        } catch (SSLException e) {
            // the TLS handshake is with ThreatConnect, through the tunnel
            throw e;
        } catch (IOException e) {
            if (passed(scope)) {
                throw e;
            }
            throw new ProxyUnavailable("cannot connect to the proxy " + this + ": " + reason(e)
                    + "; ThreatConnect was not reached");
        }
        int status = response.getCode();
        if (passed(scope) && status != HttpStatus.SC_PROXY_AUTHENTICATION_REQUIRED) {
            return response;
        }
        // the proxy's own answer: to the CONNECT, or a 407 (which only a proxy sends)
        String answer = "HTTP " + status + (response.getReasonPhrase() == null ? "" : " " + response.getReasonPhrase());
        response.close();
        String tunnel = "a tunnel to " + request.getAuthority();
        if (status == HttpStatus.SC_PROXY_AUTHENTICATION_REQUIRED) {
            throw new ProxyRefused("the proxy " + this + " refused " + tunnel + ": " + answer + " (" + (user == null
                    ? "it wants credentials: set tc.proxy.user and tc.proxy.password" : "check tc.proxy.user and tc.proxy.password")
                    + "); ThreatConnect was not reached");
        }
        if (status >= 500) {
            throw new ProxyUnavailable("the proxy " + this + " could not open " + tunnel + ": " + answer
                    + "; ThreatConnect was not reached");
        }
        throw new ProxyRefused("the proxy " + this + " refused " + tunnel + ": " + answer + "; ThreatConnect was not reached");
    }

    private static boolean passed(ExecChain.Scope scope) {
        return Boolean.TRUE.equals(scope.clientContext.getAttribute(PASSED));
    }

    /** The innermost message of the chain (HttpClient's own repeats the address), or the type. */
    private static String reason(Throwable failure) {
        String said = failure.getClass().getSimpleName();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                said = t.getMessage();
            }
        }
        return said.replaceAll("[\\r\\n]+", " ");
    }

    /** {@code host:port (source)}, or "no proxy"; never the credentials. */
    @Override
    public String toString() {
        if (direct()) {
            return "no proxy";
        }
        String host = proxy.getHostName().contains(":") ? "[" + proxy.getHostName() + "]" : proxy.getHostName();
        return host + ":" + proxy.getPort() + " (" + source + ")";
    }

    /** The proxy could not be reached or could not reach ThreatConnect: an I/O error, retried as transient. */
    public static final class ProxyUnavailable extends IOException {

        private static final long serialVersionUID = 1L;

        ProxyUnavailable(String message) {
            super(message);
        }
    }

    /** The proxy refused the tunnel (407, 403, ...): not retried, the operator has to act. */
    public static final class ProxyRefused extends RuntimeException {

        private static final long serialVersionUID = 1L;

        ProxyRefused(String message) {
            super(message, null, false, false);
        }
    }
}

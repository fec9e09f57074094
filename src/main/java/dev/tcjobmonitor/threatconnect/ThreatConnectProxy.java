package dev.tcjobmonitor.threatconnect;

import java.io.IOException;
import java.util.Map;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.CredentialsProvider;
import org.apache.hc.client5.http.impl.DefaultSchemePortResolver;
import org.apache.hc.client5.http.impl.auth.CredentialsProviderBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.routing.DefaultProxyRoutePlanner;
import org.apache.hc.client5.http.impl.routing.DefaultRoutePlanner;
import org.apache.hc.core5.http.HttpHost;

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

    private final HttpHost proxy;
    private final String user;
    private final String password;
    /** Where the proxy's address came from: tc.proxy.host or the environment variable's name. */
    private final String source;

    ThreatConnectProxy(String host, int port, String user, String password, String source) {
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
        return ProxyChoice.forEndpoint(endpoint, settings, environment);
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
        new ProxyFailures(this, user != null).installOn(client);
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

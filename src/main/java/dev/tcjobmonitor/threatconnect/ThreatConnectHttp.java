package dev.tcjobmonitor.threatconnect;

import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.function.Consumer;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.DefaultHostnameVerifier;
import org.apache.hc.core5.util.Timeout;

/**
 * How the requests the monitor makes itself (job names, the {@code --check} probe) reach
 * ThreatConnect: with the page requests' TLS trust and hostname check, through the same proxy
 * ({@link ThreatConnectProxy}), with no redirects (credentials never follow one), no retries and
 * no cookies. HttpClient 5, as the pages: the JDK's HttpClient cannot answer a proxy's Basic
 * challenge on a CONNECT unless the whole JVM allows it ({@code jdk.http.auth.tunneling.disabledSchemes}).
 *
 * @param tls       the trust of the page requests; null: the JVM's
 * @param hostnames the hostname check of the page requests; null: HttpClient's default
 * @param proxy     the path of the page requests
 */
public record ThreatConnectHttp(SSLContext tls, HostnameVerifier hostnames, ThreatConnectProxy proxy) {

    /** Connections a client keeps to ThreatConnect (job names are asked for this many at once). */
    public static final int MAX_CONNECTIONS = 16;

    /** The JVM's trust, the default hostname check, no proxy. */
    public static final ThreatConnectHttp DEFAULT = new ThreatConnectHttp(null, null, ThreatConnectProxy.DIRECT);

    /** A client whose connecting, and each wait for the answer, take at most {@code timeout}. */
    public CloseableHttpClient client(Duration timeout) {
        return client(timeout, timeout, builder -> {
        });
    }

    /**
     * A client that connects within {@code connect} and waits for each read at most {@code response},
     * as the page requests do, with {@code configure}'s additions (the page requests' signing and limits).
     */
    public CloseableHttpClient client(Duration connect, Duration response, Consumer<HttpClientBuilder> configure) {
        Timeout limit = Timeout.of(response);
        HttpClientBuilder builder = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setTlsSocketStrategy(new DefaultClientTlsStrategy(context(),
                                hostnames != null ? hostnames : new DefaultHostnameVerifier()))
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.of(connect))
                                .setSocketTimeout(limit).build())
                        .setMaxConnPerRoute(MAX_CONNECTIONS).setMaxConnTotal(MAX_CONNECTIONS)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(limit).setResponseTimeout(limit).build())
                .disableAutomaticRetries().disableRedirectHandling().disableCookieManagement();
        proxy.configure(builder);
        configure.accept(builder);
        return builder.build();
    }

    private SSLContext context() {
        if (tls != null) {
            return tls;
        }
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no default TLS context", e);
        }
    }

    @Override
    public String toString() {
        return "ThreatConnectHttp[" + proxy + "]";
    }
}

package dev.tcjobmonitor.threatconnect;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecRuntime;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * The HTTP client of the page requests, whatever the host's http component says. It signs every
 * request as it goes on the wire (the raw path and query exactly as sent, so every page and every
 * retried attempt carries a signature of its own, made at send time), and it has no retries of its
 * own (the monitor retries within its budget, and HttpClient's retry of a 429 can stall the
 * route, CAMEL-23345), no redirects (the signed Authorization must never follow one elsewhere)
 * and no cookies (every request is signed on its own).
 *
 * <p>A hostile or broken server cannot hold a poll or fill the heap: a page's body is read up to
 * {@code tc.max-page-bytes} ({@link #setMaxPageBytes}), and the whole request, from sending it to
 * the body's last byte, must end within {@code tc.page-deadline} ({@link #setPageDeadline}; the
 * response timeout bounds each read only, so a server trickling a byte at a time would otherwise
 * never time out). Past either limit the connection is dropped and the read fails with a
 * {@link PageLimitExceeded} naming the setting: an I/O error, so the attempt is retried as
 * transient. The deadline is checked when a read returns, so it can be overrun by at most one
 * response timeout.
 *
 * <p>The monitor hands over its signer once its settings are checked ({@link #signWith}); the
 * credentials stay inside the signer and never travel on an exchange. The proxy settings
 * ({@code tc.proxy.*}) are set here, as the Kamelet's parameters; the monitor resolves them
 * against its base URL at start ({@link #proxyFor}), and every request then takes that path
 * ({@link ThreatConnectProxy}), the job names and {@code --check} as well.
 */
public class ThreatConnectClient implements HttpClientConfigurer {

    /** {@code tc.max-page-bytes}'s default: 64 MiB, some 60,000 typical executions. */
    public static final long DEFAULT_MAX_PAGE_BYTES = 64L * 1024 * 1024;
    /** {@code tc.page-deadline}'s default. */
    public static final Duration DEFAULT_PAGE_DEADLINE = Duration.ofMinutes(5);

    private volatile RequestSigner signer;
    private volatile long maxPageBytes = DEFAULT_MAX_PAGE_BYTES;
    private volatile Duration pageDeadline = DEFAULT_PAGE_DEADLINE;
    private String proxyHost = "";
    private String proxyPort = "";
    private String proxyUser = "";
    private String proxyPassword = "";
    private String nonProxyHosts = "";
    private volatile ThreatConnectProxy proxy = ThreatConnectProxy.DIRECT;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration responseTimeout = Duration.ofSeconds(60);
    /** The next page of the poll, asked for early (see {@link ReadAhead}); null until the monitor starts. */
    private volatile ReadAhead readAhead;

    /** {@code tc.max-page-bytes}: the most bytes of a page's body read; a positive number. */
    public void setMaxPageBytes(String bytes) {
        long value;
        try {
            value = Long.parseLong(bytes.strip());
        } catch (NumberFormatException e) {
            value = 0;
        }
        if (value < 1) {
            throw new IllegalArgumentException("tc.max-page-bytes must be a positive number of bytes, not '" + bytes + "'");
        }
        maxPageBytes = value;
    }

    /** {@code tc.page-deadline}: how long one page request may take in all; a positive ISO-8601 duration. */
    public void setPageDeadline(String deadline) {
        Duration value;
        try {
            value = Duration.parse(deadline.strip());
        } catch (DateTimeParseException e) {
            value = Duration.ZERO;
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("tc.page-deadline must be a positive ISO-8601 duration such as PT5M, not '"
                    + deadline + "'");
        }
        pageDeadline = value;
    }

    /** {@code tc.proxy.host}: the forward proxy's host name; empty: none, or the environment's HTTPS_PROXY. */
    public void setProxyHost(String proxyHost) {
        this.proxyHost = proxyHost;
    }

    /** {@code tc.proxy.port}. */
    public void setProxyPort(String proxyPort) {
        this.proxyPort = proxyPort;
    }

    /** {@code tc.proxy.user}: when the proxy wants credentials (Basic), with {@link #setProxyPassword}. */
    public void setProxyUser(String proxyUser) {
        this.proxyUser = proxyUser;
    }

    /** {@code tc.proxy.password}: a secret; sent to the proxy only, never to ThreatConnect. */
    public void setProxyPassword(String proxyPassword) {
        this.proxyPassword = proxyPassword;
    }

    /** {@code tc.proxy.non-proxy-hosts}: hosts reached directly (comma-separated; {@code .example.org} for a domain). */
    public void setNonProxyHosts(String nonProxyHosts) {
        this.nonProxyHosts = nonProxyHosts;
    }

    /**
     * Resolves the proxy settings (or the environment's, when none is set) for {@code endpoint},
     * and sends the page requests that way from now on.
     *
     * @throws ThreatConnectProxy.InvalidSetting naming a setting that is half set or malformed
     */
    public ThreatConnectProxy proxyFor(ApiEndpoint endpoint) {
        ThreatConnectProxy resolved = ThreatConnectProxy.forEndpoint(endpoint,
                new ThreatConnectProxy.Settings(proxyHost, proxyPort, proxyUser, proxyPassword, nonProxyHosts), System.getenv());
        proxy = resolved;
        return resolved;
    }

    /** Milliseconds to wait for a connection (the Kamelet's connectTimeout, as its page requests). */
    public void setConnectTimeout(String millis) {
        this.connectTimeout = Duration.ofMillis(Long.parseLong(millis.strip()));
    }

    /** Milliseconds to wait for each read of a page (the Kamelet's responseTimeout, as its page requests). */
    public void setResponseTimeout(String millis) {
        this.responseTimeout = Duration.ofMillis(Long.parseLong(millis.strip()));
    }

    /**
     * From now on, the poll may ask for its next page early ({@link #readAhead}) through {@code path}
     * (the page requests' TLS and proxy), signed and limited as the page requests.
     */
    public void readAheadThrough(ThreatConnectHttp path, String monitor) {
        // the route waits for a page read ahead no longer than its own request could take
        Duration longest = pageDeadline.plus(connectTimeout).plus(responseTimeout).plus(Duration.ofSeconds(1));
        readAhead = new ReadAhead(() -> path.client(connectTimeout, responseTimeout, builder -> configure(builder, false)),
                longest, monitor);
    }

    /** Asks for the poll's next page now, while the page before it is delivered (no-op before the monitor started). */
    public void readAhead(java.net.URI next) {
        ReadAhead current = readAhead;
        if (current != null) {
            current.ask(next);
        }
    }

    /** Forgets a page read ahead: a poll starts, and takes nothing a poll before it read. */
    public void dropReadAhead() {
        ReadAhead current = readAhead;
        if (current != null) {
            current.drop();
        }
    }

    /** Stops reading ahead: the monitor stops. */
    public void close() throws IOException {
        ReadAhead current = readAhead;
        readAhead = null;
        if (current != null) {
            current.close();
        }
    }

    /** Signs the requests from now on with {@code signer} (HMAC or API token). */
    public void signWith(RequestSigner signer) {
        this.signer = Objects.requireNonNull(signer, "signer");
    }

    @Override
    public void configureHttpClient(HttpClientBuilder client) {
        configure(client, true);
    }

    /** @param route true: the route's client, whose request for a page read ahead gets that page's answer */
    private void configure(HttpClientBuilder client, boolean route) {
        if (route) {
            // this monitor's path to ThreatConnect, whatever proxy camel-http or the JVM name (the
            // read-ahead's client has it from ThreatConnectHttp already). First, so that the limits'
            // interceptor below is outside the proxy's: a page read ahead is answered there, before
            // any tunnel, and must not look to the proxy's failure naming like a tunnel refused
            proxy.configure(client);
        }
        client.disableAutomaticRetries().disableRedirectHandling().disableCookieManagement()
                // last: after every header of the exchange is set, right before the request is sent
                .addRequestInterceptorLast(this::sign)
                // first: the body as the caller reads it (after any decompression)
                .addExecInterceptorFirst("tc-page-limits", (request, scope, chain) -> limited(request, scope, chain, route));
    }

    private ClassicHttpResponse limited(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain, boolean route)
            throws IOException, HttpException {
        ReadAhead ahead = route ? readAhead : null;
        ClassicHttpResponse early = ahead == null ? null : ahead.answerTo(request);
        if (early != null) {
            // read (and limited) already, by the request read ahead
            return early;
        }
        Limits limits = new Limits(maxPageBytes, pageDeadline, System.nanoTime() + pageDeadline.toNanos(), scope.execRuntime);
        ClassicHttpResponse response = chain.proceed(request, scope);
        try {
            limits.check(0);
        } catch (PageLimitExceeded e) {
            response.close();
            throw e;
        }
        HttpEntity entity = response.getEntity();
        if (entity != null) {
            response.setEntity(new HttpEntityWrapper(entity) {
                @Override
                public InputStream getContent() throws IOException {
                    return new LimitedStream(super.getContent(), limits);
                }

                @Override
                public boolean isRepeatable() {
                    return false;
                }
            });
        }
        return response;
    }

    /** The limits of one request, and what it has read so far. */
    private static final class Limits {
        private final long maxBytes;
        private final Duration deadline;
        private final long deadlineNanos;
        private final ExecRuntime connection;
        private long read;
        private boolean exceeded;

        Limits(long maxBytes, Duration deadline, long deadlineNanos, ExecRuntime connection) {
            this.maxBytes = maxBytes;
            this.deadline = deadline;
            this.deadlineNanos = deadlineNanos;
            this.connection = connection;
        }

        void check(long more) throws PageLimitExceeded {
            read += more;
            String breach = null;
            if (read > maxBytes) {
                breach = "ThreatConnect's answer is larger than tc.max-page-bytes (" + maxBytes
                        + " bytes): reading stopped (raise tc.max-page-bytes or lower monitor.page-size)";
            } else if (System.nanoTime() - deadlineNanos > 0) {
                breach = "ThreatConnect's answer took longer than tc.page-deadline (" + deadline + "): reading stopped after "
                        + read + " bytes of the body (raise tc.page-deadline or lower monitor.page-size)";
            }
            if (breach != null) {
                exceeded = true;
                // drop the connection: closing the body normally would read the rest of it first
                connection.discardEndpoint();
                throw new PageLimitExceeded(breach);
            }
        }
    }

    /** The body, counted and timed at every read. */
    private static final class LimitedStream extends FilterInputStream {
        private final Limits limits;

        LimitedStream(InputStream body, Limits limits) {
            super(body);
            this.limits = limits;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            limits.check(b < 0 ? 0 : 1);
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            limits.check(Math.max(n, 0));
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            limits.check(Math.max(skipped, 0));
            return skipped;
        }

        @Override
        public void close() throws IOException {
            if (!limits.exceeded) {
                super.close();
            }
        }
    }

    private void sign(HttpRequest request, EntityDetails entity, HttpContext context) throws HttpException {
        RequestSigner current = signer;
        if (current == null) {
            // never send a request unsigned: it would only earn a 401
            throw new HttpException("no ThreatConnect credentials to sign the request with (the monitor did not start)");
        }
        // getPath(): the raw path and raw query as on the request line
        current.sign(request.getMethod(), request.getPath()).forEach(request::setHeader);
    }

    @Override
    public String toString() {
        return "ThreatConnectClient[" + signer + ", " + proxy + "]";
    }
}

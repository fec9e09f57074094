package dev.tcjobmonitor.threatconnect;

import java.util.Objects;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * The HTTP client of the page requests, whatever the host's http component says. It signs every
 * request as it goes on the wire (the raw path and query exactly as sent, so every page and every
 * retried attempt carries a signature of its own, made at send time), and it has no retries of its
 * own (the monitor retries within its budget, and HttpClient's retry of a 429 can stall the
 * route, CAMEL-23345), no redirects (the signed Authorization must never follow one elsewhere)
 * and no cookies (every request is signed on its own).
 *
 * <p>The monitor hands over its signer once its settings are checked ({@link #signWith}); the
 * credentials stay inside the signer and never travel on an exchange.
 */
public class ThreatConnectClient implements HttpClientConfigurer {

    private volatile RequestSigner signer;

    /** Signs the requests from now on with {@code signer} (HMAC or API token). */
    public void signWith(RequestSigner signer) {
        this.signer = Objects.requireNonNull(signer, "signer");
    }

    @Override
    public void configureHttpClient(HttpClientBuilder client) {
        client.disableAutomaticRetries().disableRedirectHandling().disableCookieManagement()
                // last: after every header of the exchange is set, right before the request is sent
                .addRequestInterceptorLast(this::sign);
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
        return "ThreatConnectClient[" + signer + "]";
    }
}

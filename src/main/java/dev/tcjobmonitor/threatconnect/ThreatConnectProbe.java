package dev.tcjobmonitor.threatconnect;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * One signed request for one execution, as {@code --check} makes it: proves the base URL, the
 * TLS trust, the proxy, the credentials and the query are all accepted, without a poll. It takes
 * the page requests' path ({@link ThreatConnectHttp}).
 */
public final class ThreatConnectProbe {

    private ThreatConnectProbe() {
    }

    /**
     * @return a short description of what answered
     * @throws ThreatConnectException saying what went wrong (the proxy, when it was the proxy)
     */
    public static String probe(ApiEndpoint endpoint, RequestSigner signer, String tql, ThreatConnectHttp route, Duration timeout) {
        URI uri = endpoint.executionsUrl(tql, 1);
        HttpGet request = new HttpGet(uri);
        request.setHeader("Accept", "application/json");
        signer.sign("GET", ApiEndpoint.pathAndQuery(uri)).forEach(request::setHeader);
        try (CloseableHttpClient client = route.client(timeout)) {
            return client.execute(request, response -> {
                Header retryAfter = response.getFirstHeader("Retry-After");
                byte[] body = response.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(response.getEntity());
                ExecutionPage page = new ExecutionPageReader().read(response.getCode(),
                        retryAfter == null ? null : retryAfter.getValue(), new ByteArrayInputStream(body));
                return endpoint + " answered HTTP " + response.getCode() + " with " + page.executions().size()
                        + " execution(s) on a one-result page";
            });
        } catch (ThreatConnectProxy.ProxyUnavailable | ThreatConnectProxy.ProxyRefused e) {
            // the proxy's failure, said as the proxy's: ThreatConnect was not reached
            throw new ThreatConnectException(e.getMessage());
        } catch (IOException e) {
            throw new ThreatConnectException("cannot reach " + endpoint + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }
}

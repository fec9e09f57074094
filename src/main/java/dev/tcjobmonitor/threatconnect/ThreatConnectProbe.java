package dev.tcjobmonitor.threatconnect;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * One signed request for one execution, as {@code --check} makes it: proves the base URL, the
 * TLS trust, the credentials and the query are all accepted, without a poll.
 */
public final class ThreatConnectProbe {

    private ThreatConnectProbe() {
    }

    /**
     * @return a short description of what answered
     * @throws ThreatConnectException saying what went wrong
     */
    public static String probe(ApiEndpoint endpoint, RequestSigner signer, String tql, SSLContext tls, Duration timeout) {
        URI uri = endpoint.executionsUrl(tql, 1);
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) {
            client.sslContext(tls);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET();
        signer.sign("GET", ApiEndpoint.pathAndQuery(uri)).forEach(request::header);
        try {
            HttpResponse<byte[]> response = client.build().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            ExecutionPage page = new ExecutionPageReader().read(response.statusCode(),
                    response.headers().firstValue("Retry-After").orElse(null), new java.io.ByteArrayInputStream(response.body()));
            return endpoint + " answered HTTP " + response.statusCode() + " with " + page.executions().size()
                    + " execution(s) on a one-result page";
        } catch (IOException e) {
            throw new ThreatConnectException("cannot reach " + endpoint + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ThreatConnectException("interrupted while reaching " + endpoint);
        }
    }
}

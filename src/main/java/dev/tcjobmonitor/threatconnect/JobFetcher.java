package dev.tcjobmonitor.threatconnect;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;

/**
 * Asks one ThreatConnect instance for one job, {@code GET /v3/jobs/{id}}, signed, on the page
 * requests' path (their TLS trust and proxy), the whole answer within the timeout. Credentials go
 * to {@code tc.base-url} only: the client follows no redirect.
 */
final class JobFetcher implements AutoCloseable {

    private final ApiEndpoint endpoint;
    private final RequestSigner signer;
    private final Duration timeout;
    private final ThreatConnectHttp route;
    private CloseableHttpClient http;

    /** @param timeout bounds connecting, and separately the whole request and answer */
    JobFetcher(ApiEndpoint endpoint, RequestSigner signer, Duration timeout, ThreatConnectHttp route) {
        this.endpoint = endpoint;
        this.signer = signer;
        this.timeout = timeout;
        this.route = route;
    }

    /**
     * Built at the first lookup: building a client sets up TLS (reads the trust store), time a
     * start need not spend (issue #7), and only the email sink ever asks for a name.
     */
    private synchronized CloseableHttpClient http() {
        if (http == null) {
            http = route.client(timeout);
        }
        return http;
    }

    /** Closes the connections kept for lookups; a request in flight ends as failed. */
    @Override
    public synchronized void close() {
        if (http != null) {
            http.close(CloseMode.IMMEDIATE);
        }
    }

    /**
     * The instance's answer about job {@code jobId}.
     *
     * @throws TimeoutException when the whole answer is not there within the timeout
     */
    JobAnswer fetch(long jobId) throws IOException, TimeoutException {
        URI uri = endpoint.jobUrl(jobId);
        HttpGet request = new HttpGet(uri);
        request.setHeader("Accept", "application/json");
        signer.sign("GET", ApiEndpoint.pathAndQuery(uri)).forEach(request::setHeader);
        return send(request);
    }

    /**
     * Sends and waits at most the timeout for the whole answer: the client's own timeouts bound
     * each wait, so a body that trickles in would otherwise hold the caller; at the deadline the
     * request is cancelled, which drops its connection.
     */
    private JobAnswer send(HttpGet request) throws IOException, TimeoutException {
        CompletableFuture<Void> deadline = new CompletableFuture<>();
        deadline.completeOnTimeout(null, timeout.toNanos(), TimeUnit.NANOSECONDS).thenRun(request::cancel);
        try {
            return http().execute(request, response -> new JobAnswer(response.getCode(),
                    response.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(response.getEntity())));
        } catch (IOException e) {
            if (request.isCancelled()) {
                throw new TimeoutException();
            }
            throw e;
        } finally {
            deadline.cancel(false);
        }
    }
}

package dev.tcjobmonitor.threatconnect;

import dev.tcjobmonitor.alert.FailedExecution;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * A query of {@code /v3/job/executions} the monitor makes itself, outside the poll's route (the
 * recovery check: the completed executions of the jobs failing now): every page signed as it is
 * sent, {@code next} followed on the same instance only, never the same page twice, at most
 * {@code maxPages} pages. Not retried: a query that fails is asked again by the next poll. It takes
 * the page requests' path to ThreatConnect ({@link ThreatConnectHttp}).
 */
public final class ExecutionQuery implements AutoCloseable {

    private final ApiEndpoint endpoint;
    private final RequestSigner signer;
    private final ThreatConnectHttp route;
    private final Duration timeout;
    private final ExecutionPageReader reader = new ExecutionPageReader();
    private CloseableHttpClient http;

    public ExecutionQuery(ApiEndpoint endpoint, RequestSigner signer, ThreatConnectHttp route, Duration timeout) {
        this.endpoint = endpoint;
        this.signer = signer;
        this.route = route;
        this.timeout = timeout;
    }

    /**
     * Every execution that matches {@code tql}, over all its pages.
     *
     * @throws ThreatConnectException why not, in one line that names the instance by its base URL only
     */
    public List<FailedExecution> all(String tql, int pageSize, int maxPages) {
        List<FailedExecution> executions = new ArrayList<>();
        Set<String> asked = new HashSet<>();
        URI page = endpoint.executionsUrl(tql, pageSize);
        for (int pages = 1; page != null; pages++) {
            if (!asked.add(ApiEndpoint.pathAndQuery(page))) {
                throw new ThreatConnectException("the next link of page " + (pages - 1)
                        + " asks again for a page this query already read: ThreatConnect's paging goes round in a circle");
            }
            if (pages > maxPages) {
                throw new ThreatConnectException("ThreatConnect has more than " + maxPages + " pages for this query");
            }
            ExecutionPage read = read(page);
            executions.addAll(read.executions());
            page = read.next().map(endpoint::sameOrigin).orElse(null);
        }
        return executions;
    }

    private ExecutionPage read(URI uri) {
        HttpGet request = new HttpGet(uri);
        request.setHeader("Accept", "application/json");
        signer.sign("GET", ApiEndpoint.pathAndQuery(uri)).forEach(request::setHeader);
        try {
            return http().execute(request, response -> {
                Header retryAfter = response.getFirstHeader("Retry-After");
                byte[] body = response.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(response.getEntity());
                return reader.read(response.getCode(), retryAfter == null ? null : retryAfter.getValue(),
                        new ByteArrayInputStream(body));
            });
        } catch (ThreatConnectProxy.ProxyUnavailable | ThreatConnectProxy.ProxyRefused e) {
            throw new ThreatConnectException(e.getMessage());
        } catch (IOException e) {
            throw new ThreatConnectException("cannot reach " + endpoint + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + ExecutionPageReader.excerpt(e.getMessage())));
        }
    }

    private synchronized CloseableHttpClient http() {
        if (http == null) {
            http = route.client(timeout);
        }
        return http;
    }

    @Override
    public synchronized void close() {
        if (http != null) {
            http.close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
            http = null;
        }
    }
}

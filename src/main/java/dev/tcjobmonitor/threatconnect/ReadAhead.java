package dev.tcjobmonitor.threatconnect;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;

/**
 * The next page of a poll, asked for while the route still delivers the page before it. A page's
 * {@code next} link is in the page, so without this a backfill would wait for ThreatConnect to
 * prepare each page only after it had delivered the one before: with pages of 10,000, ThreatConnect's
 * time and the monitor's add up page after page instead of overlapping.
 *
 * <p>At most one page ahead, one request at a time (the route's own request for that page waits for
 * this one instead of being sent): ThreatConnect sees the same requests in the same order, only
 * earlier. The route's next request, if it is for that page, gets exactly what ThreatConnect
 * answered (status, headers and body, or the I/O failure, the page limits' included) as if it had
 * sent it then, and Camel's error handling goes on from there as usual; any other request, and the
 * start of a poll, drops it. It goes out signed when sent, through the page requests' path (TLS,
 * proxy, timeouts, limits: the {@link ThreatConnectClient} configures its client too).
 */
final class ReadAhead implements AutoCloseable {

    /** What ThreatConnect answered to the request read ahead. */
    private record Answer(int code, String reason, Header[] headers, byte[] body) {

        ClassicHttpResponse response() {
            BasicClassicHttpResponse response = new BasicClassicHttpResponse(code, reason);
            response.setHeaders(headers);
            Header type = response.getFirstHeader(HttpHeaders.CONTENT_TYPE);
            response.setEntity(new ByteArrayEntity(body, type == null ? null : ContentType.parseLenient(type.getValue())));
            return response;
        }
    }

    private record Pending(URI uri, HttpGet request, Future<Answer> answer) {

        /**
         * Gives the request up: not sent if it waits for the worker, and on the wire if it is out
         * (interrupting the worker does not stop a blocking read; cancelling the request closes its
         * connection), so that nothing dropped still talks to ThreatConnect or holds up the next.
         */
        void cancel() {
            answer.cancel(true);
            request.cancel();
        }
    }

    private final Supplier<CloseableHttpClient> clients;
    private final Duration longestWait;
    /** One thread at most, and none while no poll reads ahead (a daemon of 100 idle monitors keeps none). */
    private final ThreadPoolExecutor worker;
    private CloseableHttpClient http;
    private Pending pending;

    /**
     * @param clients     builds the client of the requests read ahead (once, at the first of them)
     * @param longestWait how long the route waits at most for an answer that should have come by
     *                    then (the page deadline and the timeouts): it then sends its own request
     * @param monitor     names the worker thread
     */
    ReadAhead(Supplier<CloseableHttpClient> clients, Duration longestWait, String monitor) {
        this.clients = clients;
        this.longestWait = longestWait;
        this.worker = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread thread = new Thread(task, "tc-read-ahead-" + monitor);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Asks for {@code uri} now, for the route's next request; drops what was read ahead before. */
    synchronized void ask(URI uri) {
        drop();
        if (worker.isShutdown()) {
            // closed (the monitor stopped) while its poll still read a page: the route asks itself
            return;
        }
        HttpGet request = new HttpGet(uri);
        // as the route asks for a page (the Kamelet's Accept header)
        request.setHeader(HttpHeaders.ACCEPT, "application/json");
        pending = new Pending(uri, request, worker.submit(() -> client().execute(request,
                response -> new Answer(response.getCode(), response.getReasonPhrase(), response.getHeaders(),
                        response.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(response.getEntity())))));
    }

    /**
     * ThreatConnect's answer to {@code request} when it was read ahead, or null when it was not (the
     * request then goes out itself).
     *
     * @throws IOException the failure of the request read ahead, as the route's request would have met it
     */
    ClassicHttpResponse answerTo(ClassicHttpRequest request) throws IOException {
        Pending taken;
        synchronized (this) {
            taken = pending;
            pending = null;
        }
        if (taken == null) {
            return null;
        }
        if (!isFor(taken.uri(), request)) {
            taken.cancel();
            return null;
        }
        try {
            return taken.answer().get(longestWait.toMillis(), TimeUnit.MILLISECONDS).response();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException failure) {
                throw failure;
            }
            // not what a request meets on the wire: the route asks itself
            return null;
        } catch (TimeoutException | CancellationException e) {
            taken.cancel();
            return null;
        } catch (InterruptedException e) {
            taken.cancel();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the page read ahead");
        }
    }

    /** Drops what was read ahead (a poll starts, or ends without asking for it). */
    synchronized void drop() {
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
    }

    private static boolean isFor(URI uri, ClassicHttpRequest request) {
        try {
            URI asked = request.getUri();
            return "GET".equals(request.getMethod()) && ApiEndpoint.pathAndQuery(uri).equals(request.getPath())
                    && uri.getScheme().equalsIgnoreCase(asked.getScheme())
                    && uri.getRawAuthority().equalsIgnoreCase(asked.getRawAuthority());
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    private synchronized CloseableHttpClient client() {
        if (http == null) {
            http = clients.get();
        }
        return http;
    }

    @Override
    public synchronized void close() throws IOException {
        drop();
        worker.shutdownNow();
        if (http != null) {
            http.close();
            http = null;
        }
    }
}

package dev.tcjobmonitor.threatconnect;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The display names of a ThreatConnect instance's jobs, for alerts that people read. A name is
 * decoration: when it cannot be had, {@code "Job <id>"} stands in, so a lookup never fails an alert
 * and never holds it up for longer than the timeout; the names a digest needs are asked for
 * together, under that one timeout ({@link #namesOf}).
 *
 * <p>Names are kept for good once found (a job's id never changes owner). A failed lookup is kept
 * for a short while, so that an instance that is down costs one request per job per period rather
 * than one per alert. Concurrent lookups of the same job share one request.
 *
 * <p>Lookups take the page requests' path to ThreatConnect: their TLS trust and their proxy
 * ({@link ThreatConnectHttp}).
 */
public final class JobDirectory implements AutoCloseable {

    /** How long a failed lookup answers for itself before the job is asked for again. */
    public static final Duration DEFAULT_FAILURE_PERIOD = Duration.ofMinutes(5);
    /** Lookups in flight at once, to one instance: as many as the client keeps connections. */
    public static final int MAX_LOOKUPS_IN_FLIGHT = ThreatConnectHttp.MAX_CONNECTIONS;

    private static final Logger LOG = LoggerFactory.getLogger(JobDirectory.class);
    private static final String ID_TEXT = "[0-9]{1,18}";

    private final ApiEndpoint endpoint;
    private final RequestSigner signer;
    private final Duration timeout;
    private final Duration failurePeriod;
    private final Clock clock;
    private final ThreatConnectHttp route;
    private CloseableHttpClient http;
    /** Runs the lookups in flight (the client's calls block); daemon threads, none kept when idle. */
    private final ExecutorService lookupThreads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "tc-job-names");
        thread.setDaemon(true);
        return thread;
    });
    private final ConcurrentMap<Long, CompletableFuture<Lookup>> lookups = new ConcurrentHashMap<>();
    /** The lookups in flight: a digest of a thousand jobs does not open a thousand connections at once. */
    private final Semaphore inFlight = new Semaphore(MAX_LOOKUPS_IN_FLIGHT);

    public JobDirectory(ApiEndpoint endpoint, RequestSigner signer, Duration timeout, Clock clock) {
        this(endpoint, signer, timeout, DEFAULT_FAILURE_PERIOD, clock);
    }

    /**
     * @param timeout       bounds connecting, and separately the whole request and answer
     * @param failurePeriod how long a failed lookup is remembered
     * @param clock         decides when a remembered failure has expired
     */
    public JobDirectory(ApiEndpoint endpoint, RequestSigner signer, Duration timeout, Duration failurePeriod, Clock clock) {
        this(endpoint, signer, timeout, failurePeriod, clock, ThreatConnectHttp.DEFAULT);
    }

    /** @param route the TLS trust and proxy of the page requests, so lookups go where they go, trusting what they trust */
    public JobDirectory(ApiEndpoint endpoint, RequestSigner signer, Duration timeout, Duration failurePeriod, Clock clock,
                        ThreatConnectHttp route) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the job lookup timeout must be positive, not " + timeout);
        }
        this.endpoint = endpoint;
        this.signer = signer;
        this.timeout = timeout;
        this.failurePeriod = failurePeriod;
        this.clock = clock;
        // credentials go to tc.base-url only: the client follows no redirect
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

    /** Closes the connections kept for lookups; lookups still in flight end as failed. */
    @Override
    public synchronized void close() {
        lookupThreads.shutdownNow();
        if (http != null) {
            http.close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
        }
    }

    /**
     * The names of these jobs (ids as they arrived, as text), keyed as given: every lookup that is
     * needed starts at once ({@link #MAX_LOOKUPS_IN_FLIGHT} at a time), and all of them together
     * are waited for at most the timeout. A name not there by then is shown as {@code "Job <id>"};
     * its lookup goes on and is kept for the next caller. Never throws.
     */
    public Map<String, String> namesOf(Collection<String> jobIdTexts) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> names = new LinkedHashMap<>();
        Map<String, CompletableFuture<Lookup>> asked = new LinkedHashMap<>();
        for (String text : jobIdTexts) {
            if (text == null || names.containsKey(text) || asked.containsKey(text)) {
                continue;
            }
            String id = text.strip();
            if (!id.matches(ID_TEXT)) {
                names.put(text, fallback(text));
                continue;
            }
            long jobId = Long.parseLong(id);
            CompletableFuture<Lookup> lookup = lookup(jobId, deadline);
            if (lookup == null) {
                // no lookup could start before the deadline: not asked, so not remembered either
                names.put(text, fallback(Long.toString(jobId)));
            } else {
                asked.put(text, lookup);
            }
        }
        asked.forEach((text, lookup) -> names.put(text, await(lookup, deadline).map(Lookup::name)
                .orElseGet(() -> fallback(Long.toString(Long.parseLong(text.strip()))))));
        return names;
    }

    /** The job's name for an id that arrived as text; text that is not an id is shown as it is. */
    public String nameOf(String jobIdText) {
        if (jobIdText == null) {
            return "Job (unknown)";
        }
        return namesOf(List.of(jobIdText)).get(jobIdText);
    }

    /** The job's display name, else its name, else {@code "Job <id>"}. Never throws. */
    public String nameOf(long jobId) {
        return nameOf(Long.toString(jobId));
    }

    /**
     * The job's lookup: the one kept (a name, a failure not yet expired, or one still in flight,
     * which callers share), or a new one, started when one of the lookups in flight is free before
     * {@code deadline}; null when none was.
     */
    private CompletableFuture<Lookup> lookup(long jobId, long deadline) {
        while (true) {
            CompletableFuture<Lookup> known = lookups.get(jobId);
            if (known != null) {
                if (!known.isDone() || !known.join().expiredAt(clock.instant())) {
                    return known;
                }
                lookups.remove(jobId, known);
                continue;
            }
            if (!startBefore(deadline)) {
                return null;
            }
            CompletableFuture<Lookup> mine = new CompletableFuture<>();
            if (lookups.putIfAbsent(jobId, mine) != null) {
                inFlight.release();
                continue;
            }
            lookUp(jobId).whenComplete((lookup, error) -> {
                inFlight.release();
                // whatever happened, callers waiting on this lookup must be released
                mine.complete(lookup != null ? lookup : failed(jobId, "the lookup ended abruptly", Duration.ZERO));
            });
            return mine;
        }
    }

    /** Takes one of the lookups in flight, waiting for one to end until {@code deadline} at most. */
    private boolean startBefore(long deadline) {
        try {
            return inFlight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The lookup's outcome if it is there by {@code deadline}. */
    private static Optional<Lookup> await(CompletableFuture<Lookup> lookup, long deadline) {
        try {
            return Optional.of(lookup.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            // the caller gives up waiting; the lookup goes on and is kept for the next caller
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty();
        }
    }

    /**
     * Asks ThreatConnect for the job on a lookup thread, without waiting: the outcome comes within
     * the timeout, the whole answer included. Never completes exceptionally.
     */
    private CompletableFuture<Lookup> lookUp(long jobId) {
        try {
            return CompletableFuture.supplyAsync(() -> lookUpNow(jobId), lookupThreads);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            return CompletableFuture.completedFuture(failed(jobId, "the directory is closed", Duration.ZERO));
        }
    }

    private Lookup lookUpNow(long jobId) {
        URI uri = endpoint.jobUrl(jobId);
        HttpGet request = new HttpGet(uri);
        request.setHeader("Accept", "application/json");
        Answer answer;
        try {
            signer.sign("GET", ApiEndpoint.pathAndQuery(uri)).forEach(request::setHeader);
            answer = send(request);
        } catch (TimeoutException e) {
            return failed(jobId, "no answer within " + timeout, failurePeriod);
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                // being interrupted says nothing about the instance: the next caller asks again
                return failed(jobId, "interrupted while waiting for the answer", Duration.ZERO);
            }
            return failed(jobId, describe(e), failurePeriod);
        }
        try {
            return found(name(jobId, answer));
        } catch (ThreatConnectException e) {
            return failed(jobId, e.getMessage(), failurePeriod);
        }
    }

    /** A status and a body. */
    private record Answer(int status, byte[] body) {
    }

    /**
     * Sends and waits at most the timeout for the whole answer: the client's own timeouts bound
     * each wait, so a body that trickles in would otherwise hold the caller; at the deadline the
     * request is cancelled, which drops its connection.
     */
    private Answer send(HttpGet request) throws IOException, TimeoutException {
        CompletableFuture<Void> deadline = new CompletableFuture<>();
        deadline.completeOnTimeout(null, timeout.toNanos(), TimeUnit.NANOSECONDS).thenRun(request::cancel);
        try {
            return http().execute(request, response -> new Answer(response.getCode(),
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

    private static String name(long jobId, Answer response) {
        int status = response.status();
        if (status < 200 || status > 299) {
            // a redirect, a refusal or a proxy's page: ThreatConnect's message when there is one
            String said = parse(response.body()).map(body -> ": " + message(body)).orElse("");
            throw new ThreatConnectException("HTTP " + status + said);
        }
        JsonNode body = parse(response.body())
                .orElseThrow(() -> new ThreatConnectException("HTTP " + status + " with a body that is not a JSON object"));
        JsonNode envelopeStatus = body.path("status");
        if (!envelopeStatus.isMissingNode() && !"Success".equals(envelopeStatus.asText())) {
            throw new ThreatConnectException("HTTP " + status + " with status " + ExecutionPageReader.excerpt(envelopeStatus.asText())
                    + ": " + message(body));
        }
        // ThreatConnect wraps the job in "data"; tolerate the fields at top level too
        JsonNode job = body.path("data").isObject() ? body.get("data") : body;
        JsonNode id = job.path("id");
        if ((id.isNumber() || id.isTextual()) && !id.asText().equals(Long.toString(jobId))) {
            throw new ThreatConnectException("the answer is about job " + ExecutionPageReader.excerpt(id.asText()));
        }
        return text(job.path("displayName"))
                .or(() -> text(job.path("name")))
                .orElseThrow(() -> new ThreatConnectException("the answer has neither displayName nor name"));
    }

    /** The body as a JSON object, or nothing when it is empty, not JSON, or not an object. */
    private static Optional<JsonNode> parse(byte[] body) {
        try {
            JsonNode node = ExecutionPageReader.JSON.readTree(body);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String message(JsonNode body) {
        return text(body.path("message")).map(ExecutionPageReader::excerpt).orElse("(no message)");
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText().strip()) : Optional.empty();
    }

    /** The exception and the first message in its chain (the client's own often has none). */
    private static String describe(Exception e) {
        Throwable said = e;
        while (said.getMessage() == null && said.getCause() != null) {
            said = said.getCause();
        }
        String message = said.getMessage() == null ? "" : ": " + ExecutionPageReader.excerpt(said.getMessage());
        return e.getClass().getSimpleName() + message;
    }

    private static Lookup found(String name) {
        return new Lookup(name, Instant.MAX);
    }

    private Lookup failed(long jobId, String reason, Duration remembered) {
        // the reason comes from the answer or the exception, never from the request's headers
        LOG.debug("No name for ThreatConnect job {} at {}; showing '{}' for {}: {}",
                jobId, endpoint, fallback(Long.toString(jobId)), remembered, reason);
        return new Lookup(fallback(Long.toString(jobId)), clock.instant().plus(remembered));
    }

    private static String fallback(String jobId) {
        return "Job " + jobId;
    }

    /** A lookup's outcome and the moment it stops being trusted. */
    private record Lookup(String name, Instant expires) {

        boolean expiredAt(Instant now) {
            return !now.isBefore(expires);
        }
    }
}

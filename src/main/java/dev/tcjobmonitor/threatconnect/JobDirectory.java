package dev.tcjobmonitor.threatconnect;

import java.io.IOException;
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
    private final Duration timeout;
    private final Duration failurePeriod;
    private final Clock clock;
    private final JobFetcher fetcher;
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
        this.timeout = timeout;
        this.failurePeriod = failurePeriod;
        this.clock = clock;
        this.fetcher = new JobFetcher(endpoint, signer, timeout, route);
    }

    /** Closes the connections kept for lookups; lookups still in flight end as failed. */
    @Override
    public synchronized void close() {
        lookupThreads.shutdownNow();
        fetcher.close();
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
        JobAnswer answer;
        try {
            answer = fetcher.fetch(jobId);
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
            return found(answer.name(jobId));
        } catch (ThreatConnectException e) {
            return failed(jobId, e.getMessage(), failurePeriod);
        }
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

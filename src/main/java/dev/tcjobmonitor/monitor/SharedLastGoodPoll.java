package dev.tcjobmonitor.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A monitor's last good poll as the nodes sharing its state know it (its watermark, in a cluster
 * read from the database), for health: read on a thread of its own and waited for at most
 * {@link #WAIT}. A database that does not answer makes the health check use the last value read,
 * at once, rather than hold it (and through {@link PollHistory}'s lock every monitor's poll)
 * until the connection's socket timeout; one read at a time per monitor.
 */
final class SharedLastGoodPoll {

    /** How long a health check or a poll's end waits for the read. */
    static final Duration WAIT = Duration.ofMillis(500);

    private static final Executor READERS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "tc-health-watermark-read");
        thread.setDaemon(true);
        return thread;
    });

    private final Supplier<Optional<Instant>> read;
    private Optional<Instant> lastRead = Optional.empty();
    private CompletableFuture<Optional<Instant>> reading;

    SharedLastGoodPoll(Supplier<Optional<Instant>> read) {
        this.read = read;
    }

    /** The read under way, or a new one when none is. */
    synchronized CompletableFuture<Optional<Instant>> read() {
        if (reading == null || reading.isDone()) {
            reading = CompletableFuture.supplyAsync(read, READERS);
            reading.thenAccept(this::remember);
        }
        return reading;
    }

    private synchronized void remember(Optional<Instant> value) {
        lastRead = value;
    }

    private synchronized Optional<Instant> lastRead() {
        return lastRead;
    }

    /** The read's value, waiting for it until {@code deadline} (System.nanoTime()) at most; else the last one read. */
    Optional<Instant> await(CompletableFuture<Optional<Instant>> read, long deadline) {
        try {
            return read.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return lastRead();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return lastRead();
        }
    }
}

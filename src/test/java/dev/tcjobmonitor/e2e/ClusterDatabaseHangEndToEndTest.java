package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.support.EmbeddedPostgresServer;
import dev.tcjobmonitor.support.SwallowingProxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster node whose PostgreSQL stops answering: the network swallows every packet (a proxy in
 * front of the real database), or a query gets no answer (another session holds the lock it
 * needs). The health check keeps answering at once, and a poll fails after the socket timeout
 * with one line, instead of both hanging until the operating system gives the connection up.
 */
class ClusterDatabaseHangEndToEndTest {

    /** Longer than the health check may take, so a health check that waited on the database would show. */
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(4);
    /** Far below SOCKET_TIMEOUT (and Hikari's 5 s validation): the health check must not wait on the database. */
    private static final Duration HEALTH_ANSWERS_WITHIN = Duration.ofSeconds(2);
    /** A bound for what must end after SOCKET_TIMEOUT; loose, the machine is busy. */
    private static final Duration ENDS_WITHIN = Duration.ofSeconds(40);

    @TempDir
    Path tempDir;
    private EmbeddedPostgresServer postgres;
    private SwallowingProxy proxy;
    private MonitorHarness harness;
    private Connection blocker;

    @BeforeEach
    void database() throws Exception {
        postgres = new EmbeddedPostgresServer(tempDir.resolve("pg")).start();
        proxy = new SwallowingProxy(postgres.port());
    }

    @AfterEach
    void stop() throws Exception {
        // the database answers again first, so that the node can stop: Quartz retries storing a
        // fire's completion until the database takes it, and its shutdown waits for that
        if (blocker != null) {
            blocker.close();
        }
        if (proxy != null) {
            proxy.forward();
        }
        if (harness != null) {
            harness.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private MonitorHarness clusterNode() throws Exception {
        harness = new MonitorHarness(tempDir.resolve("monitor"))
                .set("monitor.cluster.enabled", "true")
                .set("monitor.cluster.jdbc-url", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres")
                .set("monitor.cluster.user", postgres.user())
                .set("monitor.cluster.password", "")
                .set("monitor.cluster.connect-timeout-ms", String.valueOf(SOCKET_TIMEOUT.toMillis()))
                .set("monitor.cluster.socket-timeout-ms", String.valueOf(SOCKET_TIMEOUT.toMillis()))
                .start();
        return harness;
    }

    /** Another session takes {@code table} exclusively and keeps it until the test ends: queries on it get no answer. */
    private void lockTable(String table) throws Exception {
        blocker = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
        blocker.setAutoCommit(false);
        blocker.createStatement().execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
    }

    @Test
    void healthAnswersAtOnceWhileTheDatabaseSwallowsEveryPacket() throws Exception {
        MonitorHarness node = clusterNode();
        assertThat(node.poll().failure()).isEmpty();
        HealthCheck check = HealthCheckRegistry.get(node.context()).getCheck("tc-job-monitor").orElseThrow();

        proxy.swallow();

        // the first call starts a read of the shared watermark that cannot finish; neither it nor
        // the calls after it wait for that read
        for (int call = 0; call < 3; call++) {
            HealthCheck.Result result = assertTimeoutPreemptively(HEALTH_ANSWERS_WITHIN, (org.junit.jupiter.api.function.ThrowingSupplier<HealthCheck.Result>) check::call,
                    "the health check answered while the database swallows every packet");
            assertThat(result.getState()).as("the last good poll is recent").isEqualTo(HealthCheck.State.UP);
        }
    }

    @Test
    void aPollWhoseStateQueryGetsNoAnswerFailsAfterTheSocketTimeoutWithOneLine() throws Exception {
        MonitorHarness node = clusterNode();
        node.simulator.addFailed(1, Instant.now().minusSeconds(60), "one\n");
        assertThat(node.poll().failure()).isEmpty();
        lockTable("TC_MONITOR_WATERMARK");

        long started = System.nanoTime();
        Poll poll = endsWithin(CompletableFuture.supplyAsync(this::pollOnce));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(took).isGreaterThanOrEqualTo(SOCKET_TIMEOUT);
        // the poll's own clock (its "failed after N ms" line, its duration metric) counts the wait too
        assertThat(poll.elapsed()).isGreaterThanOrEqualTo(SOCKET_TIMEOUT);
        assertThat(poll.failure()).hasValueSatisfying(reason -> assertThat(reason)
                .doesNotContain("\n").contains("PostgreSQL").contains("timed out").contains("monitor.cluster.socket-timeout-ms"));
        HealthCheck check = HealthCheckRegistry.get(node.context()).getCheck("tc-job-monitor").orElseThrow();
        assertTimeoutPreemptively(HEALTH_ANSWERS_WITHIN, () -> check.call(), "the health check answered while the query hangs");
    }

    @Test
    void aPollThatQuartzsJobStoreCannotStartFailsAfterTheSocketTimeout() throws Exception {
        MonitorHarness node = clusterNode();
        assertThat(node.poll().failure()).isEmpty();
        lockTable("QRTZ_LOCKS");

        CompletableFuture<Poll> poll = CompletableFuture.supplyAsync(this::pollOnce);

        // Quartz cannot take its trigger lock: the fire is refused within the socket timeout
        ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> poll.get(ENDS_WITHIN.toMillis(), TimeUnit.MILLISECONDS));
        assertThat(refused.getCause()).hasMessageContaining("cannot start a poll");
    }

    private Poll pollOnce() {
        try {
            return harness.poll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static <T> T endsWithin(CompletableFuture<T> future) throws Exception {
        return future.get(ENDS_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
    }
}

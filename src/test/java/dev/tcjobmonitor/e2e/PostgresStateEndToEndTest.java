package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tcjobmonitor.MonitorTriggers;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.state.PollLock;
import dev.tcjobmonitor.state.SelectedStateStore;
import dev.tcjobmonitor.support.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One node in cluster mode: state and Quartz on a real PostgreSQL, which may restart. */
class PostgresStateEndToEndTest {

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private EmbeddedPostgresServer postgres;
    private MonitorHarness harness;

    @Test
    void stateLivesInPostgresAndSurvivesItsRestart() throws Exception {
        postgres = monitors.closeLast(new EmbeddedPostgresServer(monitors.tempDir().resolve("pg"))).start();
        harness = monitors.harness("monitor")
                .set("monitor.cluster.enabled", "true")
                .set("monitor.cluster.jdbc-url", postgres.jdbcUrl())
                .set("monitor.cluster.user", postgres.user())
                .set("monitor.cluster.password", "")
                .start();
        long first = harness.simulator.addFailed(1, Instant.now().minusSeconds(60), "one\n");

        Poll poll = harness.poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(harness.alertedIds()).containsExactly(first);
        assertThat(count("SELECT COUNT(*) FROM TC_MONITOR_DELIVERED WHERE SINK = 'file'")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM TC_MONITOR_WATERMARK")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE TRIGGER_GROUP = 'tc-job-monitor'")).isEqualTo(1);
        // no state in files: the local folder holds only this process's lock (README: one process per state folder)
        assertThat(harness.stateDir.resolve("default")).doesNotExist();

        postgres.stop();
        long whileDown = harness.simulator.addFailed(2, Instant.now().minusSeconds(5), "two\n");
        postgres.start();
        // connections broken by the restart are replaced; the polls after that succeed
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> harness.poll().failure().isEmpty());
        harness.poll();

        assertThat(harness.alertedIds()).containsExactly(first, whileDown);
    }

    @Test
    void aDaemonsPollIsSkippedWhileAnotherProcessPollsTheMonitor() throws Exception {
        postgres = monitors.closeLast(new EmbeddedPostgresServer(monitors.tempDir().resolve("pg"))).start();
        harness = monitors.harness("monitor")
                .set("monitor.cluster.enabled", "true")
                .set("monitor.cluster.jdbc-url", postgres.jdbcUrl())
                .set("monitor.cluster.user", postgres.user())
                .set("monitor.cluster.password", "")
                .start();
        long failure = harness.simulator.addFailed(1, Instant.now().minusSeconds(60), "one\n");
        // another process (a one-shot command on some node) polls the monitor: it holds its lock
        SelectedStateStore otherProcess = new SelectedStateStore();
        otherProcess.setClusterEnabled(true);
        otherProcess.setDirectory(monitors.tempDir().resolve("other-process").toString());
        otherProcess.setJdbcUrl(postgres.jdbcUrl());
        otherProcess.setUser(postgres.user());
        otherProcess.setPassword("");
        monitors.closeLast(otherProcess);
        PollLock othersPoll = otherProcess.pollLock("default");
        assertThat(othersPoll.tryTake()).isTrue();

        NotifyBuilder fired = new NotifyBuilder(harness.context()).fromRoute("tc-job-monitor-default-poll").whenDone(1).create();
        MonitorTriggers.pollNow(harness.context());

        assertThat(fired.matches(30, TimeUnit.SECONDS)).as("the fire is over").isTrue();
        assertThat(harness.simulator.requests()).as("requests to ThreatConnect by the skipped fire").isEmpty();
        assertThat(harness.alertedIds()).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM TC_MONITOR_WATERMARK")).isZero();

        othersPoll.close();
        Poll next = harness.poll();

        assertThat(next.failure()).isEmpty();
        assertThat(harness.alertedIds()).containsExactly(failure);
    }

    private long count(String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
             ResultSet rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}

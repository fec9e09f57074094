package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.support.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
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

    private long count(String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
             ResultSet rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}

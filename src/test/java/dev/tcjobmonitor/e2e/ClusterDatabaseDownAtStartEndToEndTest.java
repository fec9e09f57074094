package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tcjobmonitor.Application;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.support.EmbeddedPostgresServer;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A cluster node that starts while its PostgreSQL cannot be reached. It cannot start: camel-quartz
 * stores each monitor's trigger in the clustered job store as Camel starts the endpoint, before
 * any route starts (so Camel's supervising route controller cannot defer it). It stops with one
 * line naming the database, which Application turns into exit status 1, not 2 (a bad setting), so
 * that the systemd unit starts it again; started again once the database answers, it delivers
 * everything, the failures of the outage included (docs/operations.md, "Deployment: several nodes, one
 * PostgreSQL"). The packaged jar's exit statuses: ClusterDatabaseDownAtStartIT.
 */
class ClusterDatabaseDownAtStartEndToEndTest {

    /** Set, but the embedded server trusts every local login: it must appear nowhere all the same. */
    private static final String DB_PASSWORD = "Db-Secret-4-Tests";

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();

    @Test
    void aNodeStartedWhileTheDatabaseIsDownSaysWhereItIsAndDeliversEverythingOnceStartedAgain() throws Exception {
        // not started yet: nothing listens on its port
        EmbeddedPostgresServer postgres = monitors.closeLast(new EmbeddedPostgresServer(monitors.tempDir().resolve("pg")));
        MonitorHarness node = clusterNode("monitor", postgres.jdbcUrl(), postgres.user(), DB_PASSWORD);
        long beforeTheOutage = node.simulator.addFailed(1, Instant.now().minusSeconds(120), "before\n");

        Throwable cannotStart = catchThrowable(node::start);

        assertThat(cannotStart).as("the start while the database is down").isNotNull();
        assertThat(Application.clusterDatabaseUnreachable(node.context(), cannotStart)).hasValueSatisfying(line -> assertThat(line)
                .isEqualTo("the cluster's PostgreSQL at 127.0.0.1:" + postgres.port() + " cannot be reached (Connection refused)")
                .doesNotContain(DB_PASSWORD));
        long duringTheOutage = node.simulator.addFailed(2, Instant.now().minusSeconds(60), "during\n");

        postgres.start();
        // what the systemd unit does after exit status 1: the same node, started again
        node.restart();
        Poll poll = node.poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(node.alertedIds()).containsExactly(beforeTheOutage, duringTheOutage);
    }

    /**
     * A database that answers and refuses the node's settings is a bad setting, which no restart
     * mends: start-up stops as for any other (Application: exit status 2), not as for an outage.
     */
    @Test
    void aDatabaseThatRefusesTheLoginOrHasNoSuchDatabaseIsABadSettingNotAnOutage() throws Exception {
        EmbeddedPostgresServer postgres = monitors.closeLast(new EmbeddedPostgresServer(monitors.tempDir().resolve("pg"))).start();
        String jdbcUrl = postgres.passwordUser("tc_node", DB_PASSWORD);

        MonitorHarness wrongPassword = clusterNode("wrong-password", jdbcUrl, "tc_node", "not-" + DB_PASSWORD);
        MonitorHarness noSuchDatabase = clusterNode("no-such-database", jdbcUrl + "_missing", "tc_node", DB_PASSWORD);

        for (MonitorHarness node : java.util.List.of(wrongPassword, noSuchDatabase)) {
            Throwable cannotStart = catchThrowable(node::start);
            assertThat(cannotStart).as("the start").isNotNull();
            assertThat(Application.clusterDatabaseUnreachable(node.context(), cannotStart)).as(String.valueOf(cannotStart)).isEmpty();
        }
    }

    private MonitorHarness clusterNode(String folder, String jdbcUrl, String user, String password) {
        return monitors.harness(folder)
                .set("monitor.cluster.enabled", "true")
                .set("monitor.cluster.jdbc-url", jdbcUrl)
                .set("monitor.cluster.user", user)
                .set("monitor.cluster.password", password);
    }
}

package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcjobmonitor.monitor.Backfill;
import dev.tcjobmonitor.monitor.StateCommands;
import dev.tcjobmonitor.state.PollLock;
import dev.tcjobmonitor.state.SelectedStateStore;
import dev.tcjobmonitor.support.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * --rewind and --replay-dead-letter on a cluster node: the watermark and delivered ids are in the
 * shared PostgreSQL (the dead letters stay in the node's state folder). A command holds the
 * monitor's advisory lock while it works, as a poll does, so it is refused while another process
 * polls that monitor, and no node polls it while the command works.
 */
class ClusterStateCommandsEndToEndTest {

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private EmbeddedPostgresServer postgres;

    private MonitorHarness clusterNode(String... more) throws Exception {
        postgres = monitors.closeLast(new EmbeddedPostgresServer(monitors.tempDir().resolve("pg"))).start();
        MonitorHarness node = monitors.harness("monitor")
                .set("monitor.cluster.enabled", "true")
                .set("monitor.cluster.jdbc-url", postgres.jdbcUrl())
                .set("monitor.cluster.user", postgres.user())
                .set("monitor.cluster.password", "");
        for (int i = 0; i < more.length; i += 2) {
            node.set(more[i], more[i + 1]);
        }
        return node.start();
    }

    private Instant sharedWatermark() throws Exception {
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
             ResultSet rows = connection.createStatement().executeQuery("SELECT WATERMARK FROM TC_MONITOR_WATERMARK WHERE MONITOR = 'default'")) {
            assertThat(rows.next()).isTrue();
            return rows.getTimestamp(1).toInstant();
        }
    }

    @Test
    void aRewindIsRefusedWhileAnotherProcessPollsTheMonitorAndMovesTheSharedWatermarkOnceItIsFree() throws Exception {
        MonitorHarness node = clusterNode();
        node.poll();
        Instant watermark = sharedWatermark();
        // another process (a node's poll, a one-shot command elsewhere) holds the monitor
        SelectedStateStore otherProcess = new SelectedStateStore();
        otherProcess.setClusterEnabled(true);
        otherProcess.setDirectory(monitors.tempDir().resolve("other-process").toString());
        otherProcess.setJdbcUrl(postgres.jdbcUrl());
        otherProcess.setUser(postgres.user());
        otherProcess.setPassword("");
        monitors.closeLast(otherProcess);
        PollLock othersPoll = otherProcess.pollLock("default");
        assertThat(othersPoll.tryTake()).isTrue();

        assertThatThrownBy(() -> StateCommands.rewind(node.monitor("default"), Backfill.parse("--rewind", "PT2H")))
                .isInstanceOf(StateCommands.MonitorInUse.class)
                .hasMessageContaining("monitor 'default' is being polled by another process");
        assertThat(sharedWatermark()).isEqualTo(watermark);

        othersPoll.close();
        StateCommands.Rewind rewind = StateCommands.rewind(node.monitor("default"), Backfill.parse("--rewind", "PT2H"));

        assertThat(rewind.from()).contains(watermark);
        assertThat(sharedWatermark()).isEqualTo(rewind.to());
    }

    @Test
    void aReplaySendsTheNodesDeadLetterAgainThoughTheSharedDeliveredIdsHoldIt() throws Exception {
        WebhookReceiver webhook = monitors.closeFirst(WebhookReceiver.down().comeUp()).answer(400, "poison");
        MonitorHarness node = clusterNode("sinks", "custom", "sink.custom.uri", webhook.uri());
        long poisoned = node.simulator.addFailed(1, Instant.now().minusSeconds(60), "poison\n");
        node.poll();
        assertThat(node.stateDir.resolve("default/dead-letter-custom.jsonl")).exists();

        webhook.accept();
        StateCommands.Replay replay = StateCommands.replayDeadLetter(node.context(), node.monitor("default"), "custom");

        assertThat(replay.accepted()).isEqualTo(1);
        assertThat(webhook.received()).singleElement().satisfies(request -> assertThat(request.body()).contains("\"id\":" + poisoned));
        assertThat(node.stateDir.resolve("default/dead-letter-custom.jsonl")).doesNotExist();
        assertThat(Files.exists(node.stateDir.resolve("default/watermark"))).as("the watermark is the database's").isFalse();
    }
}

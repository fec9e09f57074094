package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tcjobmonitor.e2e.ClusterNode.LogEntry;
import dev.tcjobmonitor.e2e.ClusterNode.PollDone;
import dev.tcjobmonitor.simulator.Fault;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import dev.tcjobmonitor.support.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A one-shot command ({@code --once}) on a node of a running cluster, on the packaged jar: two
 * daemon nodes share one PostgreSQL (state and Quartz's clustered job store) and poll on a
 * 2-second cron; a {@code --once} is started beside them (its own folder and state folder, as the
 * state-folder lock wants) while a daemon's poll is in progress. It must poll in its own process,
 * never as a node of the cluster's scheduler (which could hand its poll to another node and keep
 * it waiting for up to 30 minutes), and never at the same time as a daemon polls the monitor.
 */
class ClusterOneShotIT {

    private static final String ACCESS_ID = "cluster-test-user";
    private static final String SECRET = "Cluster-Test-S3cr3t/+=";
    private static final int DAEMONS = 2;
    /** A daemon's poll that lasts this long is still running when the --once process (a JVM start away) wants to poll. */
    private static final Duration SLOW_PAGE = Duration.ofSeconds(20);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** Promptly: the daemon's slow poll, the JVM's start and a generous margin; the bug waited up to 30 minutes. */
    private static final Duration ONE_SHOT_TIMEOUT = SLOW_PAGE.plusSeconds(70);

    @TempDir
    Path tempDir;

    private ThreatConnectSimulator tc;
    private EmbeddedPostgresServer postgres;
    private final List<ClusterNode> nodes = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        tc = ThreatConnectSimulator.start().withHmacUser(ACCESS_ID, SECRET);
        postgres = new EmbeddedPostgresServer(tempDir.resolve("pg")).start();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            for (ClusterNode node : nodes) {
                if (node.alive()) {
                    node.process().destroyForcibly();
                }
                node.process().waitFor(10, TimeUnit.SECONDS);
            }
            for (ClusterNode node : nodes) {
                System.out.println("===== " + node + " =====");
                System.out.print(node.log());
            }
        } finally {
            try {
                tc.close();
            } finally {
                postgres.close();
            }
        }
    }

    @Test
    void aOneShotBesideARunningClusterPollsInItsOwnProcessAfterTheDaemonsPollAndReturnsPromptly() throws Exception {
        Instant now = Instant.now();
        for (int i = 0; i < 5; i++) {
            tc.addFailed(100 + i, now.minusSeconds(600 + i), "failure " + i + "\n");
        }
        for (int i = 1; i <= DAEMONS; i++) {
            nodes.add(ClusterNode.start(i, tempDir, settings()));
        }
        await("both daemons in the Quartz cluster, and a first poll").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> schedulerInstances().size() == DAEMONS && daemonPolls().size() >= 1);
        Set<String> daemonInstances = schedulerInstances();

        // the next daemon poll's page answers late: that poll holds the monitor for a while
        int requestsBefore = tc.requests().size();
        tc.enqueueFault(Fault.delay(SLOW_PAGE));
        await("a daemon's slow poll under way").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(20))
                .until(() -> tc.requests().size() > requestsBefore);
        Instant slowPollBegan = Instant.now();

        ClusterNode once = ClusterNode.start(DAEMONS + 1, tempDir, settings(), "--once");
        nodes.add(once);
        Instant startedAt = Instant.now();
        // while it runs, which scheduler instances check in to the cluster's Quartz tables
        Set<String> instancesMeanwhile = new TreeSet<>();
        await("the --once process to exit").atMost(ONE_SHOT_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    instancesMeanwhile.addAll(schedulerInstances());
                    return !once.alive();
                });
        Duration took = Duration.between(startedAt, Instant.now());

        assertThat(once.process().exitValue()).as("--once exit code; its log:%n%s", once.log()).isZero();
        assertThat(took).as("--once returns promptly").isLessThan(ONE_SHOT_TIMEOUT);
        // it never became a node of the cluster's scheduler: it neither triggers nor waits for the shared cron
        instancesMeanwhile.removeAll(daemonInstances);
        assertThat(instancesMeanwhile).as("Quartz instances other than the daemons' while --once ran").isEmpty();
        // its poll ran in its own process, once, after it waited for the daemon's poll
        List<PollDone> ownPolls = once.pollsDone();
        assertThat(ownPolls).as("polls done by the --once process").hasSize(1);
        PollDone ownPoll = ownPolls.get(0);
        // never at the same time as a daemon's poll of the monitor, the slow one included
        await("the daemon's slow poll done").atMost(SLOW_PAGE.plusSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> daemonPolls().stream().anyMatch(poll -> poll.millis() >= SLOW_PAGE.toMillis()));
        for (PollDone daemonPoll : daemonPolls()) {
            boolean overlaps = daemonPoll.startedAt().isBefore(ownPoll.loggedAt())
                    && ownPoll.startedAt().isBefore(daemonPoll.loggedAt());
            assertThat(overlaps).as("the --once poll %s..%s overlaps %s's poll %s..%s", ownPoll.startedAt(), ownPoll.loggedAt(),
                    daemonPoll.node().name(), daemonPoll.startedAt(), daemonPoll.loggedAt()).isFalse();
        }
        assertThat(once.entries()).as("the --once process says it waits for the daemon's poll")
                .anyMatch(entry -> entry.message().startsWith("Poll of 'default' waits for another process"));
        assertThat(ownPoll.startedAt()).as("the --once poll began after the daemon's slow poll (begun at %s) ended",
                slowPollBegan).isAfter(slowPollBegan);
        assertThat(nodes.subList(0, DAEMONS)).as("the daemons keep running").allMatch(ClusterNode::alive);
        List<LogEntry> failed = new ArrayList<>();
        nodes.forEach(node -> failed.addAll(node.pollsNotDone()));
        assertThat(failed).as("polls that failed").isEmpty();
    }

    private List<PollDone> daemonPolls() {
        List<PollDone> polls = new ArrayList<>();
        nodes.subList(0, Math.min(DAEMONS, nodes.size())).forEach(node -> polls.addAll(node.pollsDone()));
        return polls;
    }

    /** The scheduler instances in the cluster's Quartz tables (QRTZ_SCHEDULER_STATE). */
    private Set<String> schedulerInstances() throws Exception {
        Set<String> instances = new TreeSet<>();
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
             ResultSet rows = connection.createStatement().executeQuery("SELECT INSTANCE_NAME FROM QRTZ_SCHEDULER_STATE")) {
            while (rows.next()) {
                instances.add(rows.getString(1));
            }
        } catch (java.sql.SQLException beforeTheSchema) {
            // the first node creates the tables
        }
        return instances;
    }

    private Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("TC_BASE_URL", tc.baseUrl());
        settings.put("TC_ACCESS_ID", ACCESS_ID);
        settings.put("TC_SECRET_KEY", SECRET);
        settings.put("MONITOR_CRON", "0/2 * * * * ?");
        settings.put("MONITOR_CLUSTER_ENABLED", "true");
        settings.put("MONITOR_CLUSTER_JDBC_URL", postgres.jdbcUrl());
        settings.put("MONITOR_CLUSTER_USER", postgres.user());
        settings.put("MONITOR_CLUSTER_PASSWORD", "");
        settings.put("MONITOR_CLUSTER_CHECKIN_INTERVAL_MS", "1000");
        settings.put("SINKS", "file");
        return settings;
    }
}

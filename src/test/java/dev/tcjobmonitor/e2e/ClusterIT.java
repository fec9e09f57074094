package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.e2e.ClusterNode.LogEntry;
import dev.tcjobmonitor.e2e.ClusterNode.PollDone;
import dev.tcjobmonitor.simulator.Fault;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import dev.tcjobmonitor.support.EmbeddedKafka;
import dev.tcjobmonitor.support.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.TimeZone;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.CronExpression;

/**
 * Cluster mode on the packaged jar: three monitor nodes (separate JVMs, each with its own working
 * folder and its own file sink folder) share one ThreatConnect simulator, one real PostgreSQL
 * (watermark, delivered ids, Quartz's clustered job store) and one real Kafka broker, and poll on
 * a 2-second cron with a 1-second cluster checkin. In three phases, on the same cluster:
 * <ol>
 *   <li><b>steady state</b>: over at least 20 cron fires, with failures added between them, every
 *       fire is polled by exactly one node (no window end on two nodes; and, counted at a moment
 *       when Quartz's tables show no fire running, exactly one poll per cron fire Quartz has
 *       fired), and every failure reaches the union of the file sinks exactly once and Kafka
 *       exactly once;</li>
 *   <li><b>SIGKILL of the polling node mid-poll</b> (slow pages; the polling node is the one whose
 *       file receives the first alert of a new batch): another node takes over within one cron
 *       period plus the checkin interval (plus slack), nothing is lost, and at most one page per
 *       sink is duplicated (each sink takes a page at once, then records it: a kill in between
 *       duplicates that page), and only from the interrupted batch;</li>
 *   <li><b>PostgreSQL restarted</b> (stopped between two fires, kept down over at least one fire,
 *       started again on the same port and data folder): every live node says so in its log
 *       without flooding it, the nodes recover by themselves, no live node is taken for dead, and
 *       nothing is lost or duplicated; failures keep arriving while the cluster settles.</li>
 * </ol>
 * Throughout, no two polls run at once on different nodes.
 * <p>
 * The facts (which node polled what, takeover and recovery times, duplicates, the log lines the
 * outage caused, a timeline) are printed at the end, followed by every node's log:
 * target/failsafe-reports/dev.tcjobmonitor.e2e.ClusterIT-output.txt.
 */
class ClusterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCESS_ID = "cluster-test-user";
    private static final String SECRET = "Cluster-Test-S3cr3t/+=";
    private static final String TOPIC = "tc.job.failures";
    private static final int NODES = 3;
    private static final String CRON = "0/2 * * * * ?";
    private static final Duration CRON_PERIOD = Duration.ofSeconds(2);
    private static final Duration CHECKIN_INTERVAL = Duration.ofSeconds(1);
    private static final int PAGE_SIZE = 10;
    private static final int STEADY_FIRES = 20;
    private static final int KILL_BATCH = 25;
    /** A page this late makes the poll after the kill batch last seconds, so the kill lands inside it. */
    private static final Duration SLOW_PAGE = Duration.ofMillis(600);
    private static final int SLOW_PAGES = 3;
    /** Polls after the database restart, each followed by a new failure, while the cluster settles. */
    private static final int POLLS_AFTER_RESTART = 4;
    /**
     * The takeover the README promises: the dead node is noticed one checkin interval plus Quartz's
     * own 7.5 s after its last check-in, then the next fire is due within one cron period; plus two
     * seconds of scheduling slack on a busy two-core machine.
     */
    private static final Duration TAKEOVER_BOUND = CRON_PERIOD.plus(CHECKIN_INTERVAL).plusMillis(7_500).plusSeconds(2);
    /** The database is kept down at least this long: several cron fires fall into the outage. */
    private static final Duration MIN_OUTAGE = CRON_PERIOD.multipliedBy(2);
    /**
     * Losing the database breaks every pooled connection at once, and each may be reported once:
     * that burst, in the first seconds of the outage, is not a flood. A flood is logging that goes
     * on while the database stays down: from this long after the stop until the restart, a node
     * may log at most one WARN/ERROR entry per cron period (what the monitor itself allows: one
     * line per failed poll), plus one.
     */
    private static final Duration OUTAGE_BURST = Duration.ofSeconds(2);

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL_TIMEOUT = CRON_PERIOD.multipliedBy(3).plusSeconds(4);
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration TAKEOVER_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DB_REPORT_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration DB_RECOVERY_TIMEOUT = Duration.ofSeconds(45);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    @TempDir
    Path tempDir;

    private ThreatConnectSimulator tc;
    private EmbeddedPostgresServer postgres;
    private EmbeddedKafka kafka;
    private CompletableFuture<Void> kafkaUp;
    private final List<ClusterNode> nodes = new ArrayList<>();
    private final SoftAssertions softly = new SoftAssertions();
    /** What the test saw, printed at the end whatever happened. */
    private final Map<String, Object> facts = new LinkedHashMap<>();
    /** Phase 3's span, when Quartz said it took a live node for dead in it; null otherwise. */
    private Span liveNodeTakenForDead;

    private record Span(Instant from, Instant to) {
        boolean contains(Instant instant) {
            return !instant.isBefore(from) && !instant.isAfter(to);
        }
    }
    private final long started = System.nanoTime();
    private int kills;
    private Set<Long> phaseOneIds = Set.of();

    @BeforeEach
    void setUp() throws Exception {
        tc = ThreatConnectSimulator.start().withHmacUser(ACCESS_ID, SECRET);
        postgres = new EmbeddedPostgresServer(tempDir.resolve("pg"));
        // its port is fixed now; it starts while the nodes boot (their Kafka producer starts lazily)
        kafka = new EmbeddedKafka(tempDir.resolve("kafka"));
        kafkaUp = CompletableFuture.runAsync(() -> {
            try {
                kafka.start();
            } catch (Exception e) {
                throw new IllegalStateException("Kafka did not start", e);
            }
        });
        postgres.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            for (ClusterNode node : nodes) {
                if (node.alive()) {
                    node.process().destroyForcibly();
                }
            }
            for (ClusterNode node : nodes) {
                node.process().waitFor(KILL_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            }
            try {
                if (kafkaUp != null) {
                    kafkaUp.join();
                }
            } catch (RuntimeException e) {
                facts.put("Kafka start", e.toString());
            }
            facts.put("runtime of the test (s)", seconds());
            System.out.println("ClusterIT findings:");
            facts.forEach((name, value) -> System.out.println("  " + name + ": " + value));
            // the children's logs, for whoever reads target/failsafe-reports/*-output.txt
            for (ClusterNode node : nodes) {
                System.out.println("===== " + node + " =====");
                System.out.print(node.log());
            }
        } finally {
            try {
                if (tc != null) {
                    tc.close();
                }
            } finally {
                try {
                    if (kafka != null) {
                        kafka.close();
                    }
                } finally {
                    if (postgres != null) {
                        postgres.close();
                    }
                }
            }
        }
    }

    @Test
    void eachFireIsPolledOnceByOneNodeAndTheClusterSurvivesAKillAndADatabaseRestart() throws Exception {
        // failures of the last half hour (the first poll looks back an hour: several pages), and noise
        Instant now = Instant.now();
        for (int i = 0; i < 30; i++) {
            tc.addFailed(100 + i % 4, now.minusSeconds(1800).plusSeconds(i * 55L), "seeded failure " + i + "\n");
        }
        for (int i = 0; i < 5; i++) {
            tc.addCompleted(200 + i, now.minusSeconds(600 + i));
        }
        for (int i = 1; i <= NODES; i++) {
            nodes.add(ClusterNode.start(i, tempDir, settings()));
        }
        facts.put("timeline: nodes started (s)", seconds());
        kafkaUp.join();
        facts.put("timeline: Kafka up (s)", seconds());

        steadyState();
        facts.put("timeline: phase 1 done (s)", seconds());
        List<Delivery> afterKill = killThePollingNodeMidPoll();
        facts.put("timeline: phase 2 done (s)", seconds());
        restartTheDatabase(afterKill.get(0), afterKill.get(1));
        facts.put("timeline: phase 3 done (s)", seconds());
        wholeRun();

        softly.assertAll();
    }

    // --- phase 1 -------------------------------------------------------------------------------

    private void steadyState() throws Exception {
        Map<ClusterNode, Integer> from = marks();
        awaitCluster("every node started its monitor", START_TIMEOUT, () -> nodes.stream()
                .allMatch(node -> node.entries().stream().anyMatch(entry -> entry.message().startsWith("Monitor 'default' watches"))));
        awaitCluster("every node joined the Quartz cluster", START_TIMEOUT, () -> schedulerInstances(Instant.EPOCH) == NODES);
        awaitCluster("the first poll", START_TIMEOUT, () -> totalPolls() >= 1);

        // a few failures between fires, until 20 fires were polled
        int added = 0;
        while (totalPolls() < STEADY_FIRES) {
            int before = totalPolls();
            awaitCluster("poll " + (before + 1), POLL_TIMEOUT, () -> totalPolls() > before);
            Instant at = Instant.now();
            for (int i = 0; i < 2; i++) {
                tc.addFailed(110 + added % 5, at.minusSeconds(added % 7), "failure between fires " + added + "\n");
                added++;
            }
        }
        // the last failures are read by the next fire; then, at a settled moment, count
        Settled settled = awaitSettled("phase 1: the fire after the last failures, then no fire running",
                totalPolls() + 1, Duration.ZERO);
        checkEveryFireRanOnce("phase 1", settled);
        awaitDelivered("phase 1");
        Map<ClusterNode, Integer> to = marks();

        List<PollDone> polls = pollsBetween(from, to);
        facts.put("phase 1: polls", polls.size());
        facts.put("phase 1: polls per node", countBy(polls, poll -> poll.node().name()));
        facts.put("phase 1: polls (node, window end)", polls.stream()
                .map(poll -> poll.node().name() + "@" + poll.windowEnd() + "/" + poll.millis() + "ms").toList());
        facts.put("phase 1: pages of the last poll", polls.get(polls.size() - 1).pages());
        softly.assertThat(polls).as("phase 1: completed polls over the steady state").hasSizeGreaterThanOrEqualTo(STEADY_FIRES);
        softly.assertThat(polls.stream().mapToInt(PollDone::pages).max().orElse(0)).as("phase 1: polls span pages")
                .isGreaterThan(1);
        // a window end is the second its poll began: the same one on two nodes is one fire polled twice
        // (on one node it may also be a late fire caught up right before the next one: counted above)
        Map<Instant, Set<String>> sharedWindowEnds = polls.stream()
                .collect(Collectors.groupingBy(PollDone::windowEnd, TreeMap::new,
                        Collectors.mapping(poll -> poll.node().name(), Collectors.toCollection(TreeSet::new))))
                .entrySet().stream().filter(entry -> entry.getValue().size() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
        softly.assertThat(sharedWindowEnds).as("phase 1: window ends polled on more than one node, with the nodes").isEmpty();
        softly.assertThat(pollsNotDone(from, to)).as("phase 1: polls that failed").isEmpty();

        Delivery files = fileDelivery();
        phaseOneIds = new TreeSet<>(files.expected());
        facts.put("phase 1: failures", phaseOneIds.size());
        facts.put("phase 1: file lines per node", linesPerNode());
        facts.put("phase 1: file sinks (lines, distinct, duplicated, missing, unexpected)", List.of(files.ids().size(),
                new TreeSet<>(files.ids()).size(), files.duplicated(), files.missing(), files.unexpected()));
        softly.assertThat(files.duplicated()).as("phase 1: failures in the file sinks more than once").isEmpty();
        softly.assertThat(files.missing()).as("phase 1: failures missing from the file sinks").isEmpty();
        // Kafka is read once, at the end of phase 2: its phase-1 failures are checked there
    }

    // --- phase 2 -------------------------------------------------------------------------------

    /** @return what the file sinks and Kafka hold at its end */
    private List<Delivery> killThePollingNodeMidPoll() throws Exception {
        // phase 1 ended between two fires: the next fire is the one that reads the new batch
        Map<ClusterNode, Integer> from = marks();
        Instant at = Instant.now();
        Set<Long> batch = new TreeSet<>();
        for (int i = 0; i < KILL_BATCH; i++) {
            batch.add(tc.addFailed(120 + i % 3, at.minusSeconds(i % 4), "failure of the kill batch " + i + "\n"));
        }
        // the newest executions come first: the batch is on the first pages, which answer late
        for (int i = 0; i < SLOW_PAGES; i++) {
            tc.enqueueFault(Fault.delay(SLOW_PAGE));
        }
        Map<ClusterNode, Integer> batchAdded = marks();

        ClusterNode poller = await("the first alert of the kill batch in some node's file")
                .atMost(POLL_TIMEOUT.plus(SLOW_PAGE))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(5))
                .failFast("a node exited on its own", this::someNodeExited)
                .until(() -> nodeHoldingAnyOf(batch), Optional::isPresent)
                .orElseThrow();
        assertThat(poller.kill(KILL_WAIT)).as("%s is gone after SIGKILL", poller).isTrue();
        Instant killedAt = Instant.now();
        kills++;
        int requestsAtKill = tc.requests().size();
        ClusterNode.Alerts atKill = poller.alerts();
        facts.put("phase 2: killed", poller.name());
        facts.put("phase 2: kill batch ids in the killed node's file", atKill.ids().stream().filter(batch::contains).count()
                + " of " + KILL_BATCH);
        facts.put("phase 2: killed node's cut-off last line", atKill.tornTail().isEmpty() ? "none" : atKill.tornTail());
        List<PollDone> pollerDone = pollsBetween(Map.of(poller, batchAdded.get(poller)), null).stream()
                .filter(poll -> poll.node() == poller).toList();
        // whether the kill landed mid-poll is up to timing; the promises below hold either way
        facts.put("phase 2: the killed node was mid-poll", pollerDone.isEmpty() ? "yes" : "no, it had finished " + pollerDone);

        // another node picks the work up: its first request to ThreatConnect
        await("a surviving node's first request to ThreatConnect after the kill")
                .atMost(TAKEOVER_TIMEOUT)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20))
                .failFast("a node exited on its own", this::someNodeExited)
                .until(() -> tc.requests().size() > requestsAtKill);
        Duration takeover = Duration.between(killedAt, Instant.now());
        facts.put("phase 2: takeover (kill -> a survivor's first request, ms)", takeover.toMillis());
        awaitCluster("a completed poll on a surviving node", TAKEOVER_TIMEOUT, () -> !pollsBetween(batchAdded, null).stream()
                .filter(poll -> poll.node() != poller).toList().isEmpty());
        PollDone firstAfterKill = pollsBetween(batchAdded, null).stream().filter(poll -> poll.node() != poller)
                .min(Comparator.comparing(PollDone::loggedAt)).orElseThrow();
        facts.put("phase 2: kill -> a survivor's first completed poll (ms)",
                Duration.between(killedAt, firstAfterKill.loggedAt()).toMillis() + " (" + firstAfterKill + ")");
        softly.assertThat(takeover).as("phase 2: a surviving node takes over within one cron period (%s) plus the checkin"
                        + " interval (%s) plus 2 s of slack", CRON_PERIOD, CHECKIN_INTERVAL)
                .isLessThanOrEqualTo(TAKEOVER_BOUND);

        awaitDelivered("phase 2");
        Map<ClusterNode, Integer> to = marks();
        List<PollDone> polls = pollsBetween(from, to);
        facts.put("phase 2: polls (node, window end)", polls.stream()
                .map(poll -> poll.node().name() + "@" + poll.windowEnd() + "/" + poll.millis() + "ms").toList());
        softly.assertThat(pollsNotDone(from, to)).as("phase 2: polls that failed").isEmpty();

        Delivery files = fileDelivery();
        Delivery kafkaRecords = kafkaDelivery();
        report("phase 2", files, kafkaRecords);
        softly.assertThat(files.missing()).as("phase 2: failures missing from the file sinks").isEmpty();
        softly.assertThat(kafkaRecords.missing()).as("phase 2: failures missing from Kafka").isEmpty();
        softly.assertThat(files.duplicates()).as("phase 2: duplicates in the file sinks (%s) after %d SIGKILL: at most one"
                + " page (%d) per kill", files.duplicated(), kills, PAGE_SIZE).isLessThanOrEqualTo(kills * PAGE_SIZE);
        softly.assertThat(kafkaRecords.duplicates()).as("phase 2: duplicates in Kafka (%s) after %d SIGKILL: at most one"
                + " page (%d) per kill", kafkaRecords.duplicated(), kills, PAGE_SIZE).isLessThanOrEqualTo(kills * PAGE_SIZE);
        softly.assertThat(files.duplicated().keySet()).as("phase 2: duplicated ids are of the batch the kill interrupted")
                .allMatch(batch::contains);
        softly.assertThat(kafkaRecords.duplicated().keySet()).as("phase 2: duplicated Kafka ids are of the interrupted batch")
                .allMatch(batch::contains);
        Map<Long, Long> phaseOneDuplicates = new TreeMap<>(kafkaRecords.duplicated());
        phaseOneDuplicates.keySet().retainAll(phaseOneIds);
        softly.assertThat(phaseOneDuplicates).as("phase 1: failures in Kafka more than once").isEmpty();
        softly.assertThat(kafkaRecords.missing()).as("phase 1: failures missing from Kafka").doesNotContainAnyElementsOf(phaseOneIds);
        return List.of(files, kafkaRecords);
    }

    // --- phase 3 -------------------------------------------------------------------------------

    private void restartTheDatabase(Delivery filesBefore, Delivery kafkaBefore) throws Exception {
        // between fires: no poll is running when the database goes, and the next fire is a second
        // away (stopping takes a fraction of that)
        Settled settled = awaitSettled("phase 3: between two fires, before the database stops", 0, Duration.ofSeconds(1));
        Map<ClusterNode, Integer> from = marks();
        checkEveryFireRanOnce("phase 2", settled);
        Instant stoppedAt = Instant.now();
        postgres.stop();
        facts.put("phase 3: database stop took (ms)", Duration.between(stoppedAt, Instant.now()).toMillis());
        Instant down = Instant.now();
        for (int i = 0; i < 5; i++) {
            tc.addFailed(130 + i, down.minusSeconds(i), "failed while the database was down " + i + "\n");
        }

        // every live node says the database is gone (and the outage lasts over at least one fire)
        boolean reported = awaitSoftly("phase 3: every live node logs a WARN/ERROR about the database while it is down",
                await().atMost(DB_REPORT_TIMEOUT).pollDelay(MIN_OUTAGE),
                () -> liveNodes().stream().allMatch(node -> !outageReports(node, from).isEmpty()));
        facts.put("phase 3: live nodes that reported the outage", liveNodes().stream()
                .filter(node -> !outageReports(node, from).isEmpty()).map(ClusterNode::name).toList() + " (all: " + reported + ")");
        Instant restartAt = Instant.now();
        postgres.start();
        Instant restartedAt = Instant.now();
        facts.put("phase 3: database down (ms)", Duration.between(stoppedAt, restartedAt).toMillis());

        // the monitors carry on by themselves: a poll after the restart delivers what failed meanwhile
        Set<Long> expectedNow = expectedIds();
        boolean recovered = awaitSoftly("phase 3: a completed poll after the restart that delivered the failures of the outage",
                await().atMost(DB_RECOVERY_TIMEOUT).pollInterval(Duration.ofMillis(50)),
                () -> pollsBetween(from, null).stream().anyMatch(poll -> poll.startedAt().isAfter(restartAt))
                        && fileIds().containsAll(expectedNow));
        Optional<PollDone> firstAfter = pollsBetween(from, null).stream()
                .filter(poll -> poll.startedAt().isAfter(restartAt)).min(Comparator.comparing(PollDone::loggedAt));
        facts.put("phase 3: restart -> first completed poll (ms)", firstAfter
                .map(poll -> Duration.between(restartedAt, poll.loggedAt()).toMillis() + " (" + poll + ")").orElse("none"));

        // and keep going: a new failure after each poll while the cluster settles (missed fires
        // caught up, nodes checking in again), then a few at once
        if (recovered) {
            for (int i = 0; i < POLLS_AFTER_RESTART; i++) {
                int before = totalPolls();
                awaitCluster("phase 3: poll " + (i + 2) + " after the restart", POLL_TIMEOUT, () -> totalPolls() > before);
                tc.addFailed(140 + i % 3, Instant.now(), "failed while the cluster settles " + i + "\n");
            }
            Instant after = Instant.now();
            for (int i = 0; i < 5; i++) {
                tc.addFailed(150 + i, after.minusSeconds(i), "failed after the database restart " + i + "\n");
            }
            awaitDelivered("phase 3");
            // a database outage near Quartz's check-in margin (check-in + 7.5 s) can make it take a
            // live node for dead and run that node's fire again: no fire may be lost, one may run twice
            checkNoFireWasLost("phase 3", awaitSettled("phase 3: no fire running, to count", 0, Duration.ZERO));
        }
        boolean checkedIn = awaitSoftly("phase 3: every live node checks in to the Quartz cluster again",
                await().atMost(DB_RECOVERY_TIMEOUT).pollInterval(Duration.ofMillis(200)),
                () -> schedulerInstances(restartedAt) == liveNodes().size());
        facts.put("phase 3: every live node checked in again since the restart", checkedIn);
        Map<ClusterNode, Integer> to = marks();
        // a live node taken for dead: another node recovers its fires (and may run one of them
        // while it still runs it); Quartz says so when the node checks in again (awaited above)
        List<String> recoveredAlive = nodes.stream()
                .flatMap(node -> entriesBetween(node, from, to).stream())
                .filter(entry -> entry.message().contains("was recovered by another instance")).map(LogEntry::toString).toList();
        facts.put("phase 3: Quartz says a live node was recovered by another", recoveredAlive);
        // a Quartz limitation (documented in README), not a loss: reported, not failed
        if (!recoveredAlive.isEmpty()) {
            liveNodeTakenForDead = new Span(stoppedAt, Instant.now());
            System.out.println("NOTE phase 3: Quartz took a live node for dead after the database restart: " + recoveredAlive);
        }

        // what the outage made the nodes log
        Instant steadyFrom = stoppedAt.plus(OUTAGE_BURST);
        long allowed = Duration.between(steadyFrom, restartAt).toMillis() / CRON_PERIOD.toMillis() + 1;
        Map<String, String> volume = new TreeMap<>();
        Map<String, List<String>> warnings = new TreeMap<>();
        for (ClusterNode node : liveNodes()) {
            List<LogEntry> logged = entriesBetween(node, from, to);
            List<LogEntry> warned = logged.stream().filter(LogEntry::warnOrError).toList();
            List<LogEntry> whileDown = warned.stream()
                    .filter(entry -> !entry.instant().isBefore(steadyFrom) && entry.instant().isBefore(restartAt)).toList();
            volume.put(node.name(), logged.size() + " entries (" + warned.size() + " WARN/ERROR, "
                    + logged.stream().mapToInt(entry -> 1 + entry.continuation().size()).sum() + " lines with stack traces), "
                    + whileDown.size() + " WARN/ERROR from " + OUTAGE_BURST.toSeconds() + " s after the stop to the restart");
            warnings.put(node.name(), warned.stream().map(LogEntry::toString).toList());
            softly.assertThat(whileDown).as("phase 3: %s keeps logging WARN/ERROR while the database stays down (flood):"
                    + " at most one per cron period plus one (%d)", node, allowed).hasSizeLessThanOrEqualTo((int) allowed);
        }
        facts.put("phase 3: log volume per node from the stop to the end of the phase", volume);
        facts.put("phase 3: WARN/ERROR entries per node", warnings);
        List<PollDone> polls = pollsBetween(from, to);
        facts.put("phase 3: polls (node, window end)", polls.stream()
                .map(poll -> poll.node().name() + "@" + poll.windowEnd() + "/" + poll.millis() + "ms").toList());
        facts.put("phase 3: polls that failed", pollsNotDone(from, to).stream().map(LogEntry::toString).toList());

        Delivery files = fileDelivery();
        Delivery kafkaRecords = kafkaDelivery();
        report("phase 3", files, kafkaRecords);
        softly.assertThat(files.missing()).as("phase 3: failures missing from the file sinks").isEmpty();
        softly.assertThat(kafkaRecords.missing()).as("phase 3: failures missing from Kafka").isEmpty();
        softly.assertThat(files.duplicated()).as("phase 3: a database restart duplicates nothing in the file sinks")
                .isEqualTo(filesBefore.duplicated());
        softly.assertThat(kafkaRecords.duplicated()).as("phase 3: a database restart duplicates nothing in Kafka")
                .isEqualTo(kafkaBefore.duplicated());
    }

    // --- the whole run -------------------------------------------------------------------------

    private void wholeRun() throws Exception {
        List<PollDone> polls = allPolls();
        facts.put("whole run: polls per node", countBy(polls, poll -> poll.node().name()));
        softly.assertThat(polls.stream().map(poll -> poll.node().name()).distinct().count())
                .as("whole run: more than one node polled").isGreaterThan(1);

        // no two polls at once on different nodes (the job is stateful: Quartz never runs it twice at once)
        // except where Quartz said it took a live node for dead in phase 3 (README's limitation: it
        // then runs that node's fire again, possibly while the node still runs it; phase 3 checks
        // that this loses nothing and repeats nothing already recorded)
        List<String> overlapping = new ArrayList<>();
        List<String> overlappingAfterTakenForDead = new ArrayList<>();
        List<PollDone> byStart = polls.stream().sorted(Comparator.comparing(PollDone::startedAt)).toList();
        for (int i = 1; i < byStart.size(); i++) {
            PollDone previous = byStart.get(i - 1);
            PollDone poll = byStart.get(i);
            if (poll.startedAt().isBefore(previous.loggedAt())) {
                String pair = previous + " [" + previous.startedAt() + ".." + previous.loggedAt() + "] and " + poll + " ["
                        + poll.startedAt() + ".." + poll.loggedAt() + "]";
                boolean explained = liveNodeTakenForDead != null && liveNodeTakenForDead.contains(previous.startedAt())
                        && liveNodeTakenForDead.contains(poll.startedAt());
                (explained ? overlappingAfterTakenForDead : overlapping).add(pair);
            }
        }
        facts.put("whole run: polls running at the same time on two nodes", overlapping);
        facts.put("phase 3: polls at the same time after Quartz took a live node for dead", overlappingAfterTakenForDead);
        softly.assertThat(overlapping).as("whole run: polls running at the same time").isEmpty();

        Delivery files = fileDelivery();
        facts.put("whole run: notices in the files", nodes.stream().flatMap(node -> {
            try {
                return node.alerts().notices().stream().map(notice -> node.name() + ": " + notice.path("status").asText()
                        + " " + notice.path("exitMessage").asText());
            } catch (IOException e) {
                return java.util.stream.Stream.of(node.name() + ": " + e);
            }
        }).toList());
        softly.assertThat(files.badLines()).as("whole run: complete lines that are not one JSON document").isEmpty();
        for (ClusterNode node : liveNodes()) {
            softly.assertThat(node.alerts().tornTail()).as("whole run: %s (alive) has no cut-off last line", node).isEmpty();
            softly.assertThat(node.stderr().lines().filter(line -> !line.isBlank()).toList())
                    .as("whole run: what %s wrote to stderr", node).isEmpty();
        }
    }

    // --- the nodes -----------------------------------------------------------------------------

    private Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("TC_BASE_URL", tc.baseUrl());
        settings.put("TC_ACCESS_ID", ACCESS_ID);
        settings.put("TC_SECRET_KEY", SECRET);
        settings.put("MONITOR_CRON", CRON);
        settings.put("MONITOR_PAGE_SIZE", String.valueOf(PAGE_SIZE));
        settings.put("MONITOR_CLUSTER_ENABLED", "true");
        settings.put("MONITOR_CLUSTER_JDBC_URL", postgres.jdbcUrl());
        settings.put("MONITOR_CLUSTER_USER", postgres.user());
        settings.put("MONITOR_CLUSTER_PASSWORD", "");
        settings.put("MONITOR_CLUSTER_CHECKIN_INTERVAL_MS", String.valueOf(CHECKIN_INTERVAL.toMillis()));
        settings.put("SINKS", "file,kafka");
        settings.put("SINK_KAFKA_BROKERS", kafka.bootstrapServers());
        settings.put("SINK_KAFKA_TOPIC", TOPIC);
        return settings;
    }

    private long seconds() {
        return Duration.ofNanos(System.nanoTime() - started).toSeconds();
    }

    private List<ClusterNode> liveNodes() {
        return nodes.stream().filter(node -> !node.killed()).toList();
    }

    private Optional<ClusterNode> nodeHoldingAnyOf(Set<Long> ids) throws IOException {
        for (ClusterNode node : nodes) {
            if (node.alive() && node.alerts().ids().stream().anyMatch(ids::contains)) {
                return Optional.of(node);
            }
        }
        return Optional.empty();
    }

    private boolean someNodeExited() {
        return nodes.stream().anyMatch(node -> !node.killed() && !node.alive());
    }

    private void awaitCluster(String what, Duration atMost, Callable<Boolean> condition) {
        await(what).atMost(atMost)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(50))
                .failFast("a node exited on its own", this::someNodeExited)
                .until(condition);
    }

    /**
     * The fires and the polls, counted at a moment Quartz's own tables show to be settled: no fire
     * is running anywhere and none began while the nodes' logs were read.
     *
     * @param fires the cron fires Quartz has fired, from the trigger's first fire up to (not
     *              including) its next fire time
     * @param nextFire that next fire time
     */
    private record Settled(long fires, int completed, int failed, Instant nextFire) {
    }

    /**
     * Waits for at least {@code minPolls} completed polls and for a settled moment, and counts
     * there, from facts rather than timing guesses (a busy machine can delay a fire or a log line
     * by seconds). Settled means, in Quartz's tables: no fire is EXECUTING (QRTZ_FIRED_TRIGGERS),
     * no dead node's fire waits to be run again (a trigger in RECOVERING_JOBS), and the cron
     * trigger's next fire time is the same before and after the logs are read. A node logs its
     * poll's last line inside the job, before Quartz deletes the fire's row; and Quartz moves the
     * next fire time in the same transaction that marks a fire EXECUTING. So every fire before
     * that next fire time has its line in the logs just read, and no later fire had begun.
     *
     * @param minFireDistance how far away the next fire must be at that moment (a step that must
     *                        fall between two fires), or zero
     */
    private Settled awaitSettled(String what, int minPolls, Duration minFireDistance) throws Exception {
        Settled[] settled = {null};
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "")) {
            await(what).atMost(POLL_TIMEOUT.multipliedBy(2))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50))
                    .failFast("a node exited on its own", this::someNodeExited)
                    .until(() -> {
                        if (totalPolls() < minPolls) {
                            return false;
                        }
                        QuartzState before = quartzState(connection);
                        if (before.executing() > 0 || before.recovering() > 0) {
                            return false;
                        }
                        int completed = allPolls().size();
                        int failed = pollsNotDone(Map.of(), null).size();
                        QuartzState after = quartzState(connection);
                        if (after.nextFireTime() != before.nextFireTime()
                                || before.nextFireTime() - System.currentTimeMillis() < minFireDistance.toMillis()) {
                            return false;
                        }
                        settled[0] = new Settled(cronFires(before.startTime(), before.nextFireTime()), completed, failed,
                                Instant.ofEpochMilli(before.nextFireTime()));
                        return true;
                    });
        }
        return settled[0];
    }

    /** The monitor's cron trigger (QRTZ_TRIGGERS), and the fires running or waiting to be run again. */
    private record QuartzState(long startTime, long nextFireTime, int executing, int recovering) {
    }

    private static QuartzState quartzState(Connection connection) throws java.sql.SQLException {
        try (ResultSet rows = connection.createStatement().executeQuery("SELECT START_TIME, NEXT_FIRE_TIME,"
                + " (SELECT COUNT(*) FROM QRTZ_FIRED_TRIGGERS WHERE STATE = 'EXECUTING'),"
                + " (SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE TRIGGER_GROUP = 'RECOVERING_JOBS')"
                + " FROM QRTZ_TRIGGERS WHERE TRIGGER_TYPE = 'CRON'")) {
            assertThat(rows.next()).as("the monitor's cron trigger in QRTZ_TRIGGERS").isTrue();
            QuartzState state = new QuartzState(rows.getLong(1), rows.getLong(2), rows.getInt(3), rows.getInt(4));
            assertThat(rows.next()).as("one cron trigger").isFalse();
            return state;
        }
    }

    /**
     * At a settled moment: the polls the nodes ran (completed or failed) are exactly the cron fires
     * Quartz has fired. One more poll than fires is a fire polled twice (by two nodes, or again by
     * a node that was wrongly recovered); one fewer is a fire nobody polled. A fire cut short by a
     * SIGKILL is run again by another node (recoverableJob), so it still counts once.
     */
    private void checkEveryFireRanOnce(String phase, Settled settled) {
        checkFiresAgainstPolls(phase, settled, false);
    }

    /** After a database outage a fire may run twice (Quartz may take a live node for dead); none may be lost. */
    private void checkNoFireWasLost(String phase, Settled settled) {
        checkFiresAgainstPolls(phase, settled, true);
    }

    private void checkFiresAgainstPolls(String phase, Settled settled, boolean mayRunTwice) {
        facts.put(phase + ": polls run (completed + failed) / cron fires Quartz fired, before " + settled.nextFire(),
                settled.completed() + " + " + settled.failed() + " / " + settled.fires());
        var polls = softly.assertThat((long) settled.completed() + settled.failed()).as("%s: polls run before %s (completed %d,"
                        + " failed %d) against the cron fires Quartz fired: %s", phase, settled.nextFire(), settled.completed(),
                settled.failed(), mayRunTwice ? "no fire without a poll" : "exactly one poll per fire");
        if (mayRunTwice) {
            polls.isGreaterThanOrEqualTo(settled.fires());
        } else {
            polls.isEqualTo(settled.fires());
        }
    }

    /** The fires of the cron from the trigger's start time up to (not including) {@code nextFireTime}. */
    private static long cronFires(long startTime, long nextFireTime) throws java.text.ParseException {
        CronExpression cron = new CronExpression(CRON);
        cron.setTimeZone(TimeZone.getTimeZone("UTC"));
        // the first fire as CronTriggerImpl.computeFirstFireTime finds it
        long fires = 0;
        for (Date fire = cron.getNextValidTimeAfter(new Date(startTime - 1000L)); fire != null && fire.getTime() < nextFireTime;
             fire = cron.getNextValidTimeAfter(fire)) {
            fires++;
        }
        return fires;
    }

    /** Waits; a timeout is recorded as a failed assertion and the test goes on. */
    private boolean awaitSoftly(String what, ConditionFactory condition, Callable<Boolean> until) {
        try {
            condition.alias(what).failFast("a node exited on its own", this::someNodeExited).until(until);
            return true;
        } catch (ConditionTimeoutException e) {
            softly.fail(what + ": " + e.getMessage());
            return false;
        }
    }

    /** Every failure the simulator holds is in some node's file. */
    private void awaitDelivered(String phase) {
        awaitCluster(phase + ": every failure in the file sinks", DELIVERY_TIMEOUT, () -> fileIds().containsAll(expectedIds()));
    }

    private int totalPolls() {
        return nodes.stream().mapToInt(node -> node.pollsDone().size()).sum();
    }

    private List<PollDone> allPolls() {
        return pollsBetween(Map.of(), null);
    }

    /** How many log entries each node has written so far. */
    private Map<ClusterNode, Integer> marks() {
        Map<ClusterNode, Integer> marks = new LinkedHashMap<>();
        nodes.forEach(node -> marks.put(node, node.entries().size()));
        return marks;
    }

    private static List<LogEntry> entriesBetween(ClusterNode node, Map<ClusterNode, Integer> from, Map<ClusterNode, Integer> to) {
        int start = from.getOrDefault(node, 0);
        int end = to == null ? Integer.MAX_VALUE : to.getOrDefault(node, Integer.MAX_VALUE);
        return node.entries().stream().filter(entry -> entry.index() >= start && entry.index() < end).toList();
    }

    /** The completed polls logged between two marks ({@code to} null: until now), in time order. */
    private List<PollDone> pollsBetween(Map<ClusterNode, Integer> from, Map<ClusterNode, Integer> to) {
        return nodes.stream().flatMap(node -> node.pollsDone().stream()
                        .filter(poll -> poll.entryIndex() >= from.getOrDefault(node, 0))
                        .filter(poll -> to == null || poll.entryIndex() < to.getOrDefault(node, Integer.MAX_VALUE)))
                .sorted(Comparator.comparing(PollDone::loggedAt))
                .toList();
    }

    private List<LogEntry> pollsNotDone(Map<ClusterNode, Integer> from, Map<ClusterNode, Integer> to) {
        return nodes.stream().flatMap(node -> node.pollsNotDone().stream()
                        .filter(entry -> entry.index() >= from.getOrDefault(node, 0))
                        .filter(entry -> to == null || entry.index() < to.getOrDefault(node, Integer.MAX_VALUE)))
                .toList();
    }

    /** WARN/ERROR entries about the database or a connection, since the mark. */
    private static List<LogEntry> outageReports(ClusterNode node, Map<ClusterNode, Integer> from) {
        return entriesBetween(node, from, null).stream().filter(LogEntry::warnOrError).filter(LogEntry::aboutTheDatabase).toList();
    }

    /** Quartz scheduler instances (one per live node) whose last check-in is after {@code since}. */
    private int schedulerInstances(Instant since) throws Exception {
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT COUNT(*) FROM QRTZ_SCHEDULER_STATE WHERE LAST_CHECKIN_TIME > ?")) {
            statement.setLong(1, since.toEpochMilli());
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }

    // --- what arrived ----------------------------------------------------------------------------

    /** What a sink received, against what the simulator holds. */
    private record Delivery(List<Long> ids, Set<Long> expected, List<String> badLines) {

        Map<Long, Long> duplicated() {
            return ids.stream().collect(Collectors.groupingBy(id -> id, TreeMap::new, Collectors.counting()))
                    .entrySet().stream().filter(entry -> entry.getValue() > 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
        }

        int duplicates() {
            return ids.size() - new TreeSet<>(ids).size();
        }

        Set<Long> missing() {
            Set<Long> missing = new TreeSet<>(expected);
            missing.removeAll(ids);
            return missing;
        }

        Set<Long> unexpected() {
            Set<Long> unexpected = new TreeSet<>(ids);
            unexpected.removeAll(expected);
            return unexpected;
        }
    }

    private Set<Long> expectedIds() {
        return tc.executions().stream()
                .filter(execution -> "Failed".equals(execution.path("status").asText()))
                .map(execution -> execution.path("id").asLong())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private Set<Long> fileIds() throws IOException {
        Set<Long> ids = new TreeSet<>();
        for (ClusterNode node : nodes) {
            ids.addAll(node.alerts().ids());
        }
        return ids;
    }

    /** The union of every node's file sink. */
    private Delivery fileDelivery() throws IOException {
        List<Long> ids = new ArrayList<>();
        List<String> badLines = new ArrayList<>();
        for (ClusterNode node : nodes) {
            ClusterNode.Alerts alerts = node.alerts();
            ids.addAll(alerts.ids());
            alerts.badLines().forEach(line -> badLines.add(node.name() + ": " + line));
        }
        return new Delivery(ids, expectedIds(), badLines);
    }

    /** The whole topic, read until at least every expected failure's record is there (or the timeout). */
    private Delivery kafkaDelivery() {
        Set<Long> expected = expectedIds();
        List<ConsumerRecord<String, String>> records = kafka.consume(TOPIC, expected.size(), KAFKA_TIMEOUT);
        List<Long> ids = new ArrayList<>();
        List<String> badLines = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            List<JsonNode> documents = JsonLines.documents(record.value());
            JsonNode document = documents.size() == 1 ? documents.get(0) : JSON.nullNode();
            if (document.has("notice")) {
                continue;
            }
            if (document.path("id").canConvertToLong()) {
                ids.add(document.path("id").asLong());
            } else {
                badLines.add(record.value());
            }
        }
        return new Delivery(ids, expected, badLines);
    }

    private Map<String, Integer> linesPerNode() throws IOException {
        Map<String, Integer> lines = new TreeMap<>();
        for (ClusterNode node : nodes) {
            lines.put(node.name(), node.alerts().ids().size());
        }
        return lines;
    }

    private void report(String phase, Delivery files, Delivery kafkaRecords) {
        facts.put(phase + ": file sinks (lines, distinct, duplicated, missing, unexpected)", List.of(files.ids().size(),
                new TreeSet<>(files.ids()).size(), files.duplicated(), files.missing(), files.unexpected()));
        facts.put(phase + ": Kafka (records, distinct, duplicated, missing, unexpected)", List.of(kafkaRecords.ids().size(),
                new TreeSet<>(kafkaRecords.ids()).size(), kafkaRecords.duplicated(), kafkaRecords.missing(),
                kafkaRecords.unexpected()));
        softly.assertThat(files.unexpected()).as("%s: ids in the files that the simulator does not hold", phase).isEmpty();
        softly.assertThat(kafkaRecords.unexpected()).as("%s: ids in Kafka that the simulator does not hold", phase).isEmpty();
        softly.assertThat(kafkaRecords.badLines()).as("%s: Kafka records that are not one alert document", phase).isEmpty();
    }

    private static <T> Map<String, Long> countBy(Collection<T> items, Function<T, String> key) {
        return items.stream().collect(Collectors.groupingBy(key, TreeMap::new, Collectors.counting()));
    }
}

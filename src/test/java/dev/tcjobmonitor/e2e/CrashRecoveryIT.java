package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tcjobmonitor.simulator.Fault;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar as a daemon (a poll every second), killed with SIGKILL at several moments of a
 * poll that spans many slow pages, or stopped with SIGTERM mid-poll, and restarted on the same
 * state each time. What the README promises: nothing is lost, and a failure is delivered twice
 * only when a crash fell between the sink accepting it and the delivery being recorded. The file
 * sink takes a page in one write and records its ids in the next, so that is at most one page of
 * duplicates per SIGKILL, and none at all after graceful stops. Also checked: after every run,
 * the delivered-ids ledger names only alerts the files hold; at the end, every complete line of
 * the files is exactly one JSON document (JSON Lines, as a consumer reads them).
 * <p>
 * Each run's stdout and stderr are captured under the temporary folder and printed after the test
 * (target/failsafe-reports/dev.tcjobmonitor.e2e.CrashRecoveryIT-output.txt), with one line per
 * kill or stop saying what the files held then.
 */
class CrashRecoveryIT {

    private static final String ACCESS_ID = "crash-test-user";
    private static final String SECRET = "Crash-Test-S3cr3t/+=";
    private static final int PAGE_SIZE = 50;
    /** A page this late makes a poll of ~10 pages last seconds, so a kill can land inside it. */
    private static final Duration SLOW_PAGE = Duration.ofMillis(150);
    private static final Duration GRACEFUL_STOP_BOUND = Duration.ofSeconds(15);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    private static final Duration CONDITION_TIMEOUT = Duration.ofSeconds(25);

    @TempDir
    Path tempDir;

    private ThreatConnectSimulator tc;
    private Path appDir;
    private Path alertDir;
    private Path stateDir;
    private Path logDir;
    private final List<Run> runs = new ArrayList<>();
    private int kills;

    /** One start of the jar, its log files, and how it ended. */
    private record Run(int number, String label, Process process, Path stdout, Path stderr) {

        String log() {
            return read(stdout) + read(stderr);
        }

        private static String read(Path file) {
            try {
                return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            } catch (IOException e) {
                return "(cannot read " + file + ": " + e + ")";
            }
        }
    }

    /**
     * What the alert files hold: every id of every complete line (a line ends with \n; a cut-off
     * last line counts as not delivered), and the complete lines that are not exactly one JSON
     * object (a torn write that the next append was glued onto).
     */
    private record Alerts(List<Long> ids, List<String> badLines, String tornTail) {

        Set<Long> distinct() {
            return new TreeSet<>(ids);
        }

        int duplicates() {
            return ids.size() - distinct().size();
        }

        Map<Long, Long> duplicated() {
            return ids.stream().collect(Collectors.groupingBy(id -> id, TreeMap::new, Collectors.counting()))
                    .entrySet().stream().filter(entry -> entry.getValue() > 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        tc = ThreatConnectSimulator.start().withHmacUser(ACCESS_ID, SECRET);
        appDir = Files.createDirectories(tempDir.resolve("app"));
        alertDir = tempDir.resolve("alerts");
        stateDir = tempDir.resolve("state");
        logDir = Files.createDirectories(tempDir.resolve("logs"));
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            for (Run run : runs) {
                if (run.process().isAlive()) {
                    run.process().destroyForcibly();
                    run.process().waitFor(KILL_WAIT.toSeconds(), TimeUnit.SECONDS);
                }
            }
            // the children's logs, for whoever reads target/failsafe-reports/*-output.txt
            for (Run run : runs) {
                System.out.println("===== run " + run.number() + " (" + run.label() + ") =====");
                System.out.print(run.log());
            }
        } finally {
            tc.close();
        }
    }

    // --- scenarios ---------------------------------------------------------------------------

    @Test
    void sigkillAtAnyMomentOfAPollLosesNothingAndDuplicatesAtMostOneAlertPerKill() throws Exception {
        seedFailures(450, Instant.now());
        tc.addCompleted(7, Instant.now().minusSeconds(600));

        // 1. before the JVM is even up
        Run first = start("killed at once");
        kill(first);
        assertThat(readAlerts().ids()).as("nothing can have been written yet").isEmpty();

        // 2. mid-poll, while the first page is on its way: no line written yet
        tc.clearRequests();
        tc.enqueueFault(Fault.delay(Duration.ofSeconds(2)));
        Run second = start("killed during the first page");
        awaitInRun(second, "the first page request", () -> tc.requests().stream()
                .anyMatch(request -> request.target().contains("/v3/job/executions")));
        kill(second);
        assertThat(readAlerts().ids()).as("the first page was still on its way").isEmpty();

        // 3. right after the first alert line appeared (amid the first page's batch)
        slowPages(12);
        Run third = start("killed at the first line");
        awaitInRun(third, "the first alert line", () -> completeLines() >= 1);
        kill(third);
        Alerts afterThird = readAlerts();
        assertThat(afterThird.distinct()).as("the kill fell amid the poll").hasSizeLessThan(expectedIds().size());

        // more failures while the monitor is down
        Instant downSince = Instant.now();
        for (int i = 0; i < 5; i++) {
            tc.addFailed(40 + i, downSince.minusSeconds(30 + i), "failed between restarts " + i + "\n");
        }

        // 4. about half-way through the poll
        slowPages(12);
        Run fourth = start("killed half-way");
        int half = expectedIds().size() / 2;
        awaitInRun(fourth, "half of the alerts", () -> completeLines() >= half);
        kill(fourth);
        Alerts afterFourth = readAlerts();
        assertThat(afterFourth.distinct()).as("the kill fell amid the poll").hasSizeLessThan(expectedIds().size());
        // a failure whose failedTime falls while no monitor runs
        tc.addFailed(50, afterDown(fourth), "failed while the monitor was down\n");

        // 5. runs until everything is there and a poll has completed (the watermark moved), then
        // is killed wherever its 1-second polls are at that moment
        slowPages(4);
        Run fifth = start("runs to the end, then killed");
        awaitInRun(fifth, "every failure and a completed poll", Duration.ofMillis(50),
                () -> readAlerts().distinct().containsAll(expectedIds()) && countPollsDone(fifth) >= 1);
        kill(fifth);
        // failures while the watermark has advanced and the monitor is down: one now, one late
        // arrival from before the watermark (inside monitor.overlap)
        long whileDown = tc.addFailed(60, afterDown(fifth), "failed after the watermark, while down\n");
        long lateArrival = tc.addFailed(61, Instant.now().minusSeconds(120), "reported late\n");

        // 6. the last run: everything arrives, then a graceful stop
        Run sixth = start("final run");
        awaitInRun(sixth, "every failure", Duration.ofMillis(50), () -> readAlerts().distinct().containsAll(expectedIds()));
        stopGracefully(sixth);

        Alerts alerts = readAlerts();
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(alerts.distinct()).as("every failed execution the simulator holds, and nothing else")
                .isEqualTo(expectedIds());
        softly.assertThat(alerts.distinct()).contains(whileDown, lateArrival);
        softly.assertThat(alerts.duplicates())
                .as("duplicates (ids %s) after %d SIGKILLs: at most one page (%d) per kill", alerts.duplicated(), kills, PAGE_SIZE)
                .isLessThanOrEqualTo(kills * PAGE_SIZE);
        softly.assertThat(alerts.badLines()).as("complete lines that are not exactly one JSON document").isEmpty();
        softly.assertThat(alerts.tornTail()).as("a cut-off last line after a graceful stop").isEmpty();
        softly.assertThat(stateDir.resolve("default/watermark")).exists();
        report(softly, alerts);
        softly.assertAll();
    }

    @Test
    void sigtermMidPollStopsWithinABoundAndTheRestartDuplicatesNothing() throws Exception {
        seedFailures(450, Instant.now());

        // 1. SIGTERM right after the first alert line, with ~10 slow pages still to come
        slowPages(12);
        Run first = start("SIGTERM at the first line");
        awaitInRun(first, "the first alert line", () -> completeLines() >= 1);
        assertThat(readAlerts().distinct()).as("the poll is still under way").hasSizeLessThan(expectedIds().size());
        stopGracefully(first);
        Alerts afterFirst = readAlerts();
        assertThat(afterFirst.duplicates()).as("duplicated ids %s", afterFirst.duplicated()).isZero();
        assertThat(afterFirst.tornTail()).as("a graceful stop leaves no cut-off line").isEmpty();

        // more failures (the newest ids come first on the pages) from the last five minutes: inside
        // monitor.overlap (PT10M) of the watermark the first run may have saved, as fresh failures are
        Instant now = Instant.now();
        for (int i = 0; i < 200; i++) {
            tc.addFailed(20 + i % 5, now.minusSeconds(300).plusMillis(i * 1500L), "failed between restarts " + i + "\n");
        }
        tc.addFailed(30, afterDown(first), "failed while the monitor was down\n");

        // 2. SIGTERM half-way through the new ones
        int target = afterFirst.ids().size() + 100;
        slowPages(16);
        Run second = start("SIGTERM half-way");
        awaitInRun(second, "half of the new alerts", () -> completeLines() >= target);
        assertThat(readAlerts().distinct()).as("the poll is still under way").hasSizeLessThan(expectedIds().size());
        stopGracefully(second);
        Alerts afterSecond = readAlerts();
        assertThat(afterSecond.duplicates()).as("duplicated ids %s", afterSecond.duplicated()).isZero();

        // 3. a few more, then a run until everything is there and a poll has completed, then a
        // SIGTERM wherever its 1-second polls are
        for (int i = 0; i < 10; i++) {
            tc.addFailed(31 + i, afterDown(second).minusSeconds(i), "failed during the last stop " + i + "\n");
        }
        Run third = start("final run");
        awaitInRun(third, "every failure and a completed poll", Duration.ofMillis(50),
                () -> readAlerts().distinct().containsAll(expectedIds()) && countPollsDone(third) >= 1);
        stopGracefully(third);

        Alerts alerts = readAlerts();
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(alerts.distinct()).as("every failed execution the simulator holds, and nothing else")
                .isEqualTo(expectedIds());
        softly.assertThat(alerts.duplicates()).as("duplicated ids %s after graceful stops only", alerts.duplicated())
                .isZero();
        softly.assertThat(alerts.badLines()).as("complete lines that are not exactly one JSON document").isEmpty();
        softly.assertThat(alerts.tornTail()).as("a cut-off last line after a graceful stop").isEmpty();
        report(softly, alerts);
        softly.assertAll();
    }

    // --- the child process -------------------------------------------------------------------

    private Run start(String label) throws IOException {
        int number = runs.size() + 1;
        List<String> command = PackagedJar.command();
        Path stdout = logDir.resolve("run-" + number + ".stdout.log");
        Path stderr = logDir.resolve("run-" + number + ".stderr.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(appDir.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(key -> key.startsWith("TC_") || key.startsWith("MONITOR_") || key.startsWith("SINK"));
        // its management server on a port the system picks as it binds: nothing here reads it
        environment.put("CAMEL_MANAGEMENT_PORT", "0");
        environment.putAll(Map.of(
                "TC_BASE_URL", tc.baseUrl(),
                "TC_ACCESS_ID", ACCESS_ID,
                "TC_SECRET_KEY", SECRET,
                "MONITOR_CRON", "0/1 * * * * ?",
                "MONITOR_LOOKBACK", "PT2H",
                "MONITOR_PAGE_SIZE", String.valueOf(PAGE_SIZE),
                "SINK_FILE_DIRECTORY", alertDir.toString(),
                "MONITOR_STATE_DIR", stateDir.toString()));
        Run run = new Run(number, label, builder.start(), stdout, stderr);
        runs.add(run);
        return run;
    }

    /** SIGKILL (destroyForcibly on Linux), and wait until the process is gone. */
    private void kill(Run run) throws InterruptedException, IOException {
        assertThat(run.process().isAlive()).as("run %d (%s) is alive to be killed:%n%s", run.number(), run.label(), run.log())
                .isTrue();
        run.process().destroyForcibly();
        kills++;
        assertThat(run.process().waitFor(KILL_WAIT.toSeconds(), TimeUnit.SECONDS)).as("the killed process is gone").isTrue();
        describeAfter(run, "SIGKILL");
    }

    /**
     * Logs what the files hold after a run ended, and checks the README's state promise: every
     * execution the delivered-ids ledger names is really in the alert files.
     */
    private void describeAfter(Run run, String how) throws IOException {
        Alerts alerts = readAlerts();
        assertThat(alerts.distinct()).as("after %s of run %d (%s), the ledger names only alerts the files hold", how,
                run.number(), run.label()).containsAll(ledgerIds());
        System.out.printf("after %s of run %d (%s): %d complete line(s), %d id(s), duplicated %s, bad lines %s,"
                + " cut-off last line %s%n", how, run.number(), run.label(), alerts.ids().size(), alerts.distinct().size(),
                alerts.duplicated(), alerts.badLines(), alerts.tornTail().isEmpty() ? "none" : "'" + alerts.tornTail() + "'");
    }

    /** SIGTERM (destroy on Linux): the process must finish on its own within the bound. */
    private void stopGracefully(Run run) throws InterruptedException, IOException {
        assertThat(run.process().isAlive()).as("run %d (%s) is alive to be stopped:%n%s", run.number(), run.label(), run.log())
                .isTrue();
        long started = System.nanoTime();
        run.process().destroy();
        boolean exited = run.process().waitFor(GRACEFUL_STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(exited).as("run %d (%s) exits within %s of SIGTERM:%n%s", run.number(), run.label(),
                GRACEFUL_STOP_BOUND, run.log()).isTrue();
        System.out.printf("run %d (%s) stopped %d ms after SIGTERM, exit status %d%n", run.number(), run.label(),
                Duration.ofNanos(System.nanoTime() - started).toMillis(), run.process().exitValue());
        describeAfter(run, "SIGTERM");
    }

    /** Waits for {@code condition}, giving up at once if the run died. */
    private void awaitInRun(Run run, String what, Callable<Boolean> condition) {
        awaitInRun(run, what, Duration.ofMillis(5), condition);
    }

    private void awaitInRun(Run run, String what, Duration pollInterval, Callable<Boolean> condition) {
        await(what + " in run " + run.number() + " (" + run.label() + ")")
                .atMost(CONDITION_TIMEOUT)
                .pollDelay(Duration.ZERO)
                .pollInterval(pollInterval)
                .failFast("run " + run.number() + " (" + run.label() + ") exited on its own", () -> !run.process().isAlive())
                .until(condition);
    }

    private int countPollsDone(Run run) {
        return (int) run.log().lines().filter(line -> line.contains("Poll of 'default' done")).count();
    }

    // --- data ----------------------------------------------------------------------------------

    /** {@code count} failures spread over the hour before {@code now}, of a few jobs. */
    private void seedFailures(int count, Instant now) {
        long step = Duration.ofHours(1).toMillis() / count;
        for (int i = 0; i < count; i++) {
            tc.addFailed(100 + i % 7, now.minus(Duration.ofHours(1)).plusMillis(i * step + 1000), "failure " + i + "\n");
        }
    }

    /** The next {@code pages} requests answer late. */
    private void slowPages(int pages) {
        for (int i = 0; i < pages; i++) {
            tc.enqueueFault(Fault.delay(SLOW_PAGE));
        }
    }

    /**
     * A failure time strictly inside the stretch when no monitor runs: after the kill of
     * {@code run} (rounded up to ThreatConnect's whole seconds), long before the next process
     * can poll (its JVM and Camel take seconds to start).
     */
    private static Instant afterDown(Run run) {
        assertThat(run.process().isAlive()).isFalse();
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    }

    private Set<Long> expectedIds() {
        return tc.executions().stream()
                .filter(execution -> "Failed".equals(execution.path("status").asText()))
                .map(execution -> execution.path("id").asLong())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The execution ids of the file sink's delivered-ids ledger (complete lines only). */
    private Set<Long> ledgerIds() throws IOException {
        Path ledger = stateDir.resolve("default/delivered-file.tsv");
        Set<Long> ids = new TreeSet<>();
        if (Files.exists(ledger)) {
            String content = Files.readString(ledger, StandardCharsets.UTF_8);
            for (String line : content.substring(0, content.lastIndexOf('\n') + 1).split("\n")) {
                if (!line.isEmpty()) {
                    ids.add(Long.parseLong(line.substring(0, line.indexOf('\t'))));
                }
            }
        }
        return ids;
    }

    /** How many lines the alert files end so far: cheap enough to watch every few milliseconds. */
    private long completeLines() throws IOException {
        if (!Files.isDirectory(alertDir)) {
            return 0;
        }
        long lines = 0;
        try (var listing = Files.list(alertDir)) {
            for (Path file : listing.toList()) {
                for (byte b : Files.readAllBytes(file)) {
                    if (b == '\n') {
                        lines++;
                    }
                }
            }
        }
        return lines;
    }

    private Alerts readAlerts() throws IOException {
        List<Long> ids = new ArrayList<>();
        List<String> badLines = new ArrayList<>();
        StringBuilder tornTail = new StringBuilder();
        if (!Files.isDirectory(alertDir)) {
            return new Alerts(ids, badLines, "");
        }
        List<Path> files;
        try (var listing = Files.list(alertDir)) {
            files = listing.filter(file -> file.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
        for (Path file : files) {
            String content = Files.readString(file, StandardCharsets.UTF_8);
            int end = content.lastIndexOf('\n') + 1;
            tornTail.append(content.substring(end));
            for (String line : content.substring(0, end).split("\n")) {
                List<JsonNode> documents = JsonLines.documents(line);
                if (documents.size() != 1 || documents.size() == 1 && !documents.get(0).path("id").canConvertToLong()) {
                    badLines.add(file.getFileName() + ": " + line);
                }
                // what a lenient reader recovers from a bad line still counts as received
                documents.stream().filter(document -> document.path("id").canConvertToLong())
                        .forEach(document -> ids.add(document.path("id").asLong()));
            }
        }
        return new Alerts(ids, badLines, tornTail.toString());
    }

    /** The facts, in the test's output (every run's log follows from tearDown). */
    private void report(SoftAssertions softly, Alerts alerts) {
        Set<Long> missing = new TreeSet<>(expectedIds());
        missing.removeAll(alerts.distinct());
        Map<String, Object> facts = new TreeMap<>();
        facts.put("kills", kills);
        facts.put("lines", alerts.ids().size());
        facts.put("expected ids", expectedIds().size());
        facts.put("assertions passed", softly.wasSuccess());
        facts.put("missing ids", missing);
        facts.put("duplicated ids", alerts.duplicated());
        facts.put("bad lines", alerts.badLines());
        facts.put("torn tail", alerts.tornTail());
        System.out.println("CrashRecoveryIT findings: " + facts);
    }
}

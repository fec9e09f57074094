package dev.tcjobmonitor;

import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code --demo}: the built-in ThreatConnect simulator, seeded with an hour of executions (every
 * third one failed) and fed one failure every minute, the first {@link #FIRST_FAILURE} after start,
 * with completed executions around it; the monitor is pointed at it with fresh HMAC credentials and
 * polls at start and then every 30 seconds, so whoever watches sees the seeded failures at once and
 * a new failure arrive within a minute, and every minute after.
 * <p>
 * A demo may be started in an install folder, beside a real configuration: it touches none of it.
 * Only the shipped monitor {@code default} runs (not the operator's routes/), with its state in a
 * temporary folder deleted at exit, no cluster, and the file sink only, writing under
 * {@link #DEMO_ALERTS} (the first line printed names it); the operator's job filters are not applied.
 */
final class DemoMode implements AutoCloseable {

    private static final List<String> FAILURES = List.of(
            "Failed for status (404)\n",
            "Connection to https://feeds.example.org/indicators timed out after 30s\n",
            "API credentials for the enrichment service were rejected (401)\n",
            "Playbook server unavailable\n",
            "Out of memory while parsing feed: 2.1 GB CSV\n");
    private static final long[] JOBS = {100, 174, 201, 202, 305};

    private final ThreatConnectSimulator simulator;
    private final String accessId = "demo-api-user";
    private final String secretKey;
    /** Where the demo's alerts go, relative to the working directory. */
    static final Path DEMO_ALERTS = Path.of("data", "demo", "alerts");

    /** How often the feeder looks at the clock for executions that are due. */
    private static final Duration TICK = Duration.ofSeconds(1);
    /**
     * The first new failure is due this long after start: the cron's next poll (every 30 s) then
     * delivers it within a minute of start.
     */
    static final Duration FIRST_FAILURE = Duration.ofSeconds(30);
    static final Duration FAILURE_PERIOD = Duration.ofMinutes(1);
    /** The seeded hour: an execution every 3 minutes, every third of them failed. */
    private static final int SEEDED_EXECUTIONS = 19;

    private final Clock clock;
    private final ScheduledExecutorService feeder;
    private final Path stateDir;
    private final Random random = new Random();
    /** When the next minute's executions are due. */
    private Instant nextFeed;

    /**
     * The simulator seeded at {@code clock}'s now; nothing more is added until {@link #feedDue()}
     * is called ({@link #start()} calls it every second).
     */
    DemoMode(Clock clock) {
        this.clock = clock;
        try {
            stateDir = Files.createTempDirectory("tc-job-monitor-demo-state-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary state folder for the demo", e);
        }
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        secretKey = Base64.getEncoder().encodeToString(secret);
        simulator = ThreatConnectSimulator.start().withHmacUser(accessId, secretKey);
        Instant now = clock.instant();
        for (int i = SEEDED_EXECUTIONS; i > 0; i--) {
            Instant at = now.minus(Duration.ofMinutes(3L * i - 2));
            if (i % 3 == 0) {
                addFailed(at);
            } else {
                addCompleted(at);
            }
        }
        nextFeed = now.plus(FIRST_FAILURE);
        feeder = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tc-demo-feed");
            thread.setDaemon(true);
            return thread;
        });
    }

    static DemoMode start() {
        DemoMode demo = new DemoMode(Clock.systemUTC());
        demo.feeder.scheduleAtFixedRate(demo::feedDue, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
        return demo;
    }

    /**
     * When a minute's executions are due by the clock: two completed executions of the past seconds
     * and one failure, stamped now. One minute's worth at most, however late the call (a machine
     * that slept does not get a burst of failures on waking).
     */
    synchronized void feedDue() {
        Instant now = clock.instant();
        if (now.isBefore(nextFeed)) {
            return;
        }
        addCompleted(now.minusSeconds(40));
        addCompleted(now.minusSeconds(20));
        addFailed(now);
        nextFeed = nextFeed.plus(FAILURE_PERIOD);
        if (!nextFeed.isAfter(now)) {
            nextFeed = now.plus(FAILURE_PERIOD);
        }
    }

    private void addFailed(Instant at) {
        simulator.addFailed(JOBS[random.nextInt(JOBS.length)], at, FAILURES.get(random.nextInt(FAILURES.size())));
    }

    private void addCompleted(Instant at) {
        simulator.addCompleted(JOBS[random.nextInt(JOBS.length)], at);
    }

    /** The demo's ThreatConnect. */
    ThreatConnectSimulator simulator() {
        return simulator;
    }

    /** Settings that point the monitor at the simulator; they win over every other source. */
    Properties overrides() {
        Properties properties = new Properties();
        properties.setProperty("tc.base-url", simulator.baseUrl());
        properties.setProperty("tc.access-id", accessId);
        properties.setProperty("tc.secret-key", secretKey);
        properties.setProperty("tc.api-token", "");
        properties.setProperty("monitor.cron", "0/30 * * * * ?");
        // nothing of a real installation: its own state, no cluster, the file sink only, under
        // a folder named demo, and no filter meant for the real instance's jobs
        properties.setProperty("monitor.state-dir", stateDir.toString());
        properties.setProperty("monitor.cluster.enabled", "false");
        properties.setProperty("sinks", "file");
        properties.setProperty("sink.file.directory", DEMO_ALERTS.toString());
        properties.setProperty("monitor.job-ids", "");
        properties.setProperty("monitor.exclude-job-ids", "");
        properties.setProperty("monitor.extra-tql", "");
        return properties;
    }

    String describe() {
        return "Demo: alerts go to " + DEMO_ALERTS.toAbsolutePath() + " (file sink only; the configured sinks,"
                + " state and routes/ are not used), state to " + stateDir + " (deleted at exit); ThreatConnect"
                + " simulator at " + simulator.baseUrl() + " (" + SEEDED_EXECUTIONS + " executions of the last hour seeded, "
                + SEEDED_EXECUTIONS / 3 + " of them failed; one new failure every minute from " + FIRST_FAILURE.toSeconds()
                + " s after start, delivered by the next poll, every 30 s)";
    }

    @Override
    public void close() {
        feeder.shutdownNow();
        simulator.close();
        deleteStateDir();
    }

    private void deleteStateDir() {
        try (Stream<Path> files = Files.walk(stateDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException | UncheckedIOException e) {
            // a temporary folder: the system cleans it up in the end
        }
    }
}

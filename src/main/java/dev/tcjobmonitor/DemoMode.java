package dev.tcjobmonitor;

import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
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
 * {@code --demo}: the built-in ThreatConnect simulator, seeded with an hour of executions and fed a
 * few more every minute, some of them failed; the monitor is pointed at it with fresh HMAC
 * credentials and polls every 30 seconds.
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

    private final ScheduledExecutorService feeder;
    private final Path stateDir;
    private final Random random = new Random();

    private DemoMode() {
        try {
            stateDir = Files.createTempDirectory("tc-job-monitor-demo-state-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary state folder for the demo", e);
        }
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        secretKey = Base64.getEncoder().encodeToString(secret);
        simulator = ThreatConnectSimulator.start().withHmacUser(accessId, secretKey);
        Instant now = Instant.now();
        for (int minute = 55; minute > 0; minute -= 3) {
            addExecution(now.minus(Duration.ofMinutes(minute)));
        }
        feeder = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tc-demo-feed");
            thread.setDaemon(true);
            return thread;
        });
        feeder.scheduleAtFixedRate(() -> {
            for (int i = 0; i < 3; i++) {
                addExecution(Instant.now());
            }
        }, 1, 1, TimeUnit.MINUTES);
    }

    static DemoMode start() {
        return new DemoMode();
    }

    private synchronized void addExecution(Instant at) {
        long job = JOBS[random.nextInt(JOBS.length)];
        if (random.nextInt(3) == 0) {
            simulator.addFailed(job, at, FAILURES.get(random.nextInt(FAILURES.size())));
        } else {
            simulator.addCompleted(job, at);
        }
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
                + " simulator at " + simulator.baseUrl() + " (" + simulator.executions().size()
                + " executions seeded, 3 more every minute)";
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

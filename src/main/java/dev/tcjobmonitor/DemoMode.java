package dev.tcjobmonitor;

import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code --demo}: the built-in ThreatConnect simulator, seeded with an hour of executions and fed a
 * few more every minute, some of them failed; the monitor is pointed at it with fresh HMAC
 * credentials and polls every 30 seconds.
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
    private final ScheduledExecutorService feeder;
    private final Random random = new Random();

    private DemoMode() {
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
        return properties;
    }

    String describe() {
        return "Demo: ThreatConnect simulator at " + simulator.baseUrl() + " (" + simulator.executions().size()
                + " executions seeded, 3 more every minute)";
    }

    @Override
    public void close() {
        feeder.shutdownNow();
        simulator.close();
    }
}

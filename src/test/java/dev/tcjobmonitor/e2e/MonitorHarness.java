package dev.tcjobmonitor.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.Application;
import dev.tcjobmonitor.monitor.JobMonitor;
import dev.tcjobmonitor.monitor.MonitorHealthCheck;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.monitor.PollHistory;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.camel.main.Main;

/**
 * The real application (shipped YAML, routes/monitor.camel.yaml, application.properties) pointed
 * at a simulator, with state and alerts in a temporary folder. Polls run when a test asks, never
 * on the clock: the cron is set to a date that does not come.
 */
final class MonitorHarness implements AutoCloseable {

    static final String ACCESS_ID = "test-api-user";
    static final String SECRET_KEY = "S3cr3t-Key-For-Tests/+=";
    private static final ObjectMapper JSON = new ObjectMapper();

    final ThreatConnectSimulator simulator;
    final Path stateDir;
    final Path alertDir;
    /** monitor.silences-file: in the test's folder, never the working directory's silences.yaml. */
    final Path silencesFile;
    private final Properties properties = new Properties();
    private final List<String> extraRoutes = new ArrayList<>();
    private Main main;
    private boolean closed;

    MonitorHarness(Path tempDir) {
        simulator = ThreatConnectSimulator.start().withHmacUser(ACCESS_ID, SECRET_KEY);
        stateDir = tempDir.resolve("state");
        alertDir = tempDir.resolve("alerts");
        silencesFile = tempDir.resolve("silences.yaml");
        set("tc.base-url", simulator.baseUrl());
        set("tc.access-id", ACCESS_ID);
        set("tc.secret-key", SECRET_KEY);
        set("tc.api-token", "");
        set("monitor.cron", "0 0 0 1 1 ? 2099");
        set("monitor.state-dir", stateDir.toString());
        set("sink.file.directory", alertDir.toString());
        set("monitor.silences-file", silencesFile.toString());
        // no management HTTP server unless a test asks for one (on a port of its own)
        set("camel.management.enabled", "false");
        // retries within a poll, quick enough for tests
        set("tc.retry-initial-delay", "PT0.05S");
        set("tc.retry-max-delay", "PT0.2S");
        set("tc.retry-after-cap", "PT2S");
        set("tc.retry-budget", "PT1S");
    }

    MonitorHarness set(String key, String value) {
        properties.setProperty(key, value);
        return this;
    }

    /**
     * Loads this route file too, as if it were in the operator's routes/ folder beside
     * routes/monitor.camel.yaml.
     */
    MonitorHarness routes(Path file) {
        extraRoutes.add("file:" + file.toAbsolutePath());
        return this;
    }

    MonitorHarness start() throws Exception {
        main = Application.createMain(properties);
        if (!extraRoutes.isEmpty()) {
            main.configure().withRoutesIncludePattern(
                    main.configure().getRoutesIncludePattern() + "," + String.join(",", extraRoutes));
        }
        main.start();
        return this;
    }

    /**
     * Stops the application and starts it again on the same state, alerts and simulator: the next
     * run of the command, e.g. a second {@code --since}, which knows only what the first left on disk.
     */
    MonitorHarness restart() throws Exception {
        main.stop();
        return start();
    }

    org.apache.camel.CamelContext context() {
        return main.getCamelContext();
    }

    /** The started monitor called {@code name} (the default one is "default"): its --check probe and job names. */
    JobMonitor monitor(String name) {
        return java.util.Objects.requireNonNull(main.getCamelContext().getRegistry()
                .lookupByNameAndType(MonitorHealthCheck.POLL_HISTORY, PollHistory.class).monitors().get(name), "no monitor " + name);
    }

    /** One poll of every monitor, through Quartz and the route, as the schedule would run it. */
    Poll poll() throws InterruptedException {
        List<Poll> polls = Application.pollAllNow(main.getCamelContext());
        return polls.get(0);
    }

    /** Every alert line written so far, parsed. */
    List<JsonNode> alerts() {
        List<JsonNode> alerts = new ArrayList<>();
        if (!Files.isDirectory(alertDir)) {
            return alerts;
        }
        try (var files = Files.list(alertDir)) {
            for (Path file : files.sorted().toList()) {
                for (String line : Files.readAllLines(file)) {
                    alerts.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return alerts;
    }

    List<Long> alertedIds() {
        return alerts().stream().map(alert -> alert.get("id").asLong()).sorted().toList();
    }

    Optional<String> watermark() throws IOException {
        Path file = stateDir.resolve("default").resolve("watermark");
        return Files.exists(file) ? Optional.of(Files.readString(file).strip()) : Optional.empty();
    }

    /** Stops the monitor and its simulator; once, however often it is called (a test may close a harness early). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (main != null) {
            main.stop();
        }
        simulator.close();
    }
}

package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Camel Main applications of other people's that embed the packaged jar, started as their users
 * start them: {@code java -cp tc-job-monitor.jar:lib/*:<the application's resources>
 * org.apache.camel.main.Main}, in a working folder of their own, with the ThreatConnect
 * credentials in the environment. Each application (src/test/hosts/) keeps its own routes in
 * {@code classpath:camel/}, the folder Camel Main loads by default from every jar on the class
 * path; tc-job-monitor's classes and route files come from the jar the build produced only.
 */
@Execution(ExecutionMode.CONCURRENT)
class CamelMainHostIT {

    private static final String SECRET = "Soc-Host-S3cret/+=";
    private static final Path HOSTS = Path.of("src/test/hosts");
    /** A start of a fresh JVM plus a poll every two seconds, on a busy two-core machine: generous. */
    private static final Duration DELIVERY = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path workDir;

    @Test
    void aHostWithItsOwnRoutesInCamelsDefaultFolderStartsWithTheJarOnItsClassPathAndConsumesTheKamelet() throws Exception {
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser("soc-user", SECRET)) {
            long failure = tc.addFailed(41, Instant.now().minusSeconds(60), "feed down\n");

            try (Host host = Host.start(HOSTS.resolve("camel-main-kamelet"), workDir, tc)) {
                JsonNode ticket = host.awaitJson(workDir.resolve("data/tickets/" + failure + ".json"));

                assertThat(ticket.path("id").asLong()).isEqualTo(failure);
                assertThat(ticket.path("monitor").path("instance").asText()).isEqualTo("soc");
                assertThat(workDir.resolve("data/tc-state/soc")).as("the Kamelet's stateDir").isDirectory();
                // Camel's default folder held the application's route only: none of the module's
                // route files (they would have needed tc-job-monitor's settings to load at all)
                assertThat(host.output()).contains("Started soc-failures").doesNotContain("tc-sink-", "tc-deliver")
                        .doesNotContain(SECRET);
            }
        }
    }

    @Test
    void aHostRunsTheMonitorTemplateBesideItsOwnRoutesLoadingTheModulesRouteFolderExplicitly() throws Exception {
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser("soc-user", SECRET)) {
            long failure = tc.addFailed(42, Instant.now().minusSeconds(60), "enrichment timed out\n");

            try (Host host = Host.start(HOSTS.resolve("camel-main-template"), workDir, tc)) {
                // the monitor hands the failure to the application's route (failuresTo), which
                // writes its ticket and passes it on to the module's file sink
                JsonNode ticket = host.awaitJson(workDir.resolve("data/tickets/" + failure + ".json"));
                List<JsonNode> alerts = host.awaitJsonLines(workDir.resolve("data/alerts"));

                assertThat(ticket.path("id").asLong()).isEqualTo(failure);
                // the application's own settings win over the module's defaults (data/state)
                assertThat(workDir.resolve("data/tc-state/soc")).isDirectory();
                assertThat(workDir.resolve("data/state")).doesNotExist();
                assertThat(alerts).singleElement().satisfies(alert -> {
                    assertThat(alert.path("id").asLong()).isEqualTo(failure);
                    assertThat(alert.path("monitor").path("instance").asText()).isEqualTo("soc");
                });
                assertThat(host.output()).contains("Started soc-ticket", "Started soc-tc-monitor", "Started tc-sink-file")
                        .doesNotContain(SECRET);
            }
        }
    }

    @Test
    void theReadmesCamelMainSettingsAreTheOnesThisHostRuns() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String section = readme.substring(readme.indexOf("## Inside an existing Camel application"));
        String block = section.substring(section.indexOf("```properties\n") + "```properties\n".length());
        List<String> settings = block.substring(0, block.indexOf("```")).lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();

        assertThat(settings).isNotEmpty();
        assertThat(Files.readAllLines(HOSTS.resolve("camel-main-template/application.properties"))).containsAll(settings);
    }

    /** The application as a child process in {@code workDir}, its output captured to files. */
    private record Host(Process process, Path stdout, Path stderr) implements AutoCloseable {

        static Host start(Path resources, Path workDir, ThreatConnectSimulator tc) throws IOException {
            ProcessBuilder builder = new ProcessBuilder(PackagedJar.hostCommand(resources, "org.apache.camel.main.Main"))
                    .directory(workDir.toFile())
                    .redirectOutput(workDir.resolve("stdout.txt").toFile())
                    .redirectError(workDir.resolve("stderr.txt").toFile());
            Map<String, String> environment = builder.environment();
            environment.keySet().removeIf(key -> key.startsWith("TC_") || key.startsWith("MONITOR_")
                    || key.startsWith("SINK") || key.startsWith("CAMEL_") || key.startsWith("SOC_"));
            // the application's own keys, as its deployment sets them (Camel reads SOC_THREATCONNECT_URL
            // for soc.threatconnect.url)
            environment.put("SOC_THREATCONNECT_URL", tc.baseUrl());
            environment.put("SOC_THREATCONNECT_ACCESS_ID", "soc-user");
            environment.put("SOC_THREATCONNECT_SECRET_KEY", SECRET);
            return new Host(builder.start(), workDir.resolve("stdout.txt"), workDir.resolve("stderr.txt"));
        }

        String output() throws IOException {
            return Files.readString(stdout) + Files.readString(stderr);
        }

        /** The JSON document in {@code file}, once the application wrote it; fails at once if it stopped. */
        JsonNode awaitJson(Path file) {
            return await().atMost(DELIVERY).until(() -> {
                stillRunning();
                return Files.isRegularFile(file) ? parse(Files.readString(file)) : null;
            }, json -> json != null);
        }

        /** The file sink's JSON lines under {@code directory}, once there is a complete one. */
        List<JsonNode> awaitJsonLines(Path directory) {
            return await().atMost(DELIVERY).until(() -> {
                stillRunning();
                List<JsonNode> documents = new ArrayList<>();
                if (Files.isDirectory(directory)) {
                    try (var files = Files.list(directory)) {
                        for (Path file : files.toList()) {
                            for (String line : Files.readString(file).split("\n")) {
                                if (!line.isBlank()) {
                                    documents.addAll(JsonLines.documents(line));
                                }
                            }
                        }
                    }
                }
                return documents;
            }, documents -> !documents.isEmpty() && documents.stream().noneMatch(JsonNode::isNull));
        }

        private void stillRunning() throws IOException {
            if (!process.isAlive()) {
                throw new IllegalStateException("the application stopped (exit " + process.exitValue() + "):\n" + output());
            }
        }

        /** A file still being written does not parse yet: null, and the wait goes on. */
        private static JsonNode parse(String text) {
            try {
                return text.isBlank() ? null : JSON.readTree(text);
            } catch (IOException e) {
                return null;
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}

package dev.tcjobmonitor.e2e;

import dev.tcjobmonitor.support.Docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Camel Main applications of other people's that embed the packaged jar, started as their users
 * start them: {@code java -cp <the class path of an application that depends on tc-job-monitor>:<the
 * application's resources> org.apache.camel.main.Main}, in a working folder of their own, with the
 * ThreatConnect credentials in the environment. The class path is the one Maven resolves for such an
 * application (src/test/hosts/core-only/pom.xml): the module's core dependencies only, none of the
 * optional ones, with the jar this build produced. Each application (src/test/hosts/) keeps its own
 * routes in {@code classpath:camel/}, the folder Camel Main loads by default from every jar on the
 * class path; tc-job-monitor's classes and route files come from that jar only.
 */
@Execution(ExecutionMode.CONCURRENT)
class CamelMainHostIT {

    private static final String SECRET = "Soc-Host-S3cret/+=";
    private static final Path HOSTS = Path.of("src/test/hosts");
    /**
     * The artifacts of the optional dependencies (cluster: PostgreSQL, HikariCP; management server:
     * Vert.x, camel-management, Prometheus; Kafka; email) and of what they bring ("*": any ending).
     */
    private static final List<String> OPTIONAL = List.of("postgresql", "HikariCP", "camel-platform-http*", "vertx-*",
            "camel-management", "camel-micrometer*", "micrometer-*", "prometheus-*", "camel-kafka", "kafka-clients",
            "camel-mail", "jakarta.mail*", "angus-mail");

    @TempDir
    Path workDir;

    @Test
    void anApplicationThatDependsOnTheModuleGetsNoneOfItsOptionalDependencies() throws IOException {
        assertThat(PackagedJar.resolvedClassPath("core-only", workDir.resolve("repository")))
                .map(path -> path.getFileName().toString().replaceFirst("-\\d[^-]*(-SNAPSHOT)?\\.jar$", ""))
                .contains("tc-job-monitor", "camel-kamelet", "camel-quartz", "camel-http", "camel-yaml-dsl", "camel-health")
                .noneMatch(artifact -> OPTIONAL.stream().anyMatch(name -> name.endsWith("*")
                        ? artifact.startsWith(name.substring(0, name.length() - 1)) : artifact.equals(name)));
    }

    @Test
    void aHostWithItsOwnRoutesInCamelsDefaultFolderStartsWithTheJarOnItsClassPathAndConsumesTheKamelet() throws Exception {
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser(EmbeddingHost.ACCESS_ID, SECRET)) {
            long failure = tc.addFailed(41, Instant.now().minusSeconds(60), "feed down\n");

            try (EmbeddingHost host = start("camel-main-kamelet", workDir, tc)) {
                JsonNode ticket = host.awaitJson(workDir.resolve("data/tickets/" + failure + ".json"));

                assertThat(ticket.path("id").asLong()).isEqualTo(failure);
                assertThat(ticket.path("monitor").path("instance").asText()).isEqualTo("soc");
                assertThat(workDir.resolve("data/tc-state/soc")).as("the Kamelet's stateDir").isDirectory();
                // Camel's default folder held the application's route only: none of the module's
                // route files (they would have needed tc-job-monitor's settings to load at all)
                assertThat(host.output()).contains("Started soc-failures").doesNotContain("tc-sink-", "tc-deliver")
                        .doesNotContain("Exception", SECRET);
            }
        }
    }

    @Test
    void aHostRunsTheMonitorTemplateBesideItsOwnRoutesLoadingTheModulesRouteFolderExplicitly() throws Exception {
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser(EmbeddingHost.ACCESS_ID, SECRET)) {
            long failure = tc.addFailed(42, Instant.now().minusSeconds(60), "enrichment timed out\n");

            try (EmbeddingHost host = start("camel-main-template", workDir, tc)) {
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
                // without camel-kafka and camel-mail the shipped Kafka and email sinks are left out
                assertThat(host.output()).contains("Started soc-ticket", "Started soc-tc-monitor", "Started tc-sink-file")
                        .doesNotContain("tc-sink-kafka", "tc-sink-email", "Exception", SECRET);
            }
        }
    }

    @Test
    void aHostWithoutCamelKafkaWhoseMonitorNamesTheKafkaSinkIsToldWhichArtifactToAdd() throws Exception {
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser(EmbeddingHost.ACCESS_ID, SECRET)) {
            // the application's sinks, from its environment (Camel reads SINKS for sinks)
            try (EmbeddingHost host = start("camel-main-template", workDir, tc, Map.of("SINKS", "file,kafka"))) {
                assertThat(host.awaitExit()).isNotZero();

                assertThat(host.output())
                        .contains("invalid setting sinks of monitor 'soc': sink 'kafka' needs org.apache.camel:camel-kafka on the class path")
                        .doesNotContain("ClassNotFoundException", "NoClassDefFoundError", "No component found", SECRET);
                assertThat(tc.requests()).as("no poll").isEmpty();
            }
        }
    }

    @Test
    void aHostWithoutTheClusterDependenciesThatTurnsClusterModeOnIsToldWhichArtifactsToAdd() throws Exception {
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser(EmbeddingHost.ACCESS_ID, SECRET)) {
            try (EmbeddingHost host = start("camel-main-template", workDir, tc, Map.of("MONITOR_CLUSTER_ENABLED", "true",
                    "MONITOR_CLUSTER_JDBC_URL", "jdbc:postgresql://127.0.0.1:1/tc_monitor"))) {
                assertThat(host.awaitExit()).isNotZero();

                assertThat(host.output())
                        .contains("invalid setting monitor.cluster.enabled: cluster mode needs com.zaxxer:HikariCP and"
                                + " org.postgresql:postgresql on the class path")
                        .doesNotContain("ClassNotFoundException", "NoClassDefFoundError", SECRET);
                assertThat(tc.requests()).as("no poll").isEmpty();
            }
        }
    }

    @Test
    void theReadmesCamelMainSettingsAreTheOnesThisHostRuns() throws IOException {
        List<String> settings = Docs.firstBlock(Docs.section("Inside an existing Camel application"), "properties").lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();

        assertThat(settings).isNotEmpty();
        assertThat(Files.readAllLines(HOSTS.resolve("camel-main-template/application.properties"))).containsAll(settings);
    }

    /**
     * The application {@code src/test/hosts/<host>}, on the class path Maven resolves for an
     * application that depends on tc-job-monitor (core-only/pom.xml): the module's core dependencies,
     * none of the optional ones; then the application's own folder.
     */
    private EmbeddingHost start(String host, Path workDir, ThreatConnectSimulator tc) throws IOException {
        return start(host, workDir, tc, Map.of());
    }

    private EmbeddingHost start(String host, Path workDir, ThreatConnectSimulator tc, Map<String, String> environment)
            throws IOException {
        List<Path> classPath = new ArrayList<>(PackagedJar.resolvedClassPath("core-only", workDir.resolve("repository")));
        classPath.add(HOSTS.resolve(host).toAbsolutePath());
        return EmbeddingHost.start(PackagedJar.hostCommand(classPath, "org.apache.camel.main.Main"), workDir, tc, SECRET,
                environment);
    }
}

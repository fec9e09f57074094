package dev.tcjobmonitor.e2e;

import dev.tcjobmonitor.support.Docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Camel Spring Boot application of other people's (src/test/hosts/spring-boot: Spring Boot 3.5,
 * camel-spring-boot 4.18 starters, Actuator, Prometheus) that depends on tc-job-monitor and consumes
 * its Kamelet from a YAML route of its own in {@code classpath:camel/}. Its build resolved it with
 * Maven as it is (maven-invoker-plugin, target/hosts/spring-boot/); it runs as its developers run it
 * ({@code java -cp <its classes and dependencies> org.example.soc.SocApplication}), with the jar this
 * build produced in place of the artifact, so a packaging mistake fails it.
 */
class SpringBootHostIT {

    private static final String SECRET = "Soc-Boot-S3cret/+=";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");

    @TempDir
    Path workDir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aSpringBootApplicationConsumesTheKameletAndShowsTheMonitorsHealthAndMetricsThroughActuator() throws Exception {
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser(EmbeddingHost.ACCESS_ID, SECRET)) {
            long failure = tc.addFailed(43, Instant.now().minusSeconds(60), "feed down\n");

            try (EmbeddingHost host = EmbeddingHost.start(command(workDir), workDir, tc, SECRET)) {
                // the application's route writes each failure the Kamelet emits as a ticket
                JsonNode ticket = host.awaitJson(workDir.resolve("data/tickets/" + failure + ".json"));
                assertThat(ticket.path("id").asLong()).isEqualTo(failure);
                assertThat(ticket.path("monitor").path("instance").asText()).isEqualTo("soc");
                // signed with the API user's key (the simulator answers nothing else)
                assertThat(tc.requests()).isNotEmpty().allSatisfy(request ->
                        assertThat(request.header("authorization")).hasValueSatisfying(value ->
                                assertThat(value).startsWith("TC " + EmbeddingHost.ACCESS_ID + ":")));

                int port = port(host.awaitOutput("Tomcat started on port"));
                // Spring Boot's health shows Camel's checks, the monitor's among them, with its details
                JsonNode health = await().atMost(EmbeddingHost.DELIVERY)
                        .until(() -> JSON.readTree(get(port, "/actuator/health")), json -> !json.findPath("tc-job-monitor").isMissingNode());
                assertThat(health.path("status").asText()).isEqualTo("UP");
                assertThat(health.findPath("tc-job-monitor").toString()).contains("UP");
                // the monitor's metrics are in the application's registry (a composite of two here,
                // Prometheus and the in-memory one, as Spring Boot builds it for two backends)
                String prometheus = get(port, "/actuator/prometheus");
                assertThat(prometheus).containsPattern("tc_monitor_polls_total\\{[^}]*monitor=\"soc\"[^}]*result=\"success\"[^}]*} [1-9]")
                        .containsPattern("tc_monitor_failures_detected_total\\{[^}]*monitor=\"soc\"[^}]*} [1-9]");
                JsonNode polls = JSON.readTree(get(port, "/actuator/metrics/tc.monitor.polls"));
                assertThat(polls.path("measurements").get(0).path("value").asDouble()).isPositive();
                assertThat(host.output()).contains("Started soc-failures").doesNotContain(SECRET);
            }
        }
    }

    @Test
    void theReadmesSpringBootSettingsAreTheOnesThisApplicationRuns() throws IOException {
        List<String> settings = Docs.firstBlock(Docs.section("Camel Spring Boot"), "properties").lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();

        assertThat(settings).isNotEmpty();
        assertThat(Files.readAllLines(Path.of("src/test/hosts/spring-boot/src/main/resources/application.properties")))
                .containsAll(settings);
    }

    /** {@code java -cp <the application's classes>:<its resolved dependencies> org.example.soc.SocApplication}. */
    private static List<String> command(Path workDir) throws IOException {
        List<Path> classPath = new ArrayList<>();
        classPath.add(PackagedJar.JAR.resolveSibling("hosts").resolve("spring-boot/target/classes"));
        classPath.addAll(PackagedJar.resolvedClassPath("spring-boot", workDir.resolve("repository")));
        List<String> command = new ArrayList<>(PackagedJar.hostCommand(classPath, "org.example.soc.SocApplication"));
        // any free port, which the application logs
        command.add("--server.port=0");
        command.add("--server.address=127.0.0.1");
        return command;
    }

    private static int port(String output) {
        Matcher matcher = PORT.matcher(output);
        assertThat(matcher.find()).as("the port in: %s", output).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    private String get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}

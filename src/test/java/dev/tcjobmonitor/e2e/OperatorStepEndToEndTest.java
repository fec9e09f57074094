package dev.tcjobmonitor.e2e;

import dev.tcjobmonitor.monitor.PollHistory;
import dev.tcjobmonitor.support.Docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tcjobmonitor.simulator.Fault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An operator's own step sees one failure at a time: the README's example (section "A step of
 * your own before the sinks"), saved as a file in routes/, filters one job's failures out of a
 * second monitor while the default monitor, beside it, delivers them all; a transform changes
 * what the sinks get; a step that throws keeps its monitor's window open and no other.
 */
class OperatorStepEndToEndTest {

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private MonitorHarness harness;

    @Test
    void aFilterInRoutesSeesEachFailureWithItsHeadersAndDropsWhatItRejects() throws Exception {
        harness = monitors.harness().routes(readmeExample()).start();
        long wanted = harness.simulator.addFailed(7, Instant.now().minusSeconds(60), "real failure\n");
        long byDesign = harness.simulator.addFailed(201, Instant.now().minusSeconds(50), "fails by design\n");

        harness.poll();

        assertThat(idsOf("default")).containsExactlyInAnyOrder(wanted, byDesign);
        assertThat(idsOf("lab")).as("the lab monitor's filter dropped job 201").containsExactly(wanted);
        assertThat(harness.stateDir.resolve("lab").resolve("watermark"))
                .as("what the filter dropped is owed by no sink: the window closed over it").exists();
        harness.poll();
        assertThat(idsOf("lab")).as("nothing twice").containsExactly(wanted);
        assertThat(idsOf("default")).containsExactlyInAnyOrder(wanted, byDesign);
    }

    @Test
    void aTransformInRoutesChangesTheDocumentTheSinksGet() throws Exception {
        harness = monitors.harness().routes(slimRoute()).start();
        long failure = harness.simulator.addFailed(7, Instant.now().minusSeconds(60), "real failure\n");

        harness.poll();

        assertThat(harness.alerts()).filteredOn(alert -> alert.path("by").asText().equals("slim")).singleElement()
                .satisfies(alert -> {
                    assertThat(alert.get("job").asText()).isEqualTo("7");
                    assertThat(alert.get("execution").asLong()).isEqualTo(failure);
                    assertThat(alert.get("status").asText()).isEqualTo("Failed");
                });
        assertThat(idsOf("default")).as("the default monitor's document is untouched").containsExactly(failure);
    }

    @Test
    void theMonitorsOwnNoticesPassThroughTheRouteToo() throws Exception {
        harness = monitors.harness().routes(slimRoute()).set("monitor.health.max-failed-polls", "1").start();
        // both monitors' polls are refused: each goes blind at once
        harness.simulator.enqueueFault(Fault.error(403, "Access Denied"));
        harness.simulator.enqueueFault(Fault.error(403, "Access Denied"));

        harness.poll();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(harness.alerts())
                .filteredOn(alert -> alert.path("by").asText().equals("slim"))
                .extracting(alert -> alert.get("status").asText()).containsExactly("MonitorBlind"));
    }

    @Test
    void aStepOfTheOperatorsThatThrowsFailsThePollAndTheWindowStaysOpen() throws Exception {
        harness = monitors.harness().routes(brokenRoute()).start();
        harness.simulator.addFailed(7, Instant.now().minusSeconds(60), "real failure\n");

        harness.poll();

        assertThat(harness.stateDir.resolve("broken").resolve("watermark")).as("the window stays open").doesNotExist();
        assertThat(harness.stateDir.resolve("default").resolve("watermark")).as("the other monitor is unaffected").exists();
        assertThat(idsOf("broken")).isEmpty();
        assertThat(idsOf("default")).hasSize(1);
    }

    @Test
    void aStepOfTheOperatorsThatThrowsFailsThePollOnceInItsHistoryAndLog() throws Exception {
        harness = monitors.harness().routes(brokenRoute()).start();
        harness.simulator.addFailed(7, Instant.now().minusSeconds(60), "real failure\n");
        harness.simulator.addFailed(8, Instant.now().minusSeconds(50), "another failure\n");

        // two polls: the second starts only once the first is over (Quartz runs one at a time), so
        // whatever the first logs and records after its failure is in by the end of the second
        String log = StandardOutput.of(() -> {
            harness.poll();
            harness.poll();
        });

        PollHistory history = harness.context().getRegistry()
                .lookupByNameAndType(dev.tcjobmonitor.monitor.MonitorHealthCheck.POLL_HISTORY, PollHistory.class);
        assertThat(history.count("broken")).as("each poll recorded once (health counts failed polls)").isEqualTo(2);
        assertThat(log.lines().filter(line -> line.contains("Poll of 'broken'") && line.contains("WARN")))
                .as("one line per failed poll").hasSize(2)
                .allSatisfy(line -> assertThat(line).contains("failed after").contains("the operator's step broke"));
    }

    @Test
    void aNoticeTheOperatorsStepThrowsOnIsSaidInOneLine() throws Exception {
        // the poll fails (the step throws on its failure) and makes the monitor blind at once; the
        // blind notice goes through the same step once the poll is over, and fails there too
        harness = monitors.harness().routes(brokenRoute()).set("monitor.health.max-failed-polls", "1").start();
        harness.simulator.addFailed(7, Instant.now().minusSeconds(60), "real failure\n");

        String log = StandardOutput.of(() -> {
            harness.poll();
            harness.poll();
        });

        assertThat(log.lines().filter(line -> line.contains("Poll of 'broken': its notice did not reach the sinks")))
                .as("the lost notice, said once").singleElement().asString().contains("the operator's step broke");
    }

    /** A second monitor whose route throws on every failure. */
    private Path brokenRoute() throws IOException {
        return routeFile("broken", """
                - templatedRoute:
                    routeTemplateRef: tc-job-monitor
                    routeId: tc-job-monitor-broken
                    parameters:
                      - {name: name, value: broken}
                      - {name: failuresTo, value: "direct:broken-failures"}
                - route:
                    id: broken-failures
                    from:
                      uri: direct:broken-failures
                      steps:
                        - throwException:
                            exceptionType: java.lang.IllegalStateException
                            message: the operator's step broke
                """);
    }

    /** A second monitor whose route makes each failure a document of its own, from the headers. */
    private Path slimRoute() throws IOException {
        return routeFile("slim", """
                - templatedRoute:
                    routeTemplateRef: tc-job-monitor
                    routeId: tc-job-monitor-slim
                    parameters:
                      - {name: name, value: slim}
                      - {name: failuresTo, value: "direct:slim-failures"}
                - route:
                    id: slim-failures
                    from:
                      uri: direct:slim-failures
                      steps:
                        - setBody:
                            simple: '{"job":"${header.tcJobId}","execution":"${header.tcExecutionId}","status":"${header.tcStatus}","by":"${header.tcMonitor}"}'
                        - to: direct:tc-sinks
                """);
    }

    private List<Long> idsOf(String monitor) {
        return harness.alerts().stream().filter(alert -> alert.path("monitor").path("instance").asText().equals(monitor))
                .map(alert -> alert.get("id")).map(JsonNode::asLong).toList();
    }

    private Path routeFile(String name, String yaml) throws IOException {
        Path routes = Files.createDirectories(monitors.tempDir().resolve("routes")).resolve(name + ".camel.yaml");
        Files.writeString(routes, yaml);
        return routes;
    }

    /** The yaml block of the README section, as an operator would save it in routes/. */
    private Path readmeExample() throws IOException {
        String yaml = Docs.firstBlock(Docs.section("A step of your own before the sinks"), "yaml");
        assertThat(yaml).contains("failuresTo").contains("direct:tc-sinks").contains("filter");
        return routeFile("lab", yaml);
    }
}

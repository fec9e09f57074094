package dev.tcjobmonitor.e2e;

import dev.tcjobmonitor.support.Docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.monitor.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A sink is a plug-in: the README's Slack-style webhook, one route file in routes/ and its
 * sink.slack.* properties, with no Java and no change to the shipped files, delivers like every
 * shipped sink. The route file is taken from the README itself, so the documentation is what runs.
 */
class SlackStyleWebhookEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The webhook's URL is its credential: this part of it must never show in a log or a poll's failure. */
    private static final String WEBHOOK_SECRET_PATH = "/hook";

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private MonitorHarness harness;
    private WebhookReceiver slack;

    /** The first yaml block of the README section "Adding a sink", as an operator would save it. */
    private Path readmeSlackRoutes() throws IOException {
        Path routes = Files.createDirectories(monitors.tempDir().resolve("routes")).resolve("slack.camel.yaml");
        Files.writeString(routes, readmeSlackRoutesYaml());
        return routes;
    }

    /** The first yaml block of the README section "Adding a sink": the Slack-style sink's routes. */
    static String readmeSlackRoutesYaml() throws IOException {
        String yaml = Docs.firstBlock(Docs.section("Adding a sink"), "yaml");
        assertThat(yaml).contains("routeTemplateRef: tc-sink-endpoint").contains("sink.slack.webhook-url");
        return yaml;
    }

    private MonitorHarness start() throws Exception {
        slack = monitors.closeFirst(WebhookReceiver.down().comeUp());
        harness = monitors.harness()
                .routes(readmeSlackRoutes())
                .set("sinks", "file,slack")
                .set("sink.slack.webhook-url", slack.url())
                // only the waits are shortened for the test; the number of retries is the default (5)
                .set("sink.slack.redelivery-delay", "10")
                .set("sink.slack.max-redelivery-delay", "40")
                .start();
        return harness;
    }

    private List<String> deliveredToSlack() throws IOException {
        Path ledger = harness.stateDir.resolve("default").resolve("delivered-slack.tsv");
        return Files.exists(ledger) ? Files.readAllLines(ledger).stream().map(line -> line.split("\t")[0]).toList() : List.of();
    }

    @Test
    void aSlackStyleWebhookDeclaredOnlyInRoutesReceivesOneTextMessagePerFailureOnce() throws Exception {
        MonitorHarness h = start();
        Instant recent = Instant.now().minusSeconds(60);
        long first = h.simulator.addFailed(101, recent, "disk full\n");
        long second = h.simulator.addFailed(102, recent, "quota \"exceeded\"\n");

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(slack.received()).hasSize(2);
        for (WebhookReceiver.Received message : slack.received()) {
            JsonNode body = JSON.readTree(message.body());
            assertThat(body.size()).as("a chat message: {\"text\": ...} and nothing else").isEqualTo(1);
            assertThat(body.get("text").asText()).startsWith("ThreatConnect job 10").contains("Failed").contains("monitor default");
        }
        assertThat(slack.received().stream().map(message -> message.headers().get("Content-type")))
                .allSatisfy(type -> assertThat(type).singleElement().asString().startsWith("application/json"));
        assertThat(deliveredToSlack()).containsExactlyInAnyOrder(String.valueOf(first), String.valueOf(second));
        assertThat(h.alertedIds()).containsExactly(first, second);

        h.poll();

        assertThat(slack.received()).as("nothing is sent twice").hasSize(2);
    }

    @Test
    void aRefusalIsRetriedWithTheDefaultCountKeepsTheWindowOpenAndIsDeliveredOnceWhenTheWebhookAccepts() throws Exception {
        MonitorHarness h = start();
        slack.refuse();
        long failure = h.simulator.addFailed(103, Instant.now().minusSeconds(60), "timed out\n");

        Poll refused = h.poll();

        assertThat(slack.refused()).as("the first attempt and the default 5 retries").hasSize(6);
        assertThat(refused.failure()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("sink 'slack' refused 1 alert(s)").contains("503").contains("http://127.0.0.1:")
                .doesNotContain(WEBHOOK_SECRET_PATH));
        assertThat(deliveredToSlack()).isEmpty();
        assertThat(h.alertedIds()).as("the file sink is not held back").containsExactly(failure);
        assertThat(h.watermark()).as("the window stays open for the webhook").isEmpty();

        slack.accept();
        Poll accepted = h.poll();

        assertThat(accepted.failure()).isEmpty();
        assertThat(slack.received()).singleElement().satisfies(message ->
                assertThat(JSON.readTree(message.body()).get("text").asText()).contains("execution " + failure));
        assertThat(deliveredToSlack()).containsExactly(String.valueOf(failure));
        assertThat(h.watermark()).isPresent();

        h.poll();

        assertThat(slack.received()).as("nothing is sent twice").hasSize(1);
        assertThat(h.alertedIds()).containsExactly(failure);
    }
}

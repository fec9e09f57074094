package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.monitor.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each sink delivers on its own: one that is down holds back no other, keeps the window open,
 * and gets what it missed, once, when it returns; one that refuses for too long dead-letters.
 */
class SinkIsolationEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tempDir;
    private MonitorHarness harness;
    private WebhookReceiver webhook;

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
        if (webhook != null) {
            webhook.close();
        }
    }

    private MonitorHarness startWithDownWebhook(String deadLetterAfter) throws Exception {
        webhook = WebhookReceiver.down();
        harness = new MonitorHarness(tempDir)
                .set("sinks", "file,custom")
                .set("sink.custom.uri", webhook.uri())
                .set("sink.custom.max-redeliveries", "1")
                .set("sink.custom.redelivery-delay", "50")
                .set("monitor.dead-letter-after", deadLetterAfter)
                .start();
        return harness;
    }

    @Test
    void aSinkThatIsDownHoldsBackNoOtherAndGetsEverythingOnceWhenItReturns() throws Exception {
        MonitorHarness h = startWithDownWebhook("PT24H");
        Instant recent = Instant.now().minusSeconds(60);
        for (int job = 1; job <= 3; job++) {
            h.simulator.addFailed(job, recent, "failure of job " + job + "\n");
        }

        Poll whileDown = h.poll();

        assertThat(h.alertedIds()).hasSize(3);
        assertThat(whileDown.failure()).hasValueSatisfying(reason ->
                assertThat(reason).contains("sink 'custom' refused 3 alert(s)").containsIgnoringCase("refused"));
        assertThat(h.watermark()).as("the window stays open for the webhook").isEmpty();

        webhook.comeUp();
        Poll afterReturn = h.poll();
        h.poll();

        assertThat(afterReturn.failure()).isEmpty();
        assertThat(afterReturn.deliveredBySink()).containsOnlyKeys("custom").containsEntry("custom", 3);
        assertThat(webhook.received()).extracting(r -> JSON.readTree(r.body()).get("id").asLong())
                .containsExactlyInAnyOrderElementsOf(h.alertedIds());
        assertThat(h.alertedIds()).hasSize(3);
        assertThat(webhook.received().get(0).headers()).containsKeys("Tcexecutionid", "Tcjobid", "Tcstatus", "Tcmonitor");
        assertThat(h.watermark()).isPresent();
    }

    @Test
    void anAlertRefusedLongerThanDeadLetterAfterGoesToTheDeadLetterAndTheWindowCloses() throws Exception {
        MonitorHarness h = startWithDownWebhook("PT2M");
        long old = h.simulator.addFailed(9, Instant.now().minus(Duration.ofMinutes(5)), "old failure\n");
        long fresh = h.simulator.addFailed(9, Instant.now().minusSeconds(10), "fresh failure\n");

        Poll poll = h.poll();

        Path deadLetter = h.stateDir.resolve("default/dead-letter-custom.jsonl");
        List<String> lines = Files.readAllLines(deadLetter);
        assertThat(lines).singleElement().satisfies(line -> {
            JsonNode entry = JSON.readTree(line);
            assertThat(entry.get("sink").asText()).isEqualTo("custom");
            assertThat(entry.get("error").asText()).isNotBlank();
            assertThat(entry.get("alert").get("id").asLong()).isEqualTo(old);
        });
        assertThat(poll.deadLetteredBySink()).containsEntry("custom", 1);
        assertThat(poll.undeliveredBySink()).containsEntry("custom", 1);
        assertThat(h.alertedIds()).containsExactlyInAnyOrder(old, fresh);

        webhook.comeUp();
        h.poll();

        assertThat(webhook.received()).extracting(r -> JSON.readTree(r.body()).get("id").asLong()).containsExactly(fresh);
        assertThat(Files.readAllLines(deadLetter)).hasSize(1);
        assertThat(h.watermark()).isPresent();
    }
}

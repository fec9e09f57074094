package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.support.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sink that refuses one alert for a reason of that alert's own, which no retry changes (a
 * webhook's 400 or 413, a record over the broker's size limit, a mail server's 552), puts it in its
 * dead letter at once, is not asked again, and goes on with the rest of the page in the same poll.
 * A refusal that may pass (a 503) keeps the alert pending as before, and the sink is not asked for
 * more of that poll. Each page holds three failures; ThreatConnect sends them newest first, so the
 * refused one is in the middle.
 */
class PermanentRefusalEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "tc.job.failures";

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();

    private record Page(long newest, long refused, long oldest) {
    }

    /** Three failures of a minute ago; the middle one has {@code refusedExitMessage}. */
    private static Page threeFailures(MonitorHarness h, String refusedExitMessage) {
        Instant recent = Instant.now().minusSeconds(60);
        long oldest = h.simulator.addFailed(1, recent, "small\n");
        long refused = h.simulator.addFailed(2, recent.plusSeconds(1), refusedExitMessage);
        long newest = h.simulator.addFailed(3, recent.plusSeconds(2), "small\n");
        return new Page(newest, refused, oldest);
    }

    private static List<JsonNode> deadLetter(MonitorHarness h, String sink) throws IOException {
        Path file = h.stateDir.resolve("default/dead-letter-" + sink + ".jsonl");
        if (!Files.exists(file)) {
            return List.of();
        }
        List<JsonNode> lines = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private static long id(String document) {
        try {
            return JSON.readTree(document).get("id").asLong();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {400, 413, 422})
    void anAlertTheWebhookRefusesForGoodIsDeadLetteredAtOnceAndTheRestOfThePageReachesItInTheSamePoll(int status)
            throws Exception {
        WebhookReceiver webhook = monitors.closeFirst(WebhookReceiver.down().comeUp()).answer(status, "cannot take this one");
        MonitorHarness h = monitors.harness()
                .set("sinks", "file,custom")
                .set("sink.custom.uri", webhook.uri())
                .set("sink.custom.max-redeliveries", "3")
                .set("sink.custom.redelivery-delay", "10")
                .start();
        Page page = threeFailures(h, "cannot take this one\n");

        Poll poll = h.poll();

        assertThat(webhook.received()).as("the failures before and after the refused one, in the same poll")
                .extracting(request -> id(request.body())).containsExactly(page.newest(), page.oldest());
        assertThat(webhook.refused()).as("asked once: no retry changes a %s", status).hasSize(1);
        assertThat(deadLetter(h, "custom")).singleElement().satisfies(line -> {
            assertThat(line.get("alert").get("id").asLong()).isEqualTo(page.refused());
            assertThat(line.get("error").asText()).contains(String.valueOf(status)).doesNotContain("/hook");
        });
        assertThat(poll.deliveredBySink()).containsEntry("custom", 2).containsEntry("file", 3);
        assertThat(poll.deadLetteredBySink()).containsExactly(Map.entry("custom", 1));
        assertThat(poll.failure()).as("every failure is delivered or dead-lettered: the window closes").isEmpty();
        assertThat(h.watermark()).contains(poll.windowEnd().toString());

        Poll next = h.poll();

        assertThat(webhook.refused()).as("a dead-lettered alert is not offered again").hasSize(1);
        assertThat(next.deliveredBySink()).isEmpty();
    }

    @Test
    void anAlertTheWebhookRefusesForNowStaysPendingAndNothingAfterItIsTriedInThatPoll() throws Exception {
        WebhookReceiver webhook = monitors.closeFirst(WebhookReceiver.down().comeUp()).answer(503, "busy with this one");
        MonitorHarness h = monitors.harness()
                .set("sinks", "file,custom")
                .set("sink.custom.uri", webhook.uri())
                .set("sink.custom.max-redeliveries", "2")
                .set("sink.custom.redelivery-delay", "10")
                .start();
        Page page = threeFailures(h, "busy with this one\n");

        Poll refusing = h.poll();

        assertThat(webhook.received()).extracting(request -> id(request.body())).containsExactly(page.newest());
        assertThat(webhook.refused()).as("the first try and its two retries").hasSize(3);
        assertThat(refusing.undeliveredBySink()).as("the refused alert and the one after it, not tried")
                .containsExactly(Map.entry("custom", 2));
        assertThat(refusing.deadLetteredBySink()).isEmpty();
        assertThat(deadLetter(h, "custom")).isEmpty();
        assertThat(refusing.failure()).hasValueSatisfying(reason -> assertThat(reason).contains("sink 'custom' refused 2 alert(s)"));
        assertThat(h.watermark()).as("the window stays open").isEmpty();

        webhook.accept();
        Poll afterwards = h.poll();

        assertThat(afterwards.deliveredBySink()).containsExactly(Map.entry("custom", 2));
        assertThat(webhook.received()).extracting(request -> id(request.body()))
                .containsExactly(page.newest(), page.refused(), page.oldest());
        assertThat(h.watermark()).contains(afterwards.windowEnd().toString());
    }

    @Test
    void aRecordOverTheBrokersMessageSizeLimitIsDeadLetteredAtOnceAndTheRestOfThePageIsDelivered() throws Exception {
        Files.createDirectories(monitors.tempDir().resolve("kafka"));
        // the client would send up to 1 MB (max.request.size); this broker takes batches of up to 20 kB
        EmbeddedKafka kafka = monitors.closeLast(new EmbeddedKafka(monitors.tempDir().resolve("kafka"))
                .withBrokerSetting("message.max.bytes", "20000")).start();
        MonitorHarness h = monitors.harness("monitor")
                .set("sinks", "kafka")
                .set("sink.kafka.brokers", kafka.bootstrapServers())
                .set("sink.kafka.max-redeliveries", "3")
                .set("sink.kafka.redelivery-delay", "10")
                .start();
        Page page = threeFailures(h, "x".repeat(50_000) + "\n");

        Poll poll = h.poll();

        List<ConsumerRecord<String, String>> records = kafka.consume(TOPIC, 2, Duration.ofSeconds(20));
        assertThat(records).extracting(record -> id(record.value())).containsExactlyInAnyOrder(page.newest(), page.oldest());
        assertThat(deadLetter(h, "kafka")).singleElement().satisfies(line -> {
            assertThat(line.get("alert").get("id").asLong()).isEqualTo(page.refused());
            assertThat(line.get("error").asText()).contains("RecordTooLargeException");
        });
        assertThat(poll.deliveredBySink()).containsExactly(Map.entry("kafka", 2));
        assertThat(poll.deadLetteredBySink()).containsExactly(Map.entry("kafka", 1));
        assertThat(poll.failure()).isEmpty();
        assertThat(h.watermark()).contains(poll.windowEnd().toString());
    }

    @Test
    void aMailTheServerRefusesAsTooLargeIsDeadLetteredAtOnceAndTheOtherMailsOfThePageAreSent() throws Exception {
        SizeLimitedSmtpServer smtp = monitors.closeLast(SizeLimitedSmtpServer.start(60_000));
        MonitorHarness h = emailTo(smtp, "each");
        Page page = threeFailures(h, "x".repeat(50_000) + "\n");

        Poll poll = h.poll();

        assertThat(smtp.accepted()).as("the mails before and after the refused one, in the same poll").hasSize(2);
        assertThat(smtp.refused()).as("sent once: no retry changes a 552").hasSize(1);
        assertThat(deadLetter(h, "email")).singleElement().satisfies(line -> {
            assertThat(line.get("alert").get("id").asLong()).isEqualTo(page.refused());
            assertThat(line.get("error").asText()).contains("552");
        });
        assertThat(poll.deliveredBySink()).containsExactly(Map.entry("email", 2));
        assertThat(poll.deadLetteredBySink()).containsExactly(Map.entry("email", 1));
        assertThat(poll.failure()).isEmpty();
        assertThat(h.watermark()).contains(poll.windowEnd().toString());
    }

    @Test
    void aDigestTheServerRefusesAsTooLargeTakesEveryAlertItReportedToTheDeadLetterAtOnce() throws Exception {
        SizeLimitedSmtpServer smtp = monitors.closeLast(SizeLimitedSmtpServer.start(60_000));
        MonitorHarness h = emailTo(smtp, "digest");
        Page page = threeFailures(h, "x".repeat(50_000) + "\n");

        Poll poll = h.poll();

        assertThat(smtp.refused()).as("sent once: no retry changes a 552").hasSize(1);
        assertThat(smtp.accepted()).isEmpty();
        assertThat(deadLetter(h, "email")).extracting(line -> line.get("alert").get("id").asLong())
                .containsExactlyInAnyOrder(page.newest(), page.refused(), page.oldest());
        assertThat(poll.deadLetteredBySink()).containsExactly(Map.entry("email", 3));
        assertThat(poll.failure()).isEmpty();
    }

    /** A monitor whose only sink is email to {@code smtp}, three quick retries, in {@code mode}. */
    private MonitorHarness emailTo(SizeLimitedSmtpServer smtp, String mode) throws Exception {
        return monitors.harness()
                .set("sinks", "email")
                .set("sink.email.host", "127.0.0.1")
                .set("sink.email.port", String.valueOf(smtp.port()))
                .set("sink.email.from", "monitor@example.org")
                .set("sink.email.to", "soc@example.org")
                .set("sink.email.mode", mode)
                .set("sink.email.max-redeliveries", "3")
                .set("sink.email.redelivery-delay", "10")
                .start();
    }
}

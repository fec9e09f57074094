package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.support.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Kafka sink against a real KRaft broker: one record per failure, keyed by job, once. */
class KafkaSinkEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "tc.job.failures";

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private MonitorHarness harness;
    private EmbeddedKafka kafka;

    private MonitorHarness harnessWithKafka() throws Exception {
        Files.createDirectories(monitors.tempDir().resolve("kafka"));
        kafka = monitors.closeLast(new EmbeddedKafka(monitors.tempDir().resolve("kafka")));
        harness = monitors.harness("monitor")
                .set("sinks", "file,kafka")
                .set("sink.kafka.brokers", kafka.bootstrapServers())
                .set("sink.kafka.max-block-ms", "1500")
                .set("sink.kafka.max-redeliveries", "0");
        return harness;
    }

    @Test
    void everyFailureBecomesOneRecordKeyedByJobWithTheDocumentAndHeaders() throws Exception {
        MonitorHarness h = harnessWithKafka();
        kafka.start();
        h.start();
        Instant recent = Instant.now().minusSeconds(60);
        long first = h.simulator.addFailed(100, recent, "Failed for status (404)\n");
        long second = h.simulator.addFailed(174, recent.plusSeconds(1), "timeout\n");

        Poll poll = h.poll();
        h.poll();

        assertThat(poll.failure()).isEmpty();
        List<ConsumerRecord<String, String>> records = kafka.consume(TOPIC, 2, Duration.ofSeconds(20));
        assertThat(records).hasSize(2);
        for (ConsumerRecord<String, String> record : records) {
            JsonNode value = JSON.readTree(record.value());
            assertThat(record.key()).isEqualTo(value.get("jobId").asText());
            assertThat(headers(record)).containsEntry("tcExecutionId", value.get("id").asText())
                    .containsEntry("tcJobId", value.get("jobId").asText())
                    .containsEntry("tcStatus", "Failed")
                    .containsEntry("tcMonitor", "default");
            assertThat(value.get("monitor").get("instance").asText()).isEqualTo("default");
        }
        assertThat(records).extracting(r -> JSON.readTree(r.value()).get("id").asLong()).containsExactlyInAnyOrder(first, second);
        List<String> fileLines = h.alerts().stream().map(JsonNode::toString).toList();
        assertThat(records).extracting(r -> JSON.readTree(r.value()).toString()).containsExactlyInAnyOrderElementsOf(fileLines);
    }

    @Test
    void aBrokerThatIsDownAtFirstGetsEverythingOnceWhenItComesUp() throws Exception {
        MonitorHarness h = harnessWithKafka().start();
        Instant recent = Instant.now().minusSeconds(60);
        for (int job = 1; job <= 3; job++) {
            h.simulator.addFailed(job, recent, "failure " + job + "\n");
        }

        Poll whileDown = h.poll();

        assertThat(h.alertedIds()).as("the file sink is not held back").hasSize(3);
        assertThat(whileDown.failure()).hasValueSatisfying(reason -> assertThat(reason).contains("sink 'kafka' refused 3"));

        kafka.start();
        // the producer reconnects within its backoff; the polls after that deliver
        await().atMost(Duration.ofSeconds(30)).until(() -> h.poll().failure().isEmpty());
        h.poll();

        List<ConsumerRecord<String, String>> records = kafka.consume(TOPIC, 3, Duration.ofSeconds(20));
        assertThat(records).extracting(r -> JSON.readTree(r.value()).get("id").asLong())
                .containsExactlyInAnyOrderElementsOf(h.alertedIds());
        assertThat(h.alertedIds()).hasSize(3);
    }

    @Test
    void aPageOfManyFailuresReachesKafkaOnceWithEachJobsFailuresInTheOrderFound() throws Exception {
        MonitorHarness h = harnessWithKafka().set("sinks", "kafka").set("monitor.page-size", "50");
        kafka.start();
        h.start();
        Instant recent = Instant.now().minusSeconds(600);
        for (int i = 0; i < 130; i++) {
            h.simulator.addFailed(1 + i % 3, recent.plusSeconds(i), "failure " + i + "\n");
        }

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(poll.pages()).isEqualTo(3);
        assertThat(poll.deliveredBySink()).containsEntry("kafka", 130);
        List<ConsumerRecord<String, String>> records = kafka.consume(TOPIC, 130, Duration.ofSeconds(20));
        assertThat(records).extracting(r -> JSON.readTree(r.value()).get("id").asLong()).hasSize(130).doesNotHaveDuplicates();
        // ThreatConnect's pages come newest first; so do each job's records on its partition
        Map<String, List<Long>> idsByJob = records.stream().collect(Collectors.groupingBy(ConsumerRecord::key,
                Collectors.mapping(KafkaSinkEndToEndTest::id, Collectors.toList())));
        assertThat(idsByJob).hasSize(3).allSatisfy((job, ids) ->
                assertThat(ids).isSortedAccordingTo(java.util.Comparator.reverseOrder()));
    }

    @Test
    void aRecordTheClientRefusesAsTooLargeIsDeadLetteredAtOnceAndTheRestOfThePageIsDeliveredOnce() throws Exception {
        MonitorHarness h = harnessWithKafka().set("sinks", "kafka")
                .set("sink.kafka.max-redeliveries", "1").set("sink.kafka.redelivery-delay", "10");
        kafka.start();
        h.start();
        Instant recent = Instant.now().minusSeconds(60);
        long oldest = h.simulator.addFailed(1, recent, "small\n");
        long tooLarge = h.simulator.addFailed(2, recent.plusSeconds(1), "x".repeat(1_100_000));
        long newest = h.simulator.addFailed(3, recent.plusSeconds(2), "small\n");

        // the page's order: newest, too large (more than max.request.size: refused on the spot, for
        // good), oldest (sent all the same)
        Poll poll = h.poll();

        assertThat(poll.deliveredBySink()).containsExactly(Map.entry("kafka", 2));
        assertThat(poll.deadLetteredBySink()).containsExactly(Map.entry("kafka", 1));
        assertThat(poll.failure()).isEmpty();
        List<ConsumerRecord<String, String>> records = kafka.consume(TOPIC, 2, Duration.ofSeconds(20));
        assertThat(records).as("each sent once").extracting(r -> JSON.readTree(r.value()).get("id").asLong())
                .containsExactlyInAnyOrder(newest, oldest);
        assertThat(Files.readString(h.stateDir.resolve("default/dead-letter-kafka.jsonl")))
                .contains("RecordTooLargeException").contains("\"id\":" + tooLarge);
        assertThat(Files.readAllLines(h.stateDir.resolve("default/delivered-kafka.tsv")))
                .as("done for the sink: the two it acknowledged and the one in its dead letter")
                .extracting(line -> line.split("\t")[0])
                .containsExactlyInAnyOrder(String.valueOf(newest), String.valueOf(oldest), String.valueOf(tooLarge));
    }

    private static long id(ConsumerRecord<String, String> record) {
        try {
            return JSON.readTree(record.value()).get("id").asLong();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, String> headers(ConsumerRecord<String, String> record) {
        return java.util.Arrays.stream(record.headers().toArray())
                .collect(Collectors.toMap(Header::key, header -> new String(header.value(), StandardCharsets.UTF_8)));
    }
}

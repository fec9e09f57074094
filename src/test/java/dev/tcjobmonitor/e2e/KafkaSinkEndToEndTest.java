package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.support.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka sink against a real KRaft broker: one record per failure, keyed by job, once. */
class KafkaSinkEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "tc.job.failures";

    @TempDir
    Path tempDir;
    private MonitorHarness harness;
    private EmbeddedKafka kafka;

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private MonitorHarness harnessWithKafka() throws Exception {
        Files.createDirectories(tempDir.resolve("kafka"));
        kafka = new EmbeddedKafka(tempDir.resolve("kafka"));
        harness = new MonitorHarness(tempDir.resolve("monitor"))
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

    private static Map<String, String> headers(ConsumerRecord<String, String> record) {
        return java.util.Arrays.stream(record.headers().toArray())
                .collect(Collectors.toMap(Header::key, header -> new String(header.value(), StandardCharsets.UTF_8)));
    }
}

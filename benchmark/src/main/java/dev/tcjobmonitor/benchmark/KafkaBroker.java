package dev.tcjobmonitor.benchmark;

import dev.tcjobmonitor.support.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The Kafka phase's broker: the tests' {@link EmbeddedKafka} (one KRaft node) in the harness JVM.
 * Each run's topic is created up front with the broker's own timestamps (LogAppendTime), so a
 * record's timestamp says when the broker took it.
 */
final class KafkaBroker implements AutoCloseable {

    private final EmbeddedKafka broker;

    private KafkaBroker(EmbeddedKafka broker) {
        this.broker = broker;
    }

    static KafkaBroker start(Path logDir) throws Exception {
        return new KafkaBroker(new EmbeddedKafka(logDir).start());
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** One partition (so every record of a run is in one log, in the order the broker took them), broker timestamps. */
    void createTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                    .configs(Map.of("message.timestamp.type", "LogAppendTime")))).all().get();
        }
    }

    /**
     * The topic's one partition from {@code offset} on, until {@code expected} records arrived or the
     * timeout passed, plus any beyond.
     */
    List<ConsumerRecord<String, String>> readFrom(String topic, long offset, int expected, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seek(partition, offset);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }

    @Override
    public void close() {
        broker.close();
    }
}

package dev.tcjobmonitor.support;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node KRaft broker (broker and controller in one) inside the test JVM. Its port is
 * chosen when it is created, before it starts, so a test can point the monitor at a broker that
 * is down and bring it up later. Optionally a second listener takes only SASL/PLAIN logins
 * ({@link #withSaslPlainUser}); {@link #consume} reads through the plain one.
 */
public final class EmbeddedKafka implements AutoCloseable {

    // not port 0: the broker's address is given to the monitor before the broker starts (a sink
    // that is down, then comes up), and KRaft's controller.quorum.voters names the controller's
    // port in the configuration it starts from
    // named before the broker starts (the controller's is in its own configuration): three distinct ports
    private final int[] ports = FreePorts.freePorts(3);
    private final int port = ports[0];
    private final int controllerPort = ports[1];
    private final int saslPort = ports[2];
    private final Path logDir;
    private String saslUser;
    private String saslPassword;
    private final Properties brokerSettings = new Properties();
    private KafkaRaftServer server;

    public EmbeddedKafka(Path logDir) {
        this.logDir = logDir;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /**
     * Before {@link #start}: a SASL_PLAINTEXT listener ({@link #saslBootstrapServers}) that lets in
     * this one user with this password (mechanism PLAIN) and nobody else.
     */
    public EmbeddedKafka withSaslPlainUser(String user, String password) {
        this.saslUser = user;
        this.saslPassword = password;
        return this;
    }

    /**
     * Before {@link #start}: one more broker setting, e.g. {@code message.max.bytes} for a broker
     * that refuses records the client would send.
     */
    public EmbeddedKafka withBrokerSetting(String key, String value) {
        brokerSettings.put(key, value);
        return this;
    }

    public String saslBootstrapServers() {
        return "127.0.0.1:" + saslPort;
    }

    public EmbeddedKafka start() throws Exception {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        String sasl = saslUser == null ? "" : ",SASL_PLAINTEXT://127.0.0.1:" + saslPort;
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + sasl + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + sasl);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT");
        if (saslUser != null) {
            props.put("sasl.enabled.mechanisms", "PLAIN");
            props.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + saslUser + "=\"" + saslPassword + "\";");
        }
        props.put("log.dirs", logDir.toString());
        props.put("num.partitions", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.putAll(brokerSettings);
        KafkaConfig config = new KafkaConfig(props);
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setClusterId(toBase64Uuid())
                .setNodeId(1)
                .setDirectories(Set.of(logDir.toString()))
                .setMetadataLogDirectory(logDir.toString())
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setIgnoreFormatted(true)
                .run();
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return this;
    }

    /** Reads the whole topic from the start until {@code expected} records arrived or the timeout passed. */
    public List<ConsumerRecord<String, String>> consume(String topic, int expected, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            // one more short read: anything beyond what was expected is a duplicate the test must see
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }

    @Override
    public void close() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
        }
    }

    private static String toBase64Uuid() {
        return org.apache.kafka.common.Uuid.randomUuid().toString();
    }

}

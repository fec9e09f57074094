package dev.tcjobmonitor.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.Application;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.simulator.RecordedRequest;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import dev.tcjobmonitor.state.FileStateStore;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The Kafka phase: the monitor delivering N failures to its Kafka sink only, against a KRaft
 * broker in this JVM (the sink's own settings: acks=all, idempotent). Its figure is alerts per
 * second from the poll's first page request to the last record the broker appended (the topic
 * keeps the broker's append time), measured two ways:
 * <ul>
 * <li>cold: {@code tc-job-monitor --once} (the launcher), a fresh JVM each run, a topic of its own;</li>
 * <li>warm: the real application started in this JVM, polled over N a few times first, then timed
 * polls over N, each from an empty state folder so it delivers all N again.</li>
 * </ul>
 * Every run is checked: one record per failure, keyed by its job id, each in the sink's delivered ids.
 */
final class KafkaPhase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    /** One timed delivery of N; {@code child} only for a cold run. */
    record Run(int run, double seconds, double alertsPerSecond, double pollSeconds, Child.Result child) {
    }

    /** {@code coldVariants}: the cold runs of the launcher with each variant's JVM options, taking turns with {@code cold}. */
    record Results(List<Run> cold, List<Run> warm, Map<Benchmark.Variant, List<Run>> coldVariants) {
    }

    private final int n;
    private final int pageSize;
    private final Path out;
    private final Path jar;
    private final List<Benchmark.Variant> variants;

    KafkaPhase(int n, int pageSize, Path out, Path jar, List<Benchmark.Variant> variants) {
        this.n = n;
        this.pageSize = pageSize;
        this.out = out;
        this.jar = jar;
        this.variants = variants;
    }

    Results run(int runs, int warmups) throws Exception {
        Path logDir = Files.createTempDirectory("bench-kafka");
        try (ThreatConnectSimulator simulator = ThreatConnectSimulator.start().withHmacUser(Benchmark.ACCESS_ID, Benchmark.SECRET_KEY);
             KafkaBroker broker = KafkaBroker.start(logDir)) {
            Benchmark.seed(simulator, n);
            Benchmark.progress("Kafka phase: broker at %s, simulator seeded with %,d failed executions", broker.bootstrapServers(), n);
            List<Run> cold = new ArrayList<>();
            Map<Benchmark.Variant, List<Run>> coldVariants = new java.util.LinkedHashMap<>();
            for (int run = 1; run <= runs; run++) {
                cold.add(cold(simulator, broker, run, new Benchmark.Variant("launcher", List.of())));
                for (Benchmark.Variant variant : variants) {
                    coldVariants.computeIfAbsent(variant, key -> new ArrayList<>()).add(cold(simulator, broker, run, variant));
                }
            }
            List<Run> warm = warm(simulator, broker, warmups, runs);
            return new Results(cold, warm, coldVariants);
        } finally {
            Benchmark.deleteTree(logDir);
        }
    }

    private Run cold(ThreatConnectSimulator simulator, KafkaBroker broker, int run, Benchmark.Variant variant) throws Exception {
        String topic = "tc.job.failures.once-" + variant.id() + "-" + run;
        broker.createTopic(topic);
        Path dir = out.resolve("kafka-once-" + variant.id() + "-" + run);
        Map<String, String> settings = Benchmark.monitorSettings(simulator);
        settings.put("MONITOR_PAGE_SIZE", Integer.toString(pageSize));
        settings.put("MONITOR_LOOKBACK", Benchmark.LOOKBACK);
        settings.put("SINKS", "kafka");
        settings.put("SINK_KAFKA_BROKERS", broker.bootstrapServers());
        settings.put("SINK_KAFKA_TOPIC", topic);
        simulator.clearRequests();
        Child.Result child = Child.runTimed(Launch.LAUNCHER.command(jar, variant.jvmOptions(), settings, "--once"), dir, settings,
                Duration.ofMinutes(10));
        if (child.exitCode() != 0) {
            throw new IllegalStateException("Kafka --once run " + run + " exited " + child.exitCode() + ": " + child.stderr());
        }
        Run result = timed(run, simulator, broker.readFrom(topic, 0, n, READ_TIMEOUT),
                dir.resolve("data/state/default/delivered-kafka.tsv"), child.pollSeconds(), child);
        Benchmark.progress("Kafka --once run %d (%s): %,d records in %.2f s from the first page request to the last append: %,.0f alerts/s"
                + " (process %.2f s wall, %.2f s CPU)", run, variant.id(), n, result.seconds(), result.alertsPerSecond(), child.timeElapsed(),
                child.cpuSeconds());
        Benchmark.deleteTree(dir);
        return result;
    }

    private List<Run> warm(ThreatConnectSimulator simulator, KafkaBroker broker, int warmups, int runs) throws Exception {
        String topic = "tc.job.failures.warm";
        broker.createTopic(topic);
        Path dir = out.resolve("kafka-warm");
        Properties settings = Benchmark.inProcessSettings(simulator, pageSize, dir.resolve("state-0"));
        settings.setProperty("sinks", "kafka");
        settings.setProperty("sink.kafka.brokers", broker.bootstrapServers());
        settings.setProperty("sink.kafka.topic", topic);
        settings.setProperty("camel.management.enabled", "false");
        Main main = Application.createMain(settings);
        main.start();
        List<Run> timed = new ArrayList<>();
        long offset = 0;
        try {
            FileStateStore store = WarmPolls.fileStateStore(main.getCamelContext().getRegistry().lookupByName("tcStateStore"));
            for (int round = 1; round <= warmups + runs; round++) {
                Path state = dir.resolve("state-" + round);
                emptyState(store, state);
                simulator.clearRequests();
                long started = System.nanoTime();
                Poll poll = Application.pollAllNow(main.getCamelContext()).get(0);
                double pollSeconds = (System.nanoTime() - started) / 1e9;
                if (poll.failure().isPresent() || poll.newFailures() != n) {
                    throw new IllegalStateException("a warm Kafka poll delivered " + poll.newFailures() + " of " + n + ": "
                            + poll.failure().orElse("no failure"));
                }
                List<ConsumerRecord<String, String>> records = broker.readFrom(topic, offset, n, READ_TIMEOUT);
                offset += records.size();
                Run run = timed(round - warmups, simulator, records, state.resolve("default/delivered-kafka.tsv"),
                        pollSeconds, null);
                boolean warmup = round <= warmups;
                Benchmark.progress("Kafka warm %s %d: %,d records in %.2f s from the first page request to the last append: %,.0f alerts/s",
                        warmup ? "warm-up" : "run", warmup ? round : round - warmups, n, run.seconds(), run.alertsPerSecond());
                if (!warmup) {
                    timed.add(run);
                }
            }
        } finally {
            main.stop();
            Benchmark.deleteTree(dir);
        }
        return timed;
    }

    /** Checks the records and the ledger; the span from the first page request to the last append. */
    private Run timed(int run, ThreatConnectSimulator simulator, List<ConsumerRecord<String, String>> records, Path ledger,
            double pollSeconds, Child.Result child) throws IOException {
        Set<Long> ids = new HashSet<>();
        for (ConsumerRecord<String, String> record : records) {
            JsonNode value = JSON.readTree(record.value());
            if (!value.path("jobId").asText().equals(record.key())) {
                throw new IllegalStateException("a record keyed " + record.key() + " holds job " + value.path("jobId"));
            }
            ids.add(value.path("id").asLong());
        }
        long recorded = Files.readAllLines(ledger).size();
        if (records.size() != n || ids.size() != n || recorded != n) {
            throw new IllegalStateException("the Kafka sink sent " + records.size() + " records, " + ids.size() + " distinct ids, "
                    + recorded + " ledger entries; expected " + n + " each");
        }
        Instant firstRequest = simulator.requests().stream().filter(request -> request.target().contains("/v3/job/executions"))
                .map(RecordedRequest::received).min(Comparator.naturalOrder()).orElseThrow();
        long lastAppend = records.stream().mapToLong(ConsumerRecord::timestamp).max().orElseThrow();
        double seconds = (lastAppend - firstRequest.toEpochMilli()) / 1000.0;
        return new Run(run, seconds, n / seconds, pollSeconds, child);
    }

    /**
     * Points the running monitor's state store at an empty folder, so the next poll delivers all N
     * again; the ledgers it cached are dropped (by reflection, benchmark only).
     */
    @SuppressWarnings("unchecked")
    private static void emptyState(FileStateStore store, Path state) throws ReflectiveOperationException {
        store.setDirectory(state.toString());
        Field ledgers = FileStateStore.class.getDeclaredField("ledgers");
        ledgers.setAccessible(true);
        synchronized (store) {
            ((Map<Path, ?>) ledgers.get(store)).clear();
        }
    }
}

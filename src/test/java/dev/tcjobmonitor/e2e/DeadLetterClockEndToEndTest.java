package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.support.EmbeddedPostgresServer;
import dev.tcjobmonitor.support.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code monitor.dead-letter-after} counts from the first time a sink refused an alert (README,
 * "State and delivery guarantee"), as the state store remembers it across restarts, in files or in
 * the cluster's PostgreSQL: not from the failure's time, which after an outage is already long
 * past, and which an execution without a readable time does not have.
 *
 * <p>The webhook answers 503 (a refusal that may pass) throughout. Only the monitor's clock is
 * moved ({@code JobMonitor.setClock}, after each start), so hours pass without waiting;
 * ThreatConnect keeps the real time, and the first window reaches back a day
 * ({@code monitor.lookback}) so the failures stay in every window.
 */
class DeadLetterClockEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEAD_LETTER_AFTER = Duration.ofHours(1);

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private WebhookReceiver webhook;
    private MonitorHarness harness;
    private ManualClock clock;

    private MonitorHarness refusingWebhook(MonitorHarness unstarted) throws Exception {
        webhook = monitors.closeFirst(WebhookReceiver.down().comeUp());
        webhook.refuse();
        harness = unstarted
                .set("sinks", "custom")
                .set("sink.custom.uri", webhook.uri())
                .set("sink.custom.max-redeliveries", "0")
                .set("monitor.lookback", "P1D")
                .set("monitor.dead-letter-after", DEAD_LETTER_AFTER.toString())
                .start();
        clock = new ManualClock(Instant.now());
        harness.monitor("default").setClock(clock);
        return harness;
    }

    private MonitorHarness restart() throws Exception {
        harness.restart();
        harness.monitor("default").setClock(clock);
        return harness;
    }

    private List<String> deadLetter() throws Exception {
        Path file = harness.stateDir.resolve("default/dead-letter-custom.jsonl");
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    private long deadLetteredId() throws Exception {
        assertThat(deadLetter()).hasSize(1);
        return JSON.readTree(deadLetter().get(0)).get("alert").get("id").asLong();
    }

    @Test
    void afterAnOutageLongerThanDeadLetterAfterTheFirstTransientRefusalDeadLettersNothing() throws Exception {
        MonitorHarness h = refusingWebhook(monitors.harness());
        // the monitor was stopped for two hours: the first poll after it finds failures of then
        long old = h.simulator.addFailed(9, Instant.now().minus(Duration.ofHours(2)), "failed during the outage\n");
        long older = h.simulator.addFailed(9, Instant.now().minus(Duration.ofHours(3)), "failed during the outage\n");

        Poll refused = h.poll();

        assertThat(refused.deadLetteredBySink()).as("refused once, a moment ago").isEmpty();
        assertThat(refused.undeliveredBySink()).containsExactly(Map.entry("custom", 2));
        assertThat(deadLetter()).isEmpty();

        webhook.accept();
        Poll afterwards = h.poll();

        assertThat(afterwards.failure()).isEmpty();
        assertThat(webhook.received()).extracting(request -> JSON.readTree(request.body()).get("id").asLong())
                .containsExactlyInAnyOrder(old, older);
    }

    @Test
    void theFirstRefusalIsRememberedInFilesAcrossARestartAndDeadLetterAfterCountsFromIt() throws Exception {
        firstRefusalIsRememberedAcrossARestart(monitors.harness());
    }

    @Test
    void theFirstRefusalIsRememberedInPostgresAcrossARestartAndDeadLetterAfterCountsFromIt() throws Exception {
        EmbeddedPostgresServer postgres = monitors.closeLast(new EmbeddedPostgresServer(monitors.tempDir().resolve("pg"))).start();
        firstRefusalIsRememberedAcrossARestart(monitors.harness("monitor")
                .set("monitor.cluster.enabled", "true")
                .set("monitor.cluster.jdbc-url", postgres.jdbcUrl())
                .set("monitor.cluster.user", postgres.user())
                .set("monitor.cluster.password", ""));
    }

    private void firstRefusalIsRememberedAcrossARestart(MonitorHarness unstarted) throws Exception {
        MonitorHarness h = refusingWebhook(unstarted);
        long failure = h.simulator.addFailed(9, Instant.now(), "failed\n");
        // the first poll that finds it comes half an hour after the failure
        clock.advance(Duration.ofMinutes(30));
        assertThat(h.poll().undeliveredBySink()).containsExactly(Map.entry("custom", 1));

        clock.advance(Duration.ofMinutes(40));
        restart();
        Poll afterRestart = h.poll();

        assertThat(afterRestart.deadLetteredBySink()).as("70 minutes after the failure, 40 after the first refusal").isEmpty();
        assertThat(afterRestart.undeliveredBySink()).containsExactly(Map.entry("custom", 1));

        clock.advance(Duration.ofMinutes(25));
        Poll later = h.poll();

        assertThat(later.deadLetteredBySink()).as("65 minutes after the first refusal, 25 after the first one since the restart")
                .containsExactly(Map.entry("custom", 1));
        assertThat(deadLetteredId()).isEqualTo(failure);
        assertThat(later.failure()).isEmpty();
    }

    @Test
    void anAlertNotTriedAfterAnEarlierRefusalCountsAsRefusedFromThatPoll() throws Exception {
        MonitorHarness h = refusingWebhook(monitors.harness());
        h.simulator.addFailed(9, Instant.now().minusSeconds(60), "first\n");
        h.simulator.addFailed(9, Instant.now().minusSeconds(30), "second\n");

        Poll first = h.poll();

        assertThat(webhook.refused()).as("one tried, the other not after that refusal").hasSize(1);
        assertThat(first.undeliveredBySink()).containsExactly(Map.entry("custom", 2));

        clock.advance(DEAD_LETTER_AFTER.plusMinutes(1));
        Poll later = h.poll();

        assertThat(later.deadLetteredBySink()).as("both, though one was never tried before this poll")
                .containsExactly(Map.entry("custom", 2));
        assertThat(later.failure()).isEmpty();
    }

    @Test
    void anAlertWithoutAReadableFailureTimeIsDeadLetteredDeadLetterAfterItsFirstRefusal() throws Exception {
        MonitorHarness h = refusingWebhook(monitors.harness());
        // an instance that answers the query with a failure that has no time at all
        h.simulator.ignoreTqlClausesOn("failedTime");
        ObjectNode timeless = JSON.createObjectNode().put("id", 4242).put("jobId", 9).put("status", "Failed")
                .put("exitMessage", "failed at no time\n");
        h.simulator.addExecution(timeless);

        assertThat(h.poll().undeliveredBySink()).containsExactly(Map.entry("custom", 1));
        clock.advance(Duration.ofMinutes(59));
        assertThat(h.poll().deadLetteredBySink()).as("59 minutes after its first refusal").isEmpty();

        clock.advance(Duration.ofMinutes(2));
        Poll later = h.poll();

        assertThat(later.deadLetteredBySink()).as("61 minutes after its first refusal").containsExactly(Map.entry("custom", 1));
        assertThat(deadLetteredId()).isEqualTo(4242L);
        assertThat(later.failure()).isEmpty();
    }
}

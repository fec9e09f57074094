package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.support.EmbeddedPostgresServer;
import dev.tcjobmonitor.support.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Repeat grouping per sink (README "Repeat interval"): with {@code sink.<name>.repeat-interval}
 * set, a job's first failure reaches the sink at once; its further failures within the interval
 * are held and reach it as one reminder ({@code "status":"JobStillFailing"}) at the first poll on or
 * after the interval's end, and only if the job failed again. Held failures are state (files or
 * PostgreSQL), survive a restart, and stay owed until a reminder counting them is accepted: a
 * refused reminder is pending like any alert. The clock is the monitor's, moved by hand; the
 * failures are the simulator's, over HTTP; the sink is a real webhook.
 */
class RepeatIntervalEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private final HttpClient http = HttpClient.newHttpClient();
    private WebhookReceiver webhook;
    /** Hours in the past: the monitor's windows never end after ThreatConnect's own time (its Date header). */
    private final ManualClock clock = new ManualClock(Instant.now().minus(Duration.ofHours(8)).truncatedTo(ChronoUnit.SECONDS));

    /** file (every failure) and custom (a webhook, repeat interval PT1H). */
    private MonitorHarness fileAndWebhook(MonitorHarness harness) throws Exception {
        webhook = monitors.closeFirst(WebhookReceiver.down()).comeUp();
        harness.set("sinks", "file,custom")
                .set("sink.custom.uri", webhook.uri())
                .set("sink.custom.repeat-interval", "PT1H")
                .set("sink.custom.max-redeliveries", "0")
                .start();
        harness.monitor("default").setClock(clock);
        return harness;
    }

    private long failsNow(MonitorHarness h, String exitMessage) {
        return h.simulator.addFailed(174, clock.instant().minusSeconds(30), exitMessage);
    }

    private List<JsonNode> webhookDocuments() {
        return webhook.received().stream().map(request -> {
            try {
                return JSON.readTree(request.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    @Test
    void aJobsFirstFailureGoesAtOnceAndItsRepeatsAsOneReminderWhenTheIntervalEnds() throws Exception {
        MonitorHarness h = fileAndWebhook(monitors.harness().set("camel.management.enabled", "true")
                .set("camel.management.port", "0"));
        Instant t0 = clock.instant();
        long first = failsNow(h, "first\n");
        Poll opening = h.poll();
        assertThat(opening.deliveredBySink()).containsEntry("file", 1).containsEntry("custom", 1);
        assertThat(webhookDocuments()).extracting(doc -> doc.get("id").asLong()).containsExactly(first);

        clock.advance(Duration.ofMinutes(15));
        long second = failsNow(h, "second\n");
        Poll holding = h.poll();
        assertThat(holding.failure()).isEmpty();
        assertThat(holding.heldBySink()).containsExactlyEntriesOf(java.util.Map.of("custom", 1));
        assertThat(holding.deliveredBySink()).containsEntry("file", 1).doesNotContainKey("custom");
        assertThat(h.watermark()).as("a held failure does not keep the window open").contains(holding.windowEnd().toString());
        assertThat(heldMetric(h, "custom")).isEqualTo(1.0);

        clock.advance(Duration.ofMinutes(15));
        long third = failsNow(h, "third: Failed for status (404)\n");
        h.poll();
        assertThat(webhookDocuments()).as("still only the first failure").hasSize(1);
        assertThat(h.alertedIds()).as("the file sink, without an interval, has every failure").containsExactly(first, second, third);

        // the interval ends at t0 + 1h: the poll on or after it sends the reminder
        clock.advance(Duration.ofMinutes(29));
        assertThat(h.poll().deliveredBySink()).as("a minute before the end: nothing").isEmpty();
        clock.advance(Duration.ofMinutes(1));
        Poll reminding = h.poll();
        assertThat(reminding.failure()).isEmpty();
        assertThat(reminding.deliveredBySink()).containsExactlyEntriesOf(java.util.Map.of("custom", 1));
        JsonNode reminder = webhookDocuments().get(1);
        assertThat(reminder.get("status").asText()).isEqualTo("JobStillFailing");
        assertThat(reminder.get("reminder").asText())
                .isEqualTo("Job 174 failed 2 more times since " + t0 + "; last exit message: third: Failed for status (404)");
        assertThat(reminder.get("jobId").asLong()).isEqualTo(174);
        assertThat(reminder.get("count").asInt()).isEqualTo(2);
        assertThat(reminder.get("exitMessage").asText()).isEqualTo("third: Failed for status (404)\n");
        assertThat(reminder.get("executionIds")).extracting(JsonNode::asLong).containsExactly(second, third);
        assertThat(reminder.get("monitor").get("instance").asText()).isEqualTo("default");
        assertThat(webhook.received().get(1).headers().get("Tcjobid")).containsExactly("174");

        // the next interval (from the reminder) ends without a failure: no reminder
        clock.advance(Duration.ofHours(2));
        assertThat(h.poll().deliveredBySink()).isEmpty();
        assertThat(webhookDocuments()).hasSize(2);
        // and the job's next failure is a first again: sent at once
        long again = failsNow(h, "broken again\n");
        h.poll();
        assertThat(webhookDocuments()).hasSize(3).last().satisfies(doc -> assertThat(doc.path("id").asLong()).isEqualTo(again));
    }

    @Test
    void heldFailuresSurviveARestartAndARefusedReminderStaysPendingUntilTheSinkTakesIt() throws Exception {
        MonitorHarness h = fileAndWebhook(monitors.harness());
        failsNow(h, "first\n");
        h.poll();
        clock.advance(Duration.ofMinutes(20));
        long held = failsNow(h, "held before the restart\n");
        assertThat(h.poll().heldBySink()).containsEntry("custom", 1);
        assertThat(h.stateDir.resolve("default").resolve("repeats-custom.jsonl")).content().contains("\"held\":\"" + held + "\"");

        h.restart();
        h.monitor("default").setClock(clock);
        clock.advance(Duration.ofMinutes(40));
        webhook.refuse();
        Poll refused = h.poll();
        assertThat(refused.failure()).as("a refused reminder fails the poll like any refused alert")
                .hasValueSatisfying(reason -> assertThat(reason).contains("sink 'custom' refused 1 alert(s)"));

        clock.advance(Duration.ofMinutes(5));
        long heldAfter = failsNow(h, "held while the reminder was refused\n");
        webhook.accept();
        Poll taken = h.poll();
        assertThat(taken.failure()).isEmpty();
        assertThat(webhookDocuments()).hasSize(2);
        JsonNode reminder = webhookDocuments().get(1);
        assertThat(reminder.get("count").asInt()).isEqualTo(2);
        assertThat(reminder.get("executionIds")).extracting(JsonNode::asLong).containsExactly(held, heldAfter);
        assertThat(reminder.get("exitMessage").asText()).isEqualTo("held while the reminder was refused\n");

        // settled: nothing is owed any more, the next polls send nothing
        clock.advance(Duration.ofMinutes(61));
        assertThat(h.poll().deliveredBySink()).isEmpty();
        assertThat(webhookDocuments()).hasSize(2);
    }

    /** A reminder the sink refuses for good (HTTP 400) goes to its dead letter like any alert, and is not offered again. */
    @Test
    void aReminderRefusedForGoodGoesToTheDeadLetterAndIsNotOfferedAgain() throws Exception {
        MonitorHarness h = fileAndWebhook(monitors.harness());
        failsNow(h, "first\n");
        h.poll();
        clock.advance(Duration.ofMinutes(20));
        failsNow(h, "held\n");
        h.poll();
        webhook.refuse(400);
        clock.advance(Duration.ofMinutes(40));

        Poll refused = h.poll();

        assertThat(refused.failure()).as("refused for good: done, the window closes").isEmpty();
        assertThat(refused.deadLetteredBySink()).containsEntry("custom", 1);
        assertThat(h.stateDir.resolve("default").resolve("dead-letter-custom.jsonl")).content().contains("JobStillFailing");
        assertThat(h.stateDir.resolve("default").resolve("repeats-custom.jsonl")).as("what it counted is settled")
                .content().doesNotContain("\"held\"");
        webhook.accept();
        clock.advance(Duration.ofMinutes(5));
        Poll next = h.poll();
        assertThat(next.failure()).isEmpty();
        assertThat(next.deliveredBySink()).as("nothing owed any more").isEmpty();
        assertThat(webhook.received()).hasSize(1);
    }

    @Test
    void inAClusterHeldFailuresLiveInPostgresql() throws Exception {
        EmbeddedPostgresServer postgres = monitors.closeLast(new EmbeddedPostgresServer(monitors.tempDir().resolve("pg"))).start();
        MonitorHarness h = fileAndWebhook(monitors.harness("monitor")
                .set("monitor.cluster.enabled", "true")
                .set("monitor.cluster.jdbc-url", postgres.jdbcUrl())
                .set("monitor.cluster.user", postgres.user())
                .set("monitor.cluster.password", ""));
        failsNow(h, "first\n");
        h.poll();
        clock.advance(Duration.ofMinutes(20));
        long held = failsNow(h, "held in the database\n");
        h.poll();
        assertThat(count(postgres, "SELECT COUNT(*) FROM TC_MONITOR_HELD WHERE SINK = 'custom' AND EXECUTION_KEY = '" + held + "'"))
                .isEqualTo(1);
        assertThat(count(postgres, "SELECT COUNT(*) FROM TC_MONITOR_REPEAT WHERE SINK = 'custom' AND JOB = '174'")).isEqualTo(1);
        assertThat(h.stateDir.resolve("default").resolve("repeats-custom.jsonl")).doesNotExist();

        h.restart();
        h.monitor("default").setClock(clock);
        clock.advance(Duration.ofMinutes(40));
        assertThat(h.poll().deliveredBySink()).containsEntry("custom", 1);

        assertThat(webhookDocuments()).last().satisfies(reminder ->
                assertThat(reminder.get("executionIds")).extracting(JsonNode::asLong).containsExactly(held));
        assertThat(count(postgres, "SELECT COUNT(*) FROM TC_MONITOR_HELD")).as("settled by the accepted reminder").isZero();
    }

    @Test
    void aRepeatIntervalThatIsNoDurationStopsStartUpNamingTheSetting() {
        MonitorHarness h = monitors.harness().set("sinks", "file").set("sink.file.repeat-interval", "4 hours");

        assertThatThrownBy(h::start).hasStackTraceContaining("invalid setting sink.file.repeat-interval of monitor 'default'")
                .hasStackTraceContaining("'4 hours' is not an ISO-8601 duration");
    }

    private static long count(EmbeddedPostgresServer postgres, String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
             ResultSet rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** tc_monitor_alerts_held_total{monitor="default",sink=...}, scraped over HTTP as an operator would. */
    private double heldMetric(MonitorHarness h, String sink) throws Exception {
        int port = VertxPlatformHttpRouter.lookup(h.context(), VertxPlatformHttpRouter.getRouterNameFromPort(0)).getServer().getPort();
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String labels = "monitor=\"default\",sink=\"" + sink + "\"";
        Matcher sample = Pattern.compile("(?m)^" + Pattern.quote("tc_monitor_alerts_held_total{" + labels) + "[^}]*\\} (\\S+)$")
                .matcher(metrics);
        assertThat(sample.find()).as("tc_monitor_alerts_held_total{%s} in the scrape", labels).isTrue();
        return Double.parseDouble(sample.group(1));
    }
}

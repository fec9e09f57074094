package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.simulator.RecordedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The monitor end to end: real YAML, real HTTP with HMAC, real files. */
class PollingEndToEndTest {

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private MonitorHarness harness;

    private MonitorHarness harness() {
        harness = monitors.harness();
        return harness;
    }

    @Test
    void deliversExactlyTheFailedExecutionsOfTheWindowWithTheirFieldsIntact() throws Exception {
        MonitorHarness h = harness().start();
        Instant now = Instant.now();
        long failed = h.simulator.addFailed(100, now.minus(Duration.ofMinutes(10)), "Failed for status (404)\n");
        h.simulator.addCompleted(100, now.minus(Duration.ofMinutes(9)));
        h.simulator.addFailed(174, now.minus(Duration.ofHours(2)), "too old for the first window\n");
        ObjectNode odd = h.simulator.executions().get(0).deepCopy()
                .put("id", 4242).put("exitMessage", "<b>odd</b> \"quoted\"\r\nBcc: x@y\n").put("priority", 1.10);
        odd.putObject("vendorExtension").put("nested", true);
        h.simulator.addExecution(odd);

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(h.alertedIds()).containsExactly(failed, 4242L);
        for (JsonNode alert : h.alerts()) {
            ObjectNode received = alert.deepCopy();
            JsonNode monitor = received.remove("monitor");
            JsonNode sent = h.simulator.executions().stream()
                    .filter(e -> e.get("id").asLong() == alert.get("id").asLong()).findFirst().orElseThrow();
            assertThat(received.toString()).as("fields, order and number forms as sent").isEqualTo(sent.toString());
            assertThat(monitor.get("instance").asText()).isEqualTo("default");
            assertThat(monitor.get("baseUrl").asText()).isEqualTo(h.simulator.baseUrl());
            assertThat(Instant.parse(monitor.get("detectedAt").asText())).isAfter(now.minusSeconds(1));
        }
        assertThat(poll.executions()).isEqualTo(2);
        assertThat(poll.newFailures()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"monitor", "window", "client"})
    void anAccessIdThatHappensToBeTheNameOfOneOfTheKameletsBeansWorksAsAnyOther(String accessId) throws Exception {
        // Camel resolves a template's bean references (#{{monitor}}) as placeholders: a parameter
        // whose whole value was such a name broke the start ("Property with key [monitor] not found")
        MonitorHarness h = harness().set("tc.access-id", accessId).start();
        h.simulator.withHmacUser(accessId, MonitorHarness.SECRET_KEY);
        long failure = h.simulator.addFailed(7, Instant.now().minusSeconds(60), "failure\n");

        assertThat(h.poll().failure()).isEmpty();

        assertThat(h.alertedIds()).containsExactly(failure);
    }

    @Test
    void aSecondPollAddsNothingAndNewFailuresAreDeliveredOnce() throws Exception {
        MonitorHarness h = harness().start();
        Instant now = Instant.now();
        long first = h.simulator.addFailed(100, now.minus(Duration.ofMinutes(5)), "first\n");

        h.poll();
        Poll second = h.poll();
        assertThat(h.alertedIds()).containsExactly(first);
        assertThat(second.failures()).isEqualTo(1);
        assertThat(second.newFailures()).isZero();

        long later = h.simulator.addFailed(100, Instant.now(), "later\n");
        h.poll();
        h.poll();

        assertThat(h.alertedIds()).containsExactly(first, later);
    }

    @Test
    void theWindowStartsAtTheWatermarkMinusTheOverlap() throws Exception {
        MonitorHarness h = harness().set("monitor.overlap", "PT10M").set("monitor.lookback", "PT2H").start();

        Poll first = h.poll();
        Poll second = h.poll();

        assertThat(first.windowStart()).isEqualTo(first.windowEnd().minus(Duration.ofHours(2)));
        assertThat(h.watermark()).contains(second.windowEnd().toString());
        assertThat(second.windowStart()).isEqualTo(first.windowEnd().minus(Duration.ofMinutes(10)));
        List<String> queries = h.simulator.requests().stream().map(PollingEndToEndTest::tql).toList();
        assertThat(queries).containsExactly(
                "status IN (\"Failed\") AND failedTime > \"" + first.windowStart() + "\"",
                "status IN (\"Failed\") AND failedTime > \"" + second.windowStart() + "\"");
    }

    @Test
    void collectsAThreePageResultWholeSigningEachPage() throws Exception {
        // the pages only: without the "job recovered" query that follows a poll that delivered failures
        MonitorHarness h = harness().set("monitor.page-size", "2").set("monitor.recovery-notices", "false").start();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        for (int i = 1; i <= 5; i++) {
            h.simulator.addFailed(100 + i, now.minusSeconds(60L * i), "failure " + i + "\n");
        }

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(poll.pages()).isEqualTo(3);
        assertThat(h.alertedIds()).hasSize(5).doesNotHaveDuplicates();
        List<RecordedRequest> requests = h.simulator.requests();
        assertThat(requests).hasSize(3);
        assertThat(requests.get(1).target()).contains("resultStart=2");
        assertThat(requests.get(2).target()).contains("resultStart=4");
        // later pages are asked exactly as the simulator's next link spells them (parentheses raw, as
        // in the reference's example), not re-encoded the way the monitor writes a first page
        assertThat(requests.get(0).target()).contains("tql=status%20IN%20%28%22Failed%22%29");
        assertThat(requests.subList(1, 3)).allSatisfy(r -> assertThat(r.target()).contains("tql=status%20IN%20(%22Failed%22)"));
        assertThat(requests).extracting(r -> r.header("Authorization").orElseThrow()).doesNotHaveDuplicates();
    }

    @Test
    void filtersByJobIdsAndExtraTql() throws Exception {
        MonitorHarness h = harness()
                .set("monitor.job-ids", "1, 2")
                .set("monitor.exclude-job-ids", "2")
                .set("monitor.extra-tql", "serverName = \"tc-job\" OR serverName = \"other\"")
                .start();
        Instant recent = Instant.now().minusSeconds(30);
        long watched = h.simulator.addFailed(1, recent, "watched\n");
        h.simulator.addFailed(2, recent, "excluded\n");
        h.simulator.addFailed(3, recent, "not listed\n");

        h.poll();

        assertThat(h.alertedIds()).containsExactly(watched);
        assertThat(tql(h.simulator.requests().get(0)))
                .endsWith("AND jobId IN (1, 2) AND jobId NOT IN (2) AND (serverName = \"tc-job\" OR serverName = \"other\")");
    }

    @Test
    void authenticatesWithAnApiTokenToo() throws Exception {
        MonitorHarness h = harness().set("tc.access-id", "").set("tc.secret-key", "").set("tc.api-token", "T0ken-Value");
        h.simulator.withApiToken("T0ken-Value");
        h.start();
        long failed = h.simulator.addFailed(7, Instant.now().minusSeconds(5), "x\n");

        assertThat(h.poll().failure()).isEmpty();

        assertThat(h.alertedIds()).containsExactly(failed);
        assertThat(h.simulator.requests().get(0).header("Authorization")).contains("TC-Token T0ken-Value");
    }

    @Test
    void credentialsWithAnAmpersandOrAPercentSignReachTheKameletWhole() throws Exception {
        // the template hands the credentials to its Kamelet in the Kamelet's endpoint URI: unescaped,
        // a '&' would end the secret there (its tail a parameter name, unmasked in the error) and a
        // '%' would be URL-decoded; in RAW(...), a ")&" would end it
        String secretKey = "Sec&ret%41)&Key+/=";
        MonitorHarness h = harness().set("tc.access-id", "amp&user").set("tc.secret-key", secretKey);
        h.simulator.withHmacUser("amp&user", secretKey);
        h.start();
        long failed = h.simulator.addFailed(7, Instant.now().minusSeconds(5), "x\n");

        assertThat(h.poll().failure()).isEmpty();

        assertThat(h.alertedIds()).containsExactly(failed);
    }

    @Test
    void noRequestHeaderOrCredentialReachesASink() throws Exception {
        MonitorHarness h = harness().start();
        h.simulator.addFailed(7, Instant.now().minusSeconds(5), "x\n");

        h.poll();

        assertThat(h.alerts()).singleElement().satisfies(alert ->
                assertThat(alert.toString()).doesNotContain(MonitorHarness.SECRET_KEY).doesNotContain("Authorization"));
    }

    /**
     * A page whose Content-Length is announced (as the simulator and most servers do) is read by
     * camel-http into one array of that length, not into a stream cache that grows by doubling and
     * copying: some 60 MB allocated per 100,000 failures in pages of 10,000 (benchmark/RESULTS.md).
     * camel-http does so only up to its response-payload-streaming-threshold (8 KiB unless set), so
     * the shipped settings must raise it above ThreatConnect's largest page (10,000 executions,
     * ~2.3 MB with the simulator's executions; real ones carry longer messages), for http and https.
     */
    @Test
    void aPageOfTenThousandExecutionsWithItsLengthAnnouncedIsReadIntoOneArrayNotAGrowingStreamCache() throws Exception {
        MonitorHarness h = harness().start();
        h.simulator.addFailed(7, Instant.now().minusSeconds(5), "x\n");
        assertThat(h.poll().failure()).isEmpty();

        for (String scheme : List.of("http", "https")) {
            assertThat(h.context().getComponent(scheme, org.apache.camel.component.http.HttpComponent.class)
                    .getResponsePayloadStreamingThreshold())
                    .as("the %s component's response-payload-streaming-threshold", scheme)
                    .isGreaterThanOrEqualTo(8 * 1024 * 1024);
        }
    }

    static String tql(RecordedRequest request) {
        String query = request.target().substring(request.target().indexOf('?') + 1);
        for (String pair : query.split("&")) {
            if (pair.startsWith("tql=")) {
                return URLDecoder.decode(pair.substring(4), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no tql in " + request.target());
    }
}

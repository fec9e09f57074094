package dev.tcjobmonitor.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulator's executions endpoint: what a query returns, page by page, as executions come and time passes. */
class ThreatConnectSimulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "Simulator-Test-Token";
    private static final Instant T = Instant.parse("2026-11-28T12:00:00Z");
    private static final String LAST_DAY = "status = \"Failed\" AND failedTime > \"" + T.minus(Duration.ofDays(1)) + "\"";

    private final ThreatConnectSimulator simulator = ThreatConnectSimulator.start().withApiToken(TOKEN);
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        simulator.close();
    }

    private JsonNode page(String tql, int start, int limit) throws Exception {
        URI uri = URI.create(simulator.baseUrl() + "/v3/job/executions?tql=" + ThreatConnectSimulator.encodeQueryValue(tql) + "&resultStart=" + start
                + "&resultLimit=" + limit);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).header("Authorization", "TC-Token " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<Long> ids(JsonNode page) {
        List<Long> ids = new ArrayList<>();
        page.get("data").forEach(execution -> ids.add(execution.get("id").asLong()));
        return ids;
    }

    @Test
    void thePagesOfAQueryAreSlicesOfOneAnswerNewestFirstWithTheCounts() throws Exception {
        List<Long> added = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            added.add(simulator.addFailed(7, T.minusSeconds(60L * i), "failure " + i + "\n"));
        }
        simulator.addCompleted(7, T.minusSeconds(30));

        JsonNode first = page(LAST_DAY, 0, 2);
        JsonNode second = page(LAST_DAY, 2, 2);
        JsonNode last = page(LAST_DAY, 4, 2);

        assertThat(ids(first)).containsExactly(added.get(4), added.get(3));
        assertThat(ids(second)).containsExactly(added.get(2), added.get(1));
        assertThat(ids(last)).containsExactly(added.get(0));
        assertThat(first.get("next").asText()).endsWith("resultStart=2&resultLimit=2");
        assertThat(last.has("next")).isFalse();
        assertThat(first.get("countFailure").asLong()).isEqualTo(5);
        assertThat(first.get("countSuccess").asLong()).isZero();
    }

    @Test
    void nextLinksEncodeTheQueryAsTheReferenceExampleDoes() throws Exception {
        // job-executions-api.rst, "Request (Encoded URL)"
        assertThat(ThreatConnectSimulator.encodeQueryValue("completedTime > \"NOW() - 1 HOUR\""))
                .isEqualTo("completedTime%20%3E%20%22NOW()%20-%201%20HOUR%22");
        assertThat(ThreatConnectSimulator.encodeQueryValue("jobId = 12345")).isEqualTo("jobId%20%3D%2012345");
        assertThat(ThreatConnectSimulator.encodeQueryValue("a&b+c%d\u00e9")).isEqualTo("a%26b%2Bc%25d%C3%A9");
        for (int i = 0; i < 3; i++) {
            simulator.addFailed(7, T.minusSeconds(60L * i), "failure " + i + "\n");
        }

        assertThat(page(LAST_DAY, 0, 2).get("next").asText()).isEqualTo(simulator.baseUrl() + "/v3/job/executions?tql="
                + ThreatConnectSimulator.encodeQueryValue(LAST_DAY) + "&resultStart=2&resultLimit=2");
    }

    @Test
    void aQueryAskedAgainSeesTheExecutionsAddedSinceItWasLastAnswered() throws Exception {
        long before = simulator.addFailed(7, T.minusSeconds(120), "before\n");
        assertThat(ids(page(LAST_DAY, 0, 10))).containsExactly(before);

        long after = simulator.addFailed(8, T.minusSeconds(60), "after\n");

        JsonNode again = page(LAST_DAY, 0, 10);
        assertThat(ids(again)).containsExactly(after, before);
        assertThat(again.get("countFailure").asLong()).isEqualTo(2);
    }

    @Test
    void aQueryOnNowIsAnsweredAtTheTimeOfEachRequest() throws Exception {
        simulator.setClock(Clock.fixed(T, ZoneOffset.UTC));
        long failure = simulator.addFailed(7, T.minus(Duration.ofMinutes(30)), "half an hour ago\n");
        String lastHour = "status = \"Failed\" AND failedTime > \"NOW() - 1 HOUR\"";
        assertThat(ids(page(lastHour, 0, 10))).containsExactly(failure);

        simulator.setClock(Clock.fixed(T.plus(Duration.ofHours(1)), ZoneOffset.UTC));

        assertThat(ids(page(lastHour, 0, 10))).as("an hour later, the failure is older than the last hour").isEmpty();
    }
}

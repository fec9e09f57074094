package dev.tcjobmonitor.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        URI uri = URI.create(simulator.baseUrl() + "/v3/job/executions?tql=" + QueryStrings.encode(tql) + "&resultStart=" + start
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
        assertThat(QueryStrings.encode("completedTime > \"NOW() - 1 HOUR\""))
                .isEqualTo("completedTime%20%3E%20%22NOW()%20-%201%20HOUR%22");
        assertThat(QueryStrings.encode("jobId = 12345")).isEqualTo("jobId%20%3D%2012345");
        assertThat(QueryStrings.encode("a&b+c%d\u00e9")).isEqualTo("a%26b%2Bc%25d%C3%A9");
        for (int i = 0; i < 3; i++) {
            simulator.addFailed(7, T.minusSeconds(60L * i), "failure " + i + "\n");
        }

        assertThat(page(LAST_DAY, 0, 2).get("next").asText()).isEqualTo(simulator.baseUrl() + "/v3/job/executions?tql="
                + QueryStrings.encode(LAST_DAY) + "&resultStart=2&resultLimit=2");
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

    @Test
    void anInstanceIgnoringTheQueryAnswersEveryExecutionOnEveryPageUntilItHonoursItAgain() throws Exception {
        List<Long> recent = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            recent.add(simulator.addFailed(7, T.minusSeconds(60L * i), "recent " + i + "\n"));
        }
        long old = simulator.addFailed(7, T.minus(Duration.ofDays(2)), "too old\n");
        long completed = simulator.addCompleted(7, T.minusSeconds(30));
        assertThat(ids(page(LAST_DAY, 0, 10))).containsExactlyInAnyOrderElementsOf(recent);

        simulator.ignoreTql();

        List<Long> everyPage = new ArrayList<>();
        JsonNode first = page(LAST_DAY, 0, 2);
        everyPage.addAll(ids(first));
        everyPage.addAll(ids(page(LAST_DAY, 2, 2)));
        JsonNode last = page(LAST_DAY, 4, 2);
        everyPage.addAll(ids(last));
        assertThat(everyPage).containsExactly(completed, old, recent.get(2), recent.get(1), recent.get(0));
        assertThat(first.has("next")).isTrue();
        assertThat(last.has("next")).isFalse();

        simulator.honourTql();

        assertThat(ids(page(LAST_DAY, 0, 10))).containsExactlyInAnyOrderElementsOf(recent);
    }

    @Test
    void anInstanceIgnoringTheClausesOnAFieldHonoursTheRestOfTheQuery() throws Exception {
        long recent = simulator.addFailed(7, T.minusSeconds(60), "recent\n");
        long otherJob = simulator.addFailed(8, T.minusSeconds(90), "another job\n");
        long old = simulator.addFailed(8, T.minus(Duration.ofDays(2)), "too old\n");
        long completed = simulator.addCompleted(7, T.minusSeconds(30));
        String watched = LAST_DAY + " AND jobId IN (7)";
        assertThat(ids(page(watched, 0, 10))).containsExactly(recent);

        simulator.ignoreTqlClausesOn("failedTime");
        assertThat(ids(page(watched, 0, 10))).as("time ignored").containsExactly(recent);
        assertThat(ids(page(LAST_DAY, 0, 10))).as("time ignored").containsExactly(old, otherJob, recent);

        simulator.ignoreTqlClausesOn("jobId");
        assertThat(ids(page(watched, 0, 10))).as("jobId ignored").containsExactly(otherJob, recent);

        simulator.ignoreTqlClausesOn("status", "failedTime");
        assertThat(ids(page(watched, 0, 10))).as("status and time ignored").containsExactly(completed, recent);
    }

    @Test
    void aConnectionDroppedMidBodyAnnouncesTheWholeBodyAndEndsAfterHalfOfIt() throws Exception {
        simulator.addFailed(7, T.minusSeconds(60), "a failure with some text to cut\n");
        simulator.enqueueFault(Fault.connectionDroppedMidBody());
        String target = "/api/v3/job/executions?tql=" + QueryStrings.encode(LAST_DAY) + "&resultLimit=10";

        byte[] received;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), simulator.port())) {
            // a connection left open would block the read: fail then, rather than hang
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: TC-Token " + TOKEN
                    + "\r\nConnection: keep-alive\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            received = readToEndOfStream(socket.getInputStream());
        }

        String response = new String(received, StandardCharsets.ISO_8859_1);
        int headerEnd = response.indexOf("\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 200");
        Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(response.substring(0, headerEnd));
        assertThat(length.find()).as("a Content-Length header").isTrue();
        int announced = Integer.parseInt(length.group(1));
        int bodyBytes = received.length - (headerEnd + 4);
        assertThat(bodyBytes).as("the server closed the connection after half the announced body")
                .isEqualTo(announced / 2).isLessThan(announced);

        // and an ordinary client sees an I/O failure, not a response
        simulator.enqueueFault(Fault.connectionDroppedMidBody());
        URI uri = URI.create(simulator.baseUrl().replace("/api", "") + target);
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(uri).header("Authorization", "TC-Token " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        // the fault was one request's: the next answer is whole
        assertThat(ids(page(LAST_DAY, 0, 10))).hasSize(1);
    }

    private static byte[] readToEndOfStream(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            all.write(buffer, 0, n);
        }
        return all.toByteArray();
    }
}

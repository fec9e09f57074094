package dev.tcjobmonitor.threatconnect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tcjobmonitor.simulator.Fault;
import dev.tcjobmonitor.simulator.HmacVerifier;
import dev.tcjobmonitor.simulator.RecordedRequest;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import dev.tcjobmonitor.support.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The page requests' HTTP client, as the Kamelet's camel-http endpoint builds it (through the
 * {@code HttpClientConfigurer}), against the simulator, which checks every signature itself and
 * records each request as it arrived.
 */
class ThreatConnectClientTest {

    private static final String ACCESS_ID = "api-user";
    private static final String SECRET_KEY = "s3cret/key+with=base64-chars";
    private static final String TOKEN = "api-token-123";
    /** A query with spaces, quotes and parentheses, percent-encoded as the monitor sends it. */
    private static final String PAGE = "/v3/job/executions?tql=status%20in%20(%22Failed%22)%20and%20jobId%20%3D%201&resultLimit=2";

    private final ThreatConnectSimulator simulator = ThreatConnectSimulator.start()
            .withHmacUser(ACCESS_ID, SECRET_KEY).withApiToken(TOKEN);
    private final ManualClock clock = new ManualClock(Instant.now());
    private final ThreatConnectClient client = new ThreatConnectClient();

    @AfterEach
    void stopSimulator() {
        simulator.close();
    }

    @Test
    void everyAttemptIsSignedAnewWhenItIsSent() throws Exception {
        client.signWith(new HmacSigner(ACCESS_ID, SECRET_KEY, clock));
        HttpGet page = new HttpGet(simulator.baseUrl() + PAGE);
        try (CloseableHttpClient http = build(client)) {
            assertThat(send(http, page)).isEqualTo(200);
            // the same request object sent again later, as a retried attempt is: a signature made
            // once would carry the first Timestamp
            clock.advance(Duration.ofSeconds(7));
            assertThat(send(http, page)).isEqualTo(200);
        }

        List<RecordedRequest> sent = simulator.requests();
        assertThat(sent).hasSize(2);
        long first = Long.parseLong(sent.get(0).header("Timestamp").orElseThrow());
        long second = Long.parseLong(sent.get(1).header("Timestamp").orElseThrow());
        assertThat(second - first).isEqualTo(7);
        for (RecordedRequest request : sent) {
            assertThat(verified(request)).as("signature of %s", request).isTrue();
        }
        assertThat(sent.get(1).header("Authorization")).isNotEqualTo(sent.get(0).header("Authorization"));
    }

    @Test
    void theRawPathAndQueryAreSignedExactlyAsSent() throws Exception {
        client.signWith(new HmacSigner(ACCESS_ID, SECRET_KEY, clock));
        try (CloseableHttpClient http = build(client)) {
            assertThat(send(http, new HttpGet(simulator.baseUrl() + PAGE))).isEqualTo(200);
        }

        RecordedRequest request = simulator.requests().get(0);
        // still percent-encoded on the wire, and signed that way (the simulator answered 200)
        assertThat(request.target()).isEqualTo("/api" + PAGE);
        long timestamp = Long.parseLong(request.header("Timestamp").orElseThrow());
        assertThat(request.header("Authorization")).contains(
                new HmacSigner(ACCESS_ID, SECRET_KEY, clock).authorization("GET", "/api" + PAGE, timestamp));
    }

    @Test
    void anApiTokenIsSentWithEveryRequest() throws Exception {
        client.signWith(new TokenSigner(TOKEN));
        try (CloseableHttpClient http = build(client)) {
            assertThat(send(http, new HttpGet(simulator.baseUrl() + PAGE))).isEqualTo(200);
            assertThat(send(http, new HttpGet(simulator.baseUrl() + PAGE))).isEqualTo(200);
        }

        assertThat(simulator.requests()).hasSize(2).allSatisfy(request -> {
            assertThat(request.header("Authorization")).contains("TC-Token " + TOKEN);
            assertThat(request.header("Timestamp")).isEmpty();
        });
    }

    @Test
    void aRequestIsNeverSentUnsigned() {
        // no signer yet: the monitor's settings were never checked
        try (CloseableHttpClient http = build(client)) {
            assertThatThrownBy(() -> send(http, new HttpGet(simulator.baseUrl() + PAGE)))
                    .hasMessageContaining("no ThreatConnect credentials");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(simulator.requests()).isEmpty();
    }

    @Test
    void theClientNeitherRetriesNorFollowsRedirects() throws Exception {
        client.signWith(new HmacSigner(ACCESS_ID, SECRET_KEY, clock));
        simulator.enqueueFault(Fault.rateLimited(Duration.ofSeconds(1)));
        simulator.enqueueFault(Fault.respond(503, "<html>Service Unavailable</html>"));
        simulator.enqueueFault(Fault.redirect(302, simulator.baseUrl() + "/v3/job/executions?elsewhere=1"));
        try (CloseableHttpClient http = build(client)) {
            // each answer comes back as it is: the monitor decides what to retry, and when
            assertThat(send(http, new HttpGet(simulator.baseUrl() + PAGE))).isEqualTo(429);
            assertThat(send(http, new HttpGet(simulator.baseUrl() + PAGE))).isEqualTo(503);
            assertThat(send(http, new HttpGet(simulator.baseUrl() + PAGE))).isEqualTo(302);
        }
        assertThat(simulator.requests()).hasSize(3).allSatisfy(request ->
                assertThat(request.target()).isEqualTo("/api" + PAGE));
    }

    @Test
    void aBodyOfExactlyTcMaxPageBytesIsReadWholeAndOneByteMoreIsRefused() throws Exception {
        client.signWith(new TokenSigner(TOKEN));
        String body = "{\"data\":[],\"status\":\"Success\"}";
        simulator.enqueueFault(Fault.respond(200, body));
        simulator.enqueueFault(Fault.respond(200, body));
        try (CloseableHttpClient http = build(client)) {
            client.setMaxPageBytes(String.valueOf(body.length()));
            assertThat(read(http, new HttpGet(simulator.baseUrl() + PAGE))).isEqualTo(body);

            client.setMaxPageBytes(String.valueOf(body.length() - 1));
            // an I/O error: the monitor retries it as transient
            assertThatThrownBy(() -> read(http, new HttpGet(simulator.baseUrl() + PAGE)))
                    .isInstanceOf(PageLimitExceeded.class)
                    .hasMessageContaining("larger than tc.max-page-bytes (" + (body.length() - 1) + " bytes)");
        }
    }

    @Test
    void limitsThatCannotWorkAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> client.setMaxPageBytes("0")).hasMessageContaining("tc.max-page-bytes");
        assertThatThrownBy(() -> client.setMaxPageBytes("64MB")).hasMessageContaining("tc.max-page-bytes");
        assertThatThrownBy(() -> client.setPageDeadline("PT0S")).hasMessageContaining("tc.page-deadline");
        assertThatThrownBy(() -> client.setPageDeadline("5 minutes")).hasMessageContaining("tc.page-deadline");
    }

    private static String read(CloseableHttpClient http, ClassicHttpRequest request) throws IOException {
        return http.execute(request, response -> org.apache.hc.core5.http.io.entity.EntityUtils.toString(response.getEntity()));
    }

    /** The client camel-http would build with this configurer. */
    @Test
    void aPageReadAheadIsTheAnswerToTheRequestForItAndThatRequestDoesNotGoOutAgain() throws Exception {
        client.signWith(new HmacSigner(ACCESS_ID, SECRET_KEY, clock));
        client.readAheadThrough(ThreatConnectHttp.DEFAULT, "m");
        String page = simulator.baseUrl() + PAGE;
        try (CloseableHttpClient http = build(client)) {
            String direct = http.execute(new HttpGet(page), response -> EntityUtils.toString(response.getEntity()));
            client.readAhead(java.net.URI.create(page));
            await().atMost(Duration.ofSeconds(10)).until(() -> simulator.requests().size() == 2);

            String early = http.execute(new HttpGet(page), response -> response.getCode() + " " + EntityUtils.toString(response.getEntity()));

            assertThat(early).isEqualTo("200 " + direct);
            assertThat(simulator.requests()).as("the early request only, signed when it went out").hasSize(2)
                    .allSatisfy(request -> assertThat(verified(request)).isTrue());
        } finally {
            client.close();
        }
    }

    @Test
    void aPageReadAheadIsForTheNextRequestOnlyAndNeverForAPollAfterIt() throws Exception {
        client.signWith(new HmacSigner(ACCESS_ID, SECRET_KEY, clock));
        client.readAheadThrough(ThreatConnectHttp.DEFAULT, "m");
        String page = simulator.baseUrl() + PAGE;
        String other = simulator.baseUrl() + PAGE.replace("resultLimit=2", "resultLimit=3");
        try (CloseableHttpClient http = build(client)) {
            // read ahead, then a poll starts: its request for the same page goes out itself, signed later
            client.readAhead(java.net.URI.create(page));
            await().atMost(Duration.ofSeconds(10)).until(() -> simulator.requests().size() == 1);
            client.dropReadAhead();
            clock.advance(Duration.ofSeconds(7));
            assertThat(send(http, new HttpGet(page))).isEqualTo(200);
            // read ahead, then a request for another page: the page read ahead is dropped with it
            client.readAhead(java.net.URI.create(page));
            await().atMost(Duration.ofSeconds(10)).until(() -> simulator.requests().size() == 3);
            assertThat(send(http, new HttpGet(other))).isEqualTo(200);
            clock.advance(Duration.ofSeconds(7));
            assertThat(send(http, new HttpGet(page))).isEqualTo(200);
        } finally {
            client.close();
        }

        long start = clock.instant().getEpochSecond() - 14;
        assertThat(simulator.requests()).extracting(request -> request.target().endsWith("resultLimit=2")
                ? Long.parseLong(request.header("Timestamp").orElseThrow()) - start : -1L)
                .as("seconds after the start at which each request for the page was signed (-1: the other page)")
                .containsExactly(0L, 7L, 7L, -1L, 14L);
    }

    /**
     * A page read ahead that the poll no longer wants (a poll starts, or asks for another page)
     * while ThreatConnect still prepares it is given up on the wire: one request at a time, and
     * the next page read ahead goes out at once instead of waiting behind the one dropped.
     */
    @Test
    void aPageReadAheadDroppedWhileThreatConnectStillPreparesItIsAbortedAndHoldsUpNoRequestAfterIt() throws Exception {
        client.signWith(new HmacSigner(ACCESS_ID, SECRET_KEY, clock));
        client.readAheadThrough(ThreatConnectHttp.DEFAULT, "m");
        String page = simulator.baseUrl() + PAGE;
        // ThreatConnect answers the first request only after ten minutes
        simulator.enqueueFault(Fault.delay(Duration.ofMinutes(10)));
        try (CloseableHttpClient http = build(client)) {
            client.readAhead(java.net.URI.create(page));
            await().atMost(Duration.ofSeconds(10)).until(() -> simulator.requests().size() == 1);
            client.dropReadAhead();

            client.readAhead(java.net.URI.create(page));
            await("the next page read ahead goes out without waiting for the one dropped").atMost(Duration.ofSeconds(30))
                    .until(() -> simulator.requests().size() == 2);
            assertThat(send(http, new HttpGet(page))).isEqualTo(200);
            assertThat(simulator.requests()).as("the route's request took the answer read ahead").hasSize(2);
        } finally {
            client.close();
        }
    }

    private static CloseableHttpClient build(ThreatConnectClient configurer) {
        HttpClientBuilder builder = HttpClients.custom();
        configurer.configureHttpClient(builder);
        return builder.build();
    }

    private static int send(CloseableHttpClient http, ClassicHttpRequest request) throws IOException {
        return http.execute(request, response -> response.getCode());
    }

    /** Checked as the simulator checks it, independently of HmacSigner. */
    private static boolean verified(RecordedRequest request) {
        HmacVerifier.Credentials credentials = HmacVerifier.credentials(request.header("Authorization").orElseThrow())
                .orElseThrow();
        return credentials.accessId().equals(ACCESS_ID) && HmacVerifier.verifies(SECRET_KEY, request.method(),
                request.target(), request.header("Timestamp").orElseThrow(), credentials.signature());
    }
}

package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.simulator.Fault;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.time.Duration;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kamelet tc-job-failures-source in a plain Camel application that added the jar and nothing
 * of the module's own configuration: an ordinary route consumes it and gets each new failed
 * execution once, as a JSON message.
 */
class KameletSourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "Integrator/Secret+Key=";

    @TempDir
    Path tempDir;

    private ThreatConnectSimulator tc;
    private DefaultCamelContext integrator;
    private MockEndpoint failures;

    @BeforeEach
    void startTheIntegratorsApplication() throws Exception {
        tc = ThreatConnectSimulator.start().withHmacUser("soc-user", SECRET);
        startIntegrator("classpath:kamelet/integrator-routes.camel.yaml");
    }

    /** The integrator's application with the route(s) of {@code routes}. */
    private void startIntegrator(String routes) throws Exception {
        startIntegrator(routes, "mock:failures");
    }

    /** ... whose route sends each failure to {@code failuresUri}. */
    private void startIntegrator(String routes, String failuresUri) throws Exception {
        startIntegrator(routes, failuresUri, new Properties());
    }

    /** ... in a host that also sets {@code hostSettings}. */
    private void startIntegrator(String routes, String failuresUri, Properties hostSettings) throws Exception {
        Properties settings = new Properties();
        settings.putAll(hostSettings);
        // the module's tuning keys, if a host sets them, apply to the Kamelet too
        settings.setProperty("tc.retry-after-cap", "PT0.1S");
        settings.setProperty("tc.retry-initial-delay", "PT0.05S");
        integrator = KameletIntegrator.start(tc, tempDir.resolve("state"), routes, failuresUri, settings);
        failures = integrator.getEndpoint("mock:failures", MockEndpoint.class);
    }

    @AfterEach
    void stop() throws Exception {
        integrator.close();
        tc.close();
    }

    @Test
    void eachNewFailureArrivesOnceAsAJsonMessageWithItsHeaders() throws Exception {
        long first = tc.addFailed(11, Instant.now().minusSeconds(120), "feed down");
        long second = tc.addFailed(12, Instant.now().minusSeconds(60), "enrichment timed out");
        tc.addCompleted(13, Instant.now().minusSeconds(30));
        failures.expectedMessageCount(2);

        poll();

        failures.assertIsSatisfied();
        List<JsonNode> bodies = failures.getExchanges().stream().map(KameletSourceTest::json).toList();
        assertThat(bodies).extracting(body -> body.path("id").asLong()).containsExactlyInAnyOrder(first, second);
        assertThat(bodies).allSatisfy(body -> assertThat(body.path("monitor").path("instance").asText()).isEqualTo("soc"));
        Exchange one = failures.getExchanges().get(0);
        assertThat(one.getMessage().getHeaders()).containsKeys("tcExecutionId", "tcJobId", "tcStatus", "tcMonitor")
                .doesNotContainKey("Authorization");

        failures.reset();
        long third = tc.addFailed(14, Instant.now().minusSeconds(5), "new one");
        failures.expectedMessageCount(1);
        poll();
        failures.assertIsSatisfied();
        assertThat(json(failures.getExchanges().get(0)).path("id").asLong()).isEqualTo(third);
    }

    @Test
    void aFailureTheRouteCouldNotProcessIsOfferedAgainAtTheNextPoll() throws Exception {
        long failure = tc.addFailed(21, Instant.now().minusSeconds(60), "feed down");
        failures.whenAnyExchangeReceived(exchange -> {
            throw new IllegalStateException("the ticket system is down");
        });
        failures.expectedMessageCount(1);

        poll();

        failures.assertIsSatisfied();
        failures.reset();
        failures.expectedMessageCount(1);
        poll();
        failures.assertIsSatisfied();
        assertThat(json(failures.getExchanges().get(0)).path("id").asLong()).isEqualTo(failure);

        failures.reset();
        failures.expectedMessageCount(0);
        poll();
        failures.assertIsSatisfied();
    }

    @Test
    void aFailureTheRoutesEndpointRefusesForGoodIsDeadLetteredAtOnceAndTheNextOnesAreTakenInTheSamePoll() throws Exception {
        // the integrator's route posts each failure to its ticket system, which cannot take one of them
        integrator.close();
        try (WebhookReceiver tickets = WebhookReceiver.down().comeUp().answer(400, "cannot take this one")) {
            startIntegrator("classpath:kamelet/integrator-routes.camel.yaml", tickets.uri());
            Instant recent = Instant.now().minusSeconds(60);
            long oldest = tc.addFailed(51, recent, "feed down");
            long refused = tc.addFailed(52, recent.plusSeconds(1), "cannot take this one");
            long newest = tc.addFailed(53, recent.plusSeconds(2), "feed down");

            poll();

            // the poll's NotifyBuilder may match when the refused failure's exchange is done: wait for the rest
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(tickets.received())
                    .extracting(request -> JSON.readTree(request.body()).path("id").asLong())
                    .containsExactlyInAnyOrder(newest, oldest));
            assertThat(tickets.refused()).hasSize(1);
            assertThat(java.nio.file.Files.readString(tempDir.resolve("state/soc/dead-letter-kamelet.jsonl")))
                    .contains("\"id\":" + refused).contains("400");

            poll();

            assertThat(tickets.refused()).as("not offered again").hasSize(1);
            assertThat(tickets.received()).hasSize(2);
        }
    }

    /**
     * The hand-over itself fails (the kamelet:sink call: the consuming route is stopped, nobody
     * takes the failure): that is no failure of the poll and nothing for Camel's error handler to
     * log or retry. The failure stays pending, not dead-lettered, and comes once the route is back.
     */
    @Test
    void aFailureTheConsumingRouteWasNotThereToTakeStaysPendingAndComesWhenTheRouteIsBack() throws Exception {
        // without a consumer, kamelet:sink fails at once (by default it would wait 30 s for one)
        for (org.apache.camel.Endpoint endpoint : integrator.getEndpoints()) {
            if (endpoint instanceof org.apache.camel.component.kamelet.KameletEndpoint kamelet) {
                kamelet.setBlock(false);
            }
        }
        integrator.getRouteController().stopRoute("soc-poll");
        integrator.getRouteController().startRoute("soc-poll");
        integrator.getRouteController().stopRoute("soc-failures");
        long failure = tc.addFailed(71, Instant.now().minusSeconds(60), "feed down");

        String log = StandardOutput.of(this::poll);

        assertThat(integrator.getRouteController().getRouteStatus("soc-poll").isStarted()).isTrue();
        assertThat(failures.getReceivedCounter()).isZero();
        assertThat(log.lines().filter(line -> line.contains("KameletConsumerNotAvailableException")).toList())
                .as("the hand-over's failure is the monitor's to report (one line), not Camel's to log").singleElement()
                .asString().contains("WARN JobMonitor").contains("sink 'kamelet' refused 1 alert(s)");
        assertThat(log).doesNotContain("Exhausted after delivery attempt").doesNotContain("\tat org.apache.camel");
        assertThat(tempDir.resolve("state/soc/watermark")).as("not taken: the window stays open").doesNotExist();
        assertThat(tempDir.resolve("state/soc/dead-letter-kamelet.jsonl")).doesNotExist();

        integrator.getRouteController().startRoute("soc-failures");
        failures.expectedMessageCount(1);
        poll();
        failures.assertIsSatisfied();
        assertThat(json(failures.getExchanges().get(0)).path("id").asLong()).isEqualTo(failure);
    }

    @Test
    void aRateLimitedPageIsRetriedByTheMonitorNotByTheHostsHttpClient() throws Exception {
        // the host never configured its http component; HttpClient's own handling of a 429 with
        // Retry-After would wait 30 s (CAMEL-23345) and resend on its own
        long failure = tc.addFailed(31, Instant.now().minusSeconds(60), "feed down");
        tc.enqueueFault(Fault.rateLimited(Duration.ofSeconds(30)));
        failures.expectedMessageCount(1);

        poll();

        failures.assertIsSatisfied();
        assertThat(json(failures.getExchanges().get(0)).path("id").asLong()).isEqualTo(failure);
        assertThat(tc.requests()).as("the 429, then the monitor's own retry").hasSize(2);
    }

    @Test
    void pagesAreStillRetriedWhenTheHostsRouteHasErrorHandlingOfItsOwn() throws Exception {
        // the Kamelet's route inherits the consuming route's routeConfiguration, whose
        // onException(Exception) would swallow the first failed attempt: the Kamelet's own
        // route-scoped onException takes precedence, so the page is retried and the poll ends well
        integrator.close();
        startIntegrator("classpath:kamelet/integrator-routes-with-error-handling.camel.yaml");
        MockEndpoint errors = integrator.getEndpoint("mock:errors", MockEndpoint.class);
        long failure = tc.addFailed(41, Instant.now().minusSeconds(60), "feed down");
        tc.enqueueFault(Fault.respond(503, "<html>Service Unavailable</html>"));
        tc.enqueueFault(Fault.truncated());
        tc.enqueueFault(Fault.rateLimited(Duration.ofSeconds(30)));
        failures.expectedMessageCount(1);

        poll();

        failures.assertIsSatisfied();
        assertThat(json(failures.getExchanges().get(0)).path("id").asLong()).isEqualTo(failure);
        assertThat(tc.requests()).as("503, cut short, 429, then the page").hasSize(4);
        assertThat(errors.getReceivedCounter()).as("failed attempts reaching the host's error handling").isZero();
    }

    @Test
    void aFailureTheHostsOwnErrorHandlingTookCareOfIsNeitherTakenNorRefusedAndComesAgain() throws Exception {
        // the host's routeConfiguration handles the route's failure (to its error queue): the
        // route did not process the failure, yet did not throw either. It is not recorded as
        // taken, nor as refused (no dead-letter clock): the window stays open and the next poll
        // offers it again
        integrator.close();
        startIntegrator("classpath:kamelet/integrator-routes-with-error-handling.camel.yaml");
        MockEndpoint errors = integrator.getEndpoint("mock:errors", MockEndpoint.class);
        long failure = tc.addFailed(61, Instant.now().minusSeconds(60), "feed down");
        failures.whenExchangeReceived(1, exchange -> {
            throw new IllegalStateException("the ticket system is down");
        });
        failures.expectedMessageCount(1);

        poll();

        failures.assertIsSatisfied();
        assertThat(errors.getReceivedCounter()).as("the host's error handling got it").isEqualTo(1);
        assertThat(tempDir.resolve("state/soc/watermark")).as("not taken: the window stays open").doesNotExist();
        assertThat(tempDir.resolve("state/soc/dead-letter-kamelet.jsonl")).doesNotExist();
        failures.reset();
        failures.expectedMessageCount(1);
        poll();
        failures.assertIsSatisfied();
        assertThat(json(failures.getExchanges().get(0)).path("id").asLong()).isEqualTo(failure);
        // the poll's NotifyBuilder may match when the failure's own exchange is done: wait for the poll's end
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(tempDir.resolve("state/soc/watermark")).as("taken now: the window closes").exists());
    }

    @Test
    void aParameterTheRouteLeavesOutTakesTheHostsSettingOfTheSameMeaning() throws Exception {
        // the route sets neither pageSize nor excludeJobIds: the host's monitor.page-size and
        // monitor.exclude-job-ids are their defaults, as for the module's own monitors
        integrator.close();
        Properties host = new Properties();
        host.setProperty("monitor.page-size", "2");
        host.setProperty("monitor.exclude-job-ids", "12");
        startIntegrator("classpath:kamelet/integrator-routes.camel.yaml", "mock:failures", host);
        long first = tc.addFailed(11, Instant.now().minusSeconds(120), "feed down");
        tc.addFailed(12, Instant.now().minusSeconds(90), "excluded by the host");
        long third = tc.addFailed(13, Instant.now().minusSeconds(60), "enrichment timed out");
        failures.expectedMessageCount(2);

        poll();

        failures.assertIsSatisfied();
        assertThat(failures.getExchanges()).extracting(exchange -> json(exchange).path("id").asLong())
                .containsExactlyInAnyOrder(first, third);
        assertThat(tc.requests().get(0).target()).as("the first page's request").contains("resultLimit=2");
    }

    /** Fires the Kamelet's Quartz trigger and waits until that poll is over. */
    private void poll() {
        KameletIntegrator.poll(integrator);
    }

    private static JsonNode json(Exchange exchange) {
        try {
            return JSON.readTree(exchange.getMessage().getBody(String.class));
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + exchange.getMessage().getBody(), e);
        }
    }
}

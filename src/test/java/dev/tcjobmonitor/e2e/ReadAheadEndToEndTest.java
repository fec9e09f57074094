package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.simulator.Fault;
import dev.tcjobmonitor.simulator.RecordedRequest;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A poll asks ThreatConnect for its next page while the route still delivers the page before it
 * (a backfill's pages no longer wait for each other), and what ThreatConnect answers to that early
 * request is what the route gets, failures included: the same requests, in the same order, only earlier.
 */
class ReadAheadEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tempDir;

    private ThreatConnectSimulator tc;
    private DefaultCamelContext integrator;
    private MockEndpoint failures;

    @BeforeEach
    void startAnIntegratorWithPagesOfTwo() throws Exception {
        tc = ThreatConnectSimulator.start().withHmacUser(KameletIntegrator.ACCESS_ID, KameletIntegrator.SECRET);
        Properties settings = new Properties();
        settings.setProperty("monitor.page-size", "2");
        settings.setProperty("tc.retry-initial-delay", "PT0.05S");
        integrator = KameletIntegrator.start(tc, tempDir.resolve("state"), "classpath:kamelet/integrator-routes.camel.yaml",
                "mock:failures", settings);
        failures = integrator.getEndpoint("mock:failures", MockEndpoint.class);
    }

    @AfterEach
    void stop() throws Exception {
        integrator.close();
        tc.close();
    }

    @Test
    void theNextPageIsAskedForWhileThePageBeforeItIsStillBeingDeliveredAndEachPageOnlyOnce() throws Exception {
        List<Long> ids = failed(6);
        AtomicBoolean nextPageAskedMeanwhile = new AtomicBoolean();
        // the first failure of page 1 is held until ThreatConnect has been asked for page 2
        failures.whenExchangeReceived(1, exchange -> nextPageAskedMeanwhile.set(pageRequestsArrive(2)));
        failures.expectedMessageCount(6);

        poll();

        failures.assertIsSatisfied();
        assertThat(nextPageAskedMeanwhile).as("page 2 asked for while page 1 was being delivered").isTrue();
        assertThat(failures.getExchanges()).extracting(exchange -> JSON.readTree(exchange.getMessage().getBody(String.class))
                .path("id").asLong()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(pageRequests()).as("each page asked for once: the early answer is the one the route took")
                .hasSize(3).extracting(RecordedRequest::target).doesNotHaveDuplicates();
    }

    @Test
    void aPageReadAheadThatFailsFailsTheRoutesAttemptAndIsRetriedAsAnyOther() throws Exception {
        List<Long> ids = failed(4);
        // page 1 as it is; the request for page 2 (the one read ahead) loses its connection mid-body
        tc.enqueueFault(Fault.delay(Duration.ZERO));
        tc.enqueueFault(Fault.connectionDroppedMidBody());
        failures.expectedMessageCount(4);

        String log = StandardOutput.of(() -> {
            poll();
            failures.assertIsSatisfied();
        });

        assertThat(log).as("the route's attempt at page 2 met the early request's failure")
                .contains("Page 2 of 'soc' failed (attempt 1), retrying");
        assertThat(failures.getExchanges()).extracting(exchange -> JSON.readTree(exchange.getMessage().getBody(String.class))
                .path("id").asLong()).containsExactlyInAnyOrderElementsOf(ids);
        List<RecordedRequest> pages = pageRequests();
        assertThat(pages).as("page 1, page 2 cut short, page 2 again by the monitor's retry").hasSize(3);
        assertThat(pages.get(2).target()).isEqualTo(pages.get(1).target());
    }

    /** {@code count} failures a second apart, oldest first. */
    private List<Long> failed(int count) {
        List<Long> ids = new ArrayList<>();
        Instant start = Instant.now().minusSeconds(600);
        for (int i = 0; i < count; i++) {
            ids.add(tc.addFailed(100 + i, start.plusSeconds(i), "feed down " + i));
        }
        return ids;
    }

    /** Whether ThreatConnect gets {@code count} page requests within 10 s. */
    private boolean pageRequestsArrive(int count) {
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> pageRequests().size() >= count);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    /** The poll's page requests (not the "job recovered" query that follows them). */
    private List<RecordedRequest> pageRequests() {
        return tc.requests().stream().filter(request -> request.target().startsWith("/api/v3/job/executions?tql=status")).toList();
    }

    private void poll() {
        KameletIntegrator.poll(integrator);
    }
}

package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.simulator.Fault;
import dev.tcjobmonitor.simulator.RecordedRequest;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A poll that cannot be trusted fails clearly, leaves the watermark where it was, and the next good
 * poll delivers everything, once.
 */
class PollFailureEndToEndTest {

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private MonitorHarness harness;

    private MonitorHarness startedWithFailures(int pageSize, int failures) throws Exception {
        return startedWithFailures(pageSize, failures, "PT1S");
    }

    private MonitorHarness startedWithFailures(int pageSize, int failures, String retryBudget) throws Exception {
        harness = monitors.harness().set("monitor.page-size", String.valueOf(pageSize))
                .set("tc.retry-budget", retryBudget).start();
        Instant now = Instant.now();
        for (int i = 1; i <= failures; i++) {
            harness.simulator.addFailed(i, now.minusSeconds(60L * i), "failure " + i + "\n");
        }
        return harness;
    }

    @Test
    void aRejectedSignatureFailsThePollAndTheNextGoodPollDeliversEverything() throws Exception {
        MonitorHarness h = startedWithFailures(1000, 3);
        h.simulator.enqueueFault(Fault.error(401, "Signature Data Did Not Match Expected Result"));

        Poll failed = h.poll();

        assertThat(failed.failure()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("HTTP 401").contains("Signature Data Did Not Match Expected Result")
                .doesNotContain(MonitorHarness.SECRET_KEY));
        assertThat(h.alerts()).isEmpty();
        assertThat(h.watermark()).isEmpty();

        assertThat(h.poll().failure()).isEmpty();
        assertThat(h.alertedIds()).hasSize(3).doesNotHaveDuplicates();
    }

    @Test
    void anErrorStatusInsideA200FailsThePoll() throws Exception {
        MonitorHarness h = startedWithFailures(1000, 1);
        h.simulator.enqueueFault(Fault.respond(200, "{\"status\":\"Error\",\"message\":\"Internal problem\"}"));

        assertThat(h.poll().failure()).hasValueSatisfying(reason ->
                assertThat(reason).contains("HTTP 200").contains("status Error").contains("Internal problem"));
        assertThat(h.alerts()).isEmpty();
        assertThat(h.poll().failure()).isEmpty();
        assertThat(h.alertedIds()).hasSize(1);
    }

    @Test
    void aTruncatedSecondPageIsFetchedAgainAndNothingIsLostOrDuplicated() throws Exception {
        MonitorHarness h = startedWithFailures(2, 5);
        h.poll();
        for (int i = 6; i <= 9; i++) {
            h.simulator.addFailed(i, Instant.now(), "failure " + i + "\n");
        }
        h.simulator.clearRequests();
        h.simulator.enqueueFault(Fault.delay(Duration.ZERO)); // page 1 as normal
        h.simulator.enqueueFault(Fault.truncated());          // page 2 cut short, once

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(pageRequests(h)).hasSize(poll.pages() + 1);
        assertThat(h.alertedIds()).hasSize(9).doesNotHaveDuplicates();
    }

    @Test
    void aConnectionDroppedHalfWayThroughAPageIsRetriedAndEveryFailureArrivesOnce() throws Exception {
        // the headers announce the whole page, half of it arrives, then the connection closes:
        // an I/O error while the body is read (Camel's HTTP producer reads it whole, so it is
        // the producer's IOException), which README counts as "a body cut short"
        MonitorHarness h = startedWithFailures(2, 5, "PT5S");
        h.simulator.enqueueFault(Fault.delay(Duration.ZERO));           // page 1 as normal
        h.simulator.enqueueFault(Fault.connectionDroppedMidBody());     // page 2 cut off, once

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(poll.pages()).isEqualTo(3);
        List<RecordedRequest> requests = pageRequests(h);
        assertThat(requests).as("three pages and one retry").hasSize(4);
        assertThat(requests.get(2).target()).as("the retry asks for the same page").isEqualTo(requests.get(1).target());
        assertThat(h.alertedIds()).hasSize(5).doesNotHaveDuplicates();
        assertThat(h.watermark()).contains(poll.windowEnd().toString());
    }

    @Test
    void aPageThatIsNeverValidJsonIsRetriedThenFailsThePoll() throws Exception {
        // a 200 whose body is cut short with a matching Content-Length is malformed JSON: it may
        // be a one-off (retried, see above), but one that stays malformed fails the poll
        MonitorHarness h = startedWithFailures(1000, 2);
        for (int i = 0; i < 50; i++) {
            h.simulator.enqueueFault(Fault.truncated());
        }

        Poll failed = h.poll();

        assertThat(failed.failure()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("still failed after").contains("HTTP 200").contains("not valid JSON"));
        assertThat(h.simulator.requests().size()).isGreaterThan(1).isLessThan(50);
        assertThat(h.alerts()).isEmpty();
        assertThat(h.watermark()).isEmpty();
    }

    @Test
    void rateLimitsAndServerErrorsAreRetriedWithinThePoll() throws Exception {
        MonitorHarness h = startedWithFailures(1000, 2, "PT5S");
        h.simulator.enqueueFault(Fault.rateLimited(Duration.ofSeconds(1)));
        h.simulator.enqueueFault(Fault.respond(503, "<html>Service Unavailable</html>"));
        h.simulator.enqueueFault(Fault.error(500, "Internal Server Error"));

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(h.simulator.requests()).hasSize(4);
        assertThat(h.alertedIds()).hasSize(2);
    }

    @Test
    void aResponseSlowerThanTheTimeoutIsAbandonedAndTriedAgain() throws Exception {
        // a 1 s timeout that a normal answer never comes near, against an answer 10 times later;
        // how many attempts a busy machine needs is not the point, when the second one came is
        Duration timeout = Duration.ofSeconds(1);
        Duration slowAnswer = timeout.multipliedBy(10);
        harness = monitors.harness().set("tc.response-timeout", String.valueOf(timeout.toMillis()))
                .set("tc.retry-budget", "PT20S").start();
        long failure = harness.simulator.addFailed(1, Instant.now().minusSeconds(60), "slow\n");
        harness.simulator.enqueueFault(Fault.delay(slowAnswer));

        Poll poll = harness.poll();

        assertThat(poll.failure()).isEmpty();
        List<RecordedRequest> attempts = harness.simulator.requests();
        assertThat(attempts).hasSizeGreaterThanOrEqualTo(2);
        // abandoned once the timeout passed, long before the slow answer would have come
        assertThat(Duration.between(attempts.get(0).received(), attempts.get(1).received())).isBetween(timeout, slowAnswer);
        assertThat(harness.alertedIds()).containsExactly(failure);
    }

    @Test
    void aPersistentOutageFailsThePollWithinItsRetryBudgetAndKeepsTheSchedule() throws Exception {
        MonitorHarness h = startedWithFailures(1000, 2);
        for (int i = 0; i < 50; i++) {
            h.simulator.enqueueFault(Fault.respond(502, "<html>Bad Gateway</html>"));
        }

        Poll failed = h.poll();

        assertThat(failed.failure()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("still failed after").contains("retry budget of PT1S").contains("HTTP 502").contains("Bad Gateway"));
        assertThat(h.simulator.requests().size()).isGreaterThan(1).isLessThan(50);
        assertThat(h.watermark()).isEmpty();
    }

    @ParameterizedTest(name = "HTTP {0}: {1}")
    @CsvSource(delimiter = '|', value = {
            // the hints as docs/runbook.md quotes them (RunbookTest)
            "401|Timestamp Out of Acceptable Time Range|check this host's clock: HMAC timestamps must be within 5 minutes",
            "401|Signature Data Did Not Match Expected Result|check tc.access-id and tc.secret-key, and that no proxy rewrites the request URL",
            "403|Access Denied|the API user may not read job executions: check its role in ThreatConnect",
            "400|Invalid TQL: unknown field 'failedTime'|check the query: monitor.time-field, monitor.statuses and monitor.extra-tql must use TQL fields",
            "404|Resource not found|check tc.base-url: it is the API root and ends in /api"})
    void refusalsAreNotRetriedAndSayWhatToCheck(int status, String message, String hint) throws Exception {
        MonitorHarness h = startedWithFailures(1000, 1);
        h.simulator.enqueueFault(Fault.error(status, message));

        Poll failed = h.poll();

        assertThat(failed.failure()).hasValueSatisfying(reason ->
                assertThat(reason).contains("HTTP " + status).contains(message).contains(hint));
        assertThat(h.simulator.requests()).hasSize(1);
        assertThat(h.watermark()).isEmpty();
    }

    @Test
    void anUnreachableThreatConnectFailsThePollClearly() throws Exception {
        MonitorHarness h = startedWithFailures(1000, 1);
        h.simulator.close();

        assertThat(h.poll().failure()).hasValueSatisfying(reason ->
                assertThat(reason).contains("still failed after").containsIgnoringCase("refused"));
        assertThat(h.watermark()).isEmpty();
    }

    @Test
    void aForeignNextLinkIsRefusedAndReceivesNoCredentials() throws Exception {
        MonitorHarness h = startedWithFailures(2, 5);
        try (ThreatConnectSimulator foreign = ThreatConnectSimulator.start()) {
            h.simulator.enqueueFault(Fault.nextLinkTo("http://127.0.0.1:" + foreign.port()));

            Poll poll = h.poll();

            assertThat(poll.failure()).hasValueSatisfying(reason ->
                    assertThat(reason).contains("refused to follow a next link to http://127.0.0.1:" + foreign.port()));
            assertThat(foreign.requests()).isEmpty();
            assertThat(h.watermark()).isEmpty();
        }
    }

    /**
     * A redirect could carry the signed request, or a later one, to whoever the Location names:
     * none is followed, whatever the host's http component says (README: the requests to
     * ThreatConnect configure their own HTTP client), and the poll fails as a refusal would.
     */
    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {301, 302, 303, 307, 308})
    void aRedirectIsNotFollowedAndTheWatermarkStays(int status) throws Exception {
        // a host whose own http calls follow redirects
        harness = monitors.harness().set("camel.component.http.follow-redirects", "true")
                .set("camel.component.http.redirect-handling-disabled", "false").start();
        long before = harness.simulator.addFailed(1, Instant.now().minusSeconds(120), "before\n");
        assertThat(harness.poll().failure()).isEmpty();
        String watermark = harness.watermark().orElseThrow();
        long after = harness.simulator.addFailed(2, Instant.now().minusSeconds(60), "after\n");
        // the watermark counts whole seconds: from the next one on, any poll that succeeds moves it
        await().atMost(Duration.ofSeconds(5)).until(() -> !Instant.now().isBefore(Instant.parse(watermark).plusSeconds(1)));
        // another origin (another port) that would answer a followed request: same user, same data
        try (ThreatConnectSimulator elsewhere = ThreatConnectSimulator.start()
                .withHmacUser(MonitorHarness.ACCESS_ID, MonitorHarness.SECRET_KEY)) {
            elsewhere.addFailed(3, Instant.now().minusSeconds(60), "elsewhere\n");
            String location = elsewhere.baseUrl() + "/v3/job/executions";
            harness.simulator.enqueueFault(Fault.redirect(status, location));

            Poll redirected = harness.poll();

            assertThat(redirected.failure()).hasValueSatisfying(reason -> assertThat(reason)
                    .startsWith("ThreatConnect answered HTTP " + status + " with a body that is not JSON")
                    .doesNotContain("\n").doesNotContain(MonitorHarness.SECRET_KEY));
            assertThat(elsewhere.requests()).as("requests that reached the other origin").isEmpty();
            assertThat(harness.watermark()).contains(watermark);
            assertThat(harness.alertedIds()).containsExactly(before);

            // --check's request, and a job-name lookup, do not follow one either
            harness.simulator.enqueueFault(Fault.redirect(status, location));
            assertThatThrownBy(() -> redirected.monitor().probe()).hasMessageContaining("HTTP " + status);
            elsewhere.addJob(1, "Job elsewhere", null);
            harness.simulator.enqueueFault(Fault.redirect(status, elsewhere.baseUrl() + "/v3/jobs/1"));
            assertThat(redirected.monitor().jobDirectory().nameOf(1)).isEqualTo("Job 1");
            assertThat(elsewhere.requests()).as("requests that reached the other origin").isEmpty();
        }
        // nor within ThreatConnect: Apache HttpClient on its own carries no Authorization header to
        // another origin, so only a redirect to the same one shows that the monitor's client follows none
        harness.simulator.clearRequests();
        harness.simulator.enqueueFault(Fault.redirect(status, harness.simulator.baseUrl() + "/v3/job/executions"));
        assertThat(harness.poll().failure()).hasValueSatisfying(reason -> assertThat(reason).contains("HTTP " + status));
        assertThat(harness.simulator.requests()).as("requests of the redirected poll").hasSize(1);
        assertThat(harness.watermark()).contains(watermark);

        assertThat(harness.poll().failure()).isEmpty();
        assertThat(harness.alertedIds()).containsExactly(before, after);
        assertThat(harness.watermark()).hasValueSatisfying(moved -> assertThat(moved).isNotEqualTo(watermark));
    }

    /** The poll's page requests: not the "job recovered" check after the last page, which asks for completedTime. */
    private static List<RecordedRequest> pageRequests(MonitorHarness h) {
        return h.simulator.requests().stream().filter(request -> !request.target().contains("completedTime")).toList();
    }
}

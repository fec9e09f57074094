package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.simulator.Fault;
import dev.tcjobmonitor.simulator.RecordedRequest;
import dev.tcjobmonitor.threatconnect.HmacSigner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How a poll retries a page, seen from ThreatConnect's side: the simulator records when each
 * attempt arrived, so the waits between attempts are measured, not inferred from counts.
 *
 * <p>A gap between two arrivals is never shorter than the wait the monitor chose (the wait starts
 * after the failed answer came back, which is after that request arrived), so lower bounds are
 * exact. A busy machine can make a gap longer by any amount, so upper bounds are loose: they only
 * tell the wanted wait from a wrong one several times longer.
 */
class PageRetryEndToEndTest {

    /** What a busy 2-core machine may add to a wait (signing, HTTP, a thread not scheduled). */
    private static final Duration SLACK = Duration.ofSeconds(3);

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private MonitorHarness harness;

    /** A started monitor with one failure to deliver and these settings over the harness's. */
    private MonitorHarness started(String... settings) throws Exception {
        harness = monitors.harness();
        for (int i = 0; i < settings.length; i += 2) {
            harness.set(settings[i], settings[i + 1]);
        }
        harness.start();
        harness.simulator.addFailed(1, Instant.now().minusSeconds(60), "failure\n");
        return harness;
    }

    @Test
    void aRetryAfterInSecondsIsWaitedBeforeTheNextAttempt() throws Exception {
        // the cap is far above the Retry-After, the backoff far below it: the wait is the Retry-After's
        MonitorHarness h = started("tc.retry-after-cap", "PT10S", "tc.retry-budget", "PT20S");
        h.simulator.enqueueFault(Fault.rateLimited(Duration.ofSeconds(2)));

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        List<Duration> gaps = gaps(pageRequests(h));
        assertThat(gaps).hasSize(1);
        assertThat(gaps.get(0)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(2).plus(SLACK));
        assertThat(h.alerts()).hasSize(1);
    }

    /**
     * Page 2 is asked for early (read-ahead): ThreatConnect's 429 to that request is the route's
     * answer for page 2, and its Retry-After is waited before the next attempt, as for any page.
     */
    @Test
    void aRetryAfterToAPageReadAheadIsWaitedBeforeTheNextAttemptAtThatPage() throws Exception {
        MonitorHarness h = started("tc.retry-after-cap", "PT10S", "tc.retry-budget", "PT20S", "monitor.page-size", "1");
        h.simulator.addFailed(2, Instant.now().minusSeconds(30), "failure on page 2\n");
        // page 1 as it is; page 2, read ahead, is rate limited
        h.simulator.enqueueFault(Fault.delay(Duration.ZERO));
        h.simulator.enqueueFault(Fault.rateLimited(Duration.ofSeconds(2)));

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        List<RecordedRequest> pages = h.simulator.requests().stream()
                .filter(r -> r.target().startsWith("/api/v3/job/executions?tql=status")).toList();
        assertThat(pages).as("page 1, page 2 rate limited, page 2 again").hasSize(3);
        assertThat(pages.get(2).target()).isEqualTo(pages.get(1).target());
        // the 429 went out no later than the route would have sent it: the wait counts from then at least
        assertThat(gaps(pages).get(1)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(2).plus(SLACK));
        assertThat(h.alerts()).hasSize(2);
    }

    @Test
    void aRetryAfterAsAnHttpDateIsWaitedUntilThatDate() throws Exception {
        MonitorHarness h = started("tc.retry-after-cap", "PT10S", "tc.retry-budget", "PT20S");
        // 2 to 3 s ahead, in the whole seconds an HTTP-date has
        Instant until = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS);
        h.simulator.enqueueFault(Fault.rateLimitedUntil(until));

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        List<RecordedRequest> attempts = pageRequests(h);
        assertThat(attempts).hasSize(2);
        // the monitor turns "until - now" into whole milliseconds, dropping at most 1 ms of it
        assertThat(attempts.get(1).received()).isBetween(until.minusMillis(1), until.plus(SLACK));
    }

    @Test
    void aRetryAfterLongerThanTheCapIsCutToTheCap() throws Exception {
        // asked for 30 s, capped to 1 s; honoured in full it would also overrun the 10 s budget
        MonitorHarness h = started("tc.retry-after-cap", "PT1S", "tc.retry-budget", "PT10S");
        h.simulator.enqueueFault(Fault.rateLimited(Duration.ofSeconds(30)));

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        List<Duration> gaps = gaps(pageRequests(h));
        assertThat(gaps).hasSize(1);
        assertThat(gaps.get(0)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(1).plus(SLACK));
        assertThat(h.alerts()).hasSize(1);
    }

    @Test
    void serverErrorsAreRetriedWithWaitsThatDoubleEachTime() throws Exception {
        // backoff 100 ms doubling up to 1.6 s: attempt n waits min(100 ms * 2^(n-1), 1.6 s) with
        // "equal jitter", i.e. between half of that and all of it (RetryPolicy)
        MonitorHarness h = started("tc.retry-initial-delay", "PT0.1S", "tc.retry-max-delay", "PT1.6S",
                "tc.retry-budget", "PT30S");
        for (int i = 0; i < 5; i++) {
            h.simulator.enqueueFault(Fault.respond(503, "<html>Service Unavailable</html>"));
        }

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        List<Duration> gaps = gaps(pageRequests(h));
        assertThat(gaps).hasSize(5);
        // the shortest each wait may be; the 5th is 8 times the longest the 1st may be (100 ms)
        long[] shortestWaits = {50, 100, 200, 400, 800};
        for (int n = 0; n < gaps.size(); n++) {
            assertThat(gaps.get(n)).as("wait %d of %s", n + 1, gaps).isGreaterThanOrEqualTo(Duration.ofMillis(shortestWaits[n]));
        }
        assertThat(h.alerts()).hasSize(1);
    }

    @Test
    void theBackoffStopsGrowingAtTheMaximumDelay() throws Exception {
        // 100 ms doubling would reach 6.4 to 12.8 s by the 8th wait; tc.retry-max-delay keeps it at 0.2 to 0.4 s
        MonitorHarness h = started("tc.retry-initial-delay", "PT0.1S", "tc.retry-max-delay", "PT0.4S",
                "tc.retry-budget", "PT60S");
        for (int i = 0; i < 8; i++) {
            h.simulator.enqueueFault(Fault.respond(503, "<html>Service Unavailable</html>"));
        }

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        List<Duration> gaps = gaps(pageRequests(h));
        assertThat(gaps).hasSize(8);
        assertThat(gaps.subList(2, 8)).allSatisfy(gap ->
                assertThat(gap).isBetween(Duration.ofMillis(200), Duration.ofMillis(400).plus(SLACK)));
    }

    @Test
    void aRetryBudgetLongerThanHalfTheCronPeriodIsCutToHalfThePeriod() throws Exception {
        // fires at 00:00:00 and 00:00:04 on 1 January 2099 only: a 4 s period that never comes
        // during the test; half of it, 2 s, is far below the 20 s budget asked for
        MonitorHarness h = started("monitor.cron", "0,4 0 0 1 1 ? 2099", "tc.retry-budget", "PT20S",
                "tc.retry-initial-delay", "PT0.1S", "tc.retry-max-delay", "PT0.4S");
        for (int i = 0; i < 200; i++) {
            h.simulator.enqueueFault(Fault.respond(503, "<html>Service Unavailable</html>"));
        }

        Instant beforePoll = Instant.now();
        Poll poll = h.poll();
        Duration pollTook = Duration.between(beforePoll, Instant.now());

        assertThat(poll.failure()).hasValueSatisfying(reason ->
                assertThat(reason).contains("within the retry budget of PT2S").contains("HTTP 503"));
        assertThat(h.watermark()).isEmpty();
        List<RecordedRequest> attempts = pageRequests(h);
        assertThat(attempts.size()).isGreaterThan(2);
        // no attempt starts more than 2 s after the poll began, which was before the first attempt
        // arrived; only sending the last one can make it arrive later
        assertThat(Duration.between(attempts.get(0).received(), attempts.get(attempts.size() - 1).received()))
                .isLessThan(Duration.ofSeconds(2).plus(SLACK));
        // it gave up only when the next wait (at most 0.4 s) would have crossed the 2 s
        assertThat(pollTook).isGreaterThanOrEqualTo(Duration.ofMillis(1600));
    }

    @Test
    void aGatewayTimeoutIsRetried() throws Exception {
        MonitorHarness h = started();
        h.simulator.enqueueFault(Fault.respond(504, "<html>Gateway Time-out</html>"));

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(pageRequests(h)).hasSize(2);
        assertThat(h.alerts()).hasSize(1);
    }

    @Test
    void everyAttemptIsSignedAnewWhenItIsSent() throws Exception {
        // a 2 s Retry-After puts the attempts' signing times in different seconds: a signature made
        // once and sent again would carry the first attempt's Timestamp
        MonitorHarness h = started("tc.retry-after-cap", "PT10S", "tc.retry-budget", "PT20S");
        h.simulator.enqueueFault(Fault.rateLimited(Duration.ofSeconds(2)));

        assertThat(h.poll().failure()).isEmpty();

        List<RecordedRequest> attempts = pageRequests(h);
        assertThat(attempts).hasSize(2);
        HmacSigner signer = new HmacSigner(MonitorHarness.ACCESS_ID, MonitorHarness.SECRET_KEY, Clock.systemUTC());
        long[] timestamps = new long[2];
        for (int i = 0; i < 2; i++) {
            RecordedRequest attempt = attempts.get(i);
            timestamps[i] = Long.parseLong(attempt.header("Timestamp").orElseThrow());
            assertThat(attempt.header("Authorization")).as("attempt %d", i + 1)
                    .contains(signer.authorization("GET", attempt.target(), timestamps[i]));
            // signed before it was sent
            assertThat(timestamps[i]).isLessThanOrEqualTo(attempt.received().getEpochSecond());
        }
        // the second was signed after its 2 s wait, which began after the first had arrived
        assertThat(timestamps[1]).isGreaterThanOrEqualTo(attempts.get(0).received().plusSeconds(2).getEpochSecond());
        assertThat(attempts.get(1).header("Authorization")).isNotEqualTo(attempts.get(0).header("Authorization"));
    }

    /** The attempts at execution pages, in arrival order (job-name lookups left out). */
    private static List<RecordedRequest> pageRequests(MonitorHarness h) {
        return h.simulator.requests().stream().filter(r -> r.target().startsWith("/api/v3/job/executions")).toList();
    }

    /** The time between each arrival and the next. */
    private static List<Duration> gaps(List<RecordedRequest> requests) {
        List<Duration> gaps = new ArrayList<>();
        for (int i = 1; i < requests.size(); i++) {
            gaps.add(Duration.between(requests.get(i - 1).received(), requests.get(i).received()));
        }
        return gaps;
    }
}

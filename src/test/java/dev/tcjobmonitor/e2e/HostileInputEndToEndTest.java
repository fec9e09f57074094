package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.simulator.Fault;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whatever ThreatConnect (or something pretending to be it) answers, the monitor does not crash,
 * loses no failure it can recognise, sends nothing twice, and says what was wrong.
 */
class HostileInputEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private MonitorHarness harness;

    private ObjectNode failed(Object id) {
        ObjectNode execution = JSON.createObjectNode().put("jobId", 7).put("status", "Failed")
                .put("failedTime", Instant.now().minusSeconds(60).toString()).put("exitMessage", "boom\n");
        execution.set("id", JSON.valueToTree(id));
        return execution;
    }

    @Test
    void oddRecordsOnAPageAreDeliveredOrSkippedAndNeverHoldBackTheGoodOnes() throws Exception {
        harness = monitors.harness().start();
        ObjectNode good = failed(101);
        ObjectNode idAsText = failed("exec-abc");
        ObjectNode noId = failed(null);
        noId.remove("id");
        ObjectNode idAsObject = failed(JSON.createObjectNode().put("nested", 1));
        ObjectNode unreadableTime = failed(104).put("failedTime", "yesterday-ish");
        ObjectNode nullStatus = failed(105);
        nullStatus.putNull("status");
        ObjectNode unknownStatus = failed(106).put("status", "PartiallyFailed");
        ObjectNode lowerCase = failed(107).put("status", "failed");
        String page = "{\"data\":[" + String.join(",", List.of(good.toString(), "\"a string\"", "null", "42", "[1,2]",
                idAsText.toString(), noId.toString(), idAsObject.toString(), unreadableTime.toString(),
                nullStatus.toString(), unknownStatus.toString(), lowerCase.toString())) + "],\"status\":\"Success\"}";
        harness.simulator.enqueueFault(Fault.respond(200, page));
        harness.simulator.enqueueFault(Fault.respond(200, page));

        Poll first = harness.poll();
        Poll second = harness.poll();

        assertThat(first.failure()).isEmpty();
        assertThat(second.failure()).isEmpty();
        assertThat(second.newFailures()).as("the second poll sends nothing again").isZero();
        List<String> delivered = harness.alerts().stream().map(alert -> withoutMonitor(alert).toString()).toList();
        assertThat(delivered).containsExactlyInAnyOrder(good.toString(), idAsText.toString(), noId.toString(),
                idAsObject.toString(), unreadableTime.toString(), lowerCase.toString());
    }

    @Test
    void anExecutionListedTwiceOnOnePageIsDeliveredOnce() throws Exception {
        // a page as an instance whose paging shifted under a concurrent insert may send it; the file
        // sink takes a page in one write, so the duplicate must be gone before the page is written
        harness = monitors.harness().start();
        ObjectNode twice = failed(201);
        ObjectNode once = failed(202);
        String page = "{\"data\":[" + twice + "," + once + "," + twice + "],\"status\":\"Success\"}";
        harness.simulator.enqueueFault(Fault.respond(200, page));

        assertThat(harness.poll().failure()).isEmpty();

        assertThat(harness.alertedIds()).containsExactly(201L, 202L);
    }

    @Test
    void dataThatIsNotAnArrayFailsThePollClearlyAndTheNextGoodPollLosesNothing() throws Exception {
        harness = monitors.harness().start();
        long failure = harness.simulator.addFailed(3, Instant.now().minusSeconds(10), "x\n");
        harness.simulator.enqueueFault(Fault.respond(200, "{\"data\":{\"id\":1},\"status\":\"Success\"}"));

        assertThat(harness.poll().failure()).hasValueSatisfying(reason -> assertThat(reason).contains("no data array"));
        assertThat(harness.poll().failure()).isEmpty();
        assertThat(harness.alertedIds()).containsExactly(failure);
    }

    @Test
    void numbersReachTheSinksWithTheExactValueThreatConnectSent() throws Exception {
        harness = monitors.harness().start();
        // a double would make these 1.1, 1.2345678901234568E22 and 0.1
        String numbers = "\"score\":1.10,\"big\":12345678901234567890123,\"fine\":0.1000000000000000055511151231257827";
        String execution = failed(201).toString().replaceFirst("^\\{", "{" + numbers + ",");
        harness.simulator.enqueueFault(Fault.respond(200, "{\"data\":[" + execution + "],\"status\":\"Success\"}"));

        assertThat(harness.poll().failure()).isEmpty();

        List<String> lines;
        try (var files = java.nio.file.Files.list(harness.alertDir)) {
            lines = files.flatMap(file -> {
                try {
                    return java.nio.file.Files.readAllLines(file).stream();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
        assertThat(lines).singleElement().asString().startsWith("{" + numbers + ",");
    }

    @Test
    void aMegabyteExitMessageArrivesWhole() throws Exception {
        harness = monitors.harness().start();
        String huge = "line of a very long stack trace\n".repeat(32_768);
        harness.simulator.addFailed(9, Instant.now().minusSeconds(10), huge);

        assertThat(harness.poll().failure()).isEmpty();

        assertThat(harness.alerts()).singleElement().satisfies(alert -> assertThat(alert.get("exitMessage").asText()).isEqualTo(huge));
    }

    @Test
    void aPageOfTenThousandFailuresIsDeliveredWholeAndOnce() throws Exception {
        harness = monitors.harness().set("monitor.page-size", "10000").start();
        Instant base = Instant.now().minusSeconds(3000);
        for (int i = 0; i < 10_000; i++) {
            harness.simulator.addFailed(i % 50, base.plusMillis(250L * i), "failure " + i + "\n");
        }

        Poll first = harness.poll();
        Poll second = harness.poll();

        assertThat(first.failure()).isEmpty();
        assertThat(first.pages()).isEqualTo(1);
        assertThat(second.newFailures()).isZero();
        assertThat(harness.alertedIds()).hasSize(10_000).doesNotHaveDuplicates();
    }

    @Test
    void aNextLinkBackToItsOwnPageFailsEachPollWithOneLineAndTheMonitorGoesBlindAsUsual() throws Exception {
        harness = monitors.harness().start();
        long failure = harness.simulator.addFailed(3, Instant.now().minusSeconds(10), "x\n");
        harness.simulator.loopNextLinks(true);

        // monitor.health.max-failed-polls (3): the third failed poll makes the monitor blind
        for (int i = 0; i < 3; i++) {
            harness.simulator.clearRequests();
            Poll poll = harness.poll();
            assertThat(poll.failure()).as("poll %d", i + 1).hasValueSatisfying(reason -> assertThat(reason)
                    .contains("next link of page 1").contains("goes round in a circle").doesNotContain("\n"));
            // asked once: the page's next link is refused before it is followed
            assertThat(harness.simulator.requests()).as("requests of poll %d", i + 1).hasSize(1);
        }
        assertThat(harness.watermark()).as("the watermark stays").isEmpty();
        // notices reach the sinks as the poll ends, not before poll() returns
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(statuses()).containsExactly("MonitorBlind"));

        harness.simulator.loopNextLinks(false);
        assertThat(harness.poll().failure()).isEmpty();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(statuses()).containsExactly("MonitorBlind", "Failed", "MonitorRecovered"));
        assertThat(harness.alerts().stream().filter(alert -> alert.has("id")).map(alert -> alert.get("id").asLong()))
                .containsExactly(failure);
    }

    @Test
    void morePagesThanMonitorMaxPagesFailThePollWithOneLine() throws Exception {
        harness = monitors.harness().set("monitor.page-size", "1").set("monitor.max-pages", "2").start();
        Instant base = Instant.now().minusSeconds(60);
        for (int i = 0; i < 3; i++) {
            harness.simulator.addFailed(3, base.plusSeconds(i), "x\n");
        }

        Poll poll = harness.poll();

        assertThat(poll.failure()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("more than 2 pages").contains("monitor.max-pages"));
        assertThat(harness.simulator.requests()).as("page 3 is never asked for").hasSize(2);
        assertThat(harness.watermark()).isEmpty();
    }

    @Test
    void aPageLargerThanTcMaxPageBytesIsCutOffAndItsAttemptRetriedWithOneLine() throws Exception {
        // a 64 KiB cap and a 1 MiB answer: without the cap the whole answer would be read (it is
        // valid JSON, padded) and the poll would pass on the first attempt; sent chunked, so no
        // Content-Length tells the client the size, only reading it does
        aPageCutOffByALimitIsRetriedWithOneLine(1, "tc.max-page-bytes", "65536", Fault.oversized(1024 * 1024),
                "larger than tc.max-page-bytes (65536 bytes)");
    }

    @Test
    void aPageTrickledPastTcPageDeadlineIsCutOffAndItsAttemptRetriedWithOneLine() throws Exception {
        // 4 bytes every 250 ms: each read gets bytes long before the 60 s response timeout, the
        // whole page (some 500 bytes) would take half a minute; the deadline is 1 s
        aPageCutOffByALimitIsRetriedWithOneLine(1, "tc.page-deadline", "PT1S", Fault.trickled(4, Duration.ofMillis(250)),
                "took longer than tc.page-deadline (PT1S)");
    }

    /**
     * Page 2 is asked for early (read-ahead), by a client of its own: the page limits hold for it
     * as for the route's own requests, and the route's attempt at page 2 meets the cut-off as if
     * it had sent the request itself, one line, then retries.
     */
    @Test
    void aPageReadAheadLargerThanTcMaxPageBytesIsCutOffAndTheRoutesAttemptRetriedWithOneLine() throws Exception {
        aPageCutOffByALimitIsRetriedWithOneLine(2, "tc.max-page-bytes", "65536", Fault.oversized(1024 * 1024),
                "larger than tc.max-page-bytes (65536 bytes)");
    }

    @Test
    void aPageReadAheadTrickledPastTcPageDeadlineIsCutOffAndTheRoutesAttemptRetriedWithOneLine() throws Exception {
        aPageCutOffByALimitIsRetriedWithOneLine(2, "tc.page-deadline", "PT1S", Fault.trickled(4, Duration.ofMillis(250)),
                "took longer than tc.page-deadline (PT1S)");
    }

    /**
     * Two failures, one a page when {@code page} is 2 (that page is then the one read ahead); the
     * request for {@code page} meets {@code fault}, which {@code limit} cuts off: the poll goes
     * well on the next attempt at that page, after one line that says why.
     */
    private void aPageCutOffByALimitIsRetriedWithOneLine(int page, String limit, String value, Fault fault, String why)
            throws Exception {
        var settings = monitors.harness().set(limit, value).set("tc.retry-budget", "PT30S");
        harness = (page == 2 ? settings.set("monitor.page-size", "1") : settings).start();
        long first = harness.simulator.addFailed(3, Instant.now().minusSeconds(20), "x\n");
        long second = harness.simulator.addFailed(4, Instant.now().minusSeconds(10), "y\n");
        if (page == 2) {
            // page 1 as it is
            harness.simulator.enqueueFault(Fault.delay(Duration.ZERO));
        }
        harness.simulator.enqueueFault(fault);

        Poll[] poll = new Poll[1];
        long started = System.nanoTime();
        String log = StandardOutput.of(() -> poll[0] = harness.poll());
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(poll[0].failure()).isEmpty();
        // loose: a cut-off, a short retry wait and a normal page, on a busy machine; far below a
        // trickle's half minute
        assertThat(took).isLessThan(Duration.ofSeconds(15));
        assertThat(pagesOfThePoll()).as("the pages before it, the cut-off attempt, then the one without the fault")
                .hasSize(page + 1);
        assertThat(log.lines().filter(line -> line.contains(limit)).toList()).singleElement().asString()
                .contains("Page " + page + " of 'default' failed (attempt 1), retrying").contains(why);
        assertThat(harness.alertedIds()).containsExactlyInAnyOrder(first, second);
    }

    /** The page requests of the poll (the "job recovered" query and job-name lookups left out). */
    private List<?> pagesOfThePoll() {
        return harness.simulator.requests().stream().filter(r -> r.target().startsWith("/api/v3/job/executions?tql=status")).toList();
    }

    /** The status of every line the file sink wrote, in order: failures and the monitor's notices. */
    private List<String> statuses() {
        return harness.alerts().stream().map(alert -> alert.get("status").asText()).toList();
    }

    private static JsonNode withoutMonitor(JsonNode alert) {
        ObjectNode copy = alert.deepCopy();
        copy.remove("monitor");
        return copy;
    }
}

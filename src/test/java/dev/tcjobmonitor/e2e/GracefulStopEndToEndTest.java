package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tcjobmonitor.MonitorTriggers;
import dev.tcjobmonitor.simulator.Fault;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A stop (SIGTERM) waits for the poll in progress, and that poll starts nothing new: no further
 * page, no further attempt at a page, no wait for one. So a stop ends well inside
 * camel.main.shutdown-timeout, the beans (state stores, connection pools) are never closed under a
 * poll that is still delivering, and the watermark stays where it was for the next start.
 */
class GracefulStopEndToEndTest {

    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();

    @Test
    void aPageBeingRetriedIsNotTriedAgainOnceTheMonitorStops() throws Exception {
        MonitorHarness harness = monitors.harness()
                .set("camel.main.shutdown-timeout", String.valueOf(SHUTDOWN_TIMEOUT.toSeconds()))
                // the retry budget alone would keep this poll going for two minutes
                .set("tc.retry-budget", "PT2M")
                .set("tc.retry-initial-delay", "PT3S")
                .set("tc.retry-max-delay", "PT3S")
                .start();
        harness.simulator.addFailed(7, Instant.now().minusSeconds(60), "failure\n");
        for (int i = 0; i < 100; i++) {
            harness.simulator.enqueueFault(Fault.error(503, "Service Unavailable"));
        }
        MonitorTriggers.pollNow(harness.context());
        await().atMost(Duration.ofSeconds(20)).until(() -> harness.simulator.requests().size() >= 2);

        long started = System.nanoTime();
        harness.close();
        Duration stopping = Duration.ofNanos(System.nanoTime() - started);

        // the stop no longer waits for the shutdown timeout (a margin for a busy machine, not a benchmark)
        assertThat(stopping).isLessThan(SHUTDOWN_TIMEOUT.dividedBy(2));
        assertThat(harness.watermark()).isEmpty();
        assertThat(harness.alerts()).isEmpty();
    }

    @Test
    void aSinkBeingRetriedIsNotTriedAgainOnceTheMonitorStopsAndKeepsWhatItLacks() throws Exception {
        WebhookReceiver webhook = monitors.closeFirst(WebhookReceiver.hanging());
        webhook.refuse();
        MonitorHarness harness = monitors.harness()
                .set("camel.main.shutdown-timeout", String.valueOf(SHUTDOWN_TIMEOUT.toSeconds()))
                .set("sinks", "file,custom")
                .set("sink.custom.uri", webhook.uri())
                // its retries alone would take minutes
                .set("sink.custom.max-redeliveries", "50")
                .set("sink.custom.redelivery-delay", "3000")
                .set("sink.custom.max-redelivery-delay", "3000")
                .start();
        long failure = harness.simulator.addFailed(7, Instant.now().minusSeconds(60), "failure\n");
        MonitorTriggers.pollNow(harness.context());
        await().atMost(Duration.ofSeconds(20)).until(() -> webhook.refused().size() >= 2);

        long started = System.nanoTime();
        harness.close();
        Duration stopping = Duration.ofNanos(System.nanoTime() - started);

        assertThat(stopping).isLessThan(SHUTDOWN_TIMEOUT.dividedBy(2));
        assertThat(harness.alertedIds()).as("the file sink has it").containsExactly(failure);
        assertThat(harness.watermark()).as("the custom sink still lacks it: the window stays open").isEmpty();
        assertThat(harness.stateDir.resolve("default").resolve("delivered-custom.tsv")).doesNotExist();
    }

    @Test
    void noPageIsAskedForOnceTheMonitorStopsAndThePagesReadAreDelivered() throws Exception {
        MonitorHarness harness = monitors.harness().set("monitor.page-size", "2").start();
        for (int i = 0; i < 6; i++) {
            harness.simulator.addFailed(7, Instant.now().minusSeconds(60 - i), "failure " + i + "\n");
        }
        harness.simulator.enqueueFault(Fault.delay(Duration.ZERO));
        // page 2 is on its way while the stop begins
        harness.simulator.enqueueFault(Fault.delay(Duration.ofSeconds(3)));
        MonitorTriggers.pollNow(harness.context());
        await().atMost(Duration.ofSeconds(20)).until(() -> harness.simulator.requests().size() >= 2);

        harness.close();

        assertThat(harness.simulator.requests()).as("page 3 was never asked for").hasSize(2);
        assertThat(harness.alerts()).as("pages 1 and 2 were delivered").hasSize(4);
        assertThat(harness.watermark()).as("the next poll reads the rest of the window").isEmpty();
    }
}

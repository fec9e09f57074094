package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tcjobmonitor.simulator.Fault;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A monitor that cannot see ThreatConnect says so: health DOWN, one notice, one when it recovers.
 *
 * <p>A poll counts as finished ({@code harness.poll()} returns) before its notice has gone to the
 * sinks, so the tests look for notices where they land: the file sink's lines, waited for. Polls of
 * one monitor never overlap (the Quartz job is stateful and runs its exchange to the end), so what a
 * later poll delivers is written after anything an earlier poll sent, notices included.
 */
class MonitorHealthEndToEndTest {

    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(20);

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private MonitorHarness harness;

    @Test
    void failedPollsInARowMakeTheMonitorBlindOnceAndAGoodPollRecoversIt() throws Exception {
        harness = monitors.harness().set("monitor.health.max-failed-polls", "2").start();
        long failure = harness.simulator.addFailed(5, Instant.now().minusSeconds(30), "job failure\n");
        assertThat(health().getState()).isEqualTo(HealthCheck.State.UP);

        for (int i = 0; i < 3; i++) {
            harness.simulator.enqueueFault(Fault.error(401, "Signature Data Did Not Match Expected Result"));
            harness.poll();
        }

        await().atMost(DELIVERY_TIMEOUT).untilAsserted(() -> assertThat(notices()).singleElement().satisfies(notice -> {
            assertThat(notice.get("status").asText()).isEqualTo("MonitorBlind");
            assertThat(notice.get("notice").asText()).isEqualTo("Monitor 'default' cannot see ThreatConnect");
            assertThat(notice.get("exitMessage").asText()).contains("2 polls in a row failed").contains("HTTP 401");
            assertThat(notice.get("monitor").get("instance").asText()).isEqualTo("default");
        }));
        HealthCheck.Result blind = health();
        assertThat(blind.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(blind.getMessage()).hasValueSatisfying(m -> assertThat(m).contains("'default'").contains("3 polls in a row failed"));

        harness.poll();
        harness.poll();

        // a second MonitorBlind from the third failed poll would sit before MonitorRecovered
        await().atMost(DELIVERY_TIMEOUT).untilAsserted(() -> assertThat(notices()).extracting(n -> n.get("status").asText())
                .containsExactly("MonitorBlind", "MonitorRecovered"));
        assertThat(health().getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(harness.alerts()).filteredOn(a -> a.has("id")).extracting(a -> a.get("id").asLong()).containsExactly(failure);
    }

    @Test
    void theNoticeOfTheLastPollReachesTheSinks() throws Exception {
        harness = monitors.harness().set("monitor.health.max-failed-polls", "1").start();
        harness.simulator.enqueueFault(Fault.error(403, "Access Denied"));

        harness.poll();

        // nothing follows this poll: only waiting on the file shows the notice arrives
        await().atMost(DELIVERY_TIMEOUT).untilAsserted(() -> assertThat(notices()).extracting(n -> n.get("status").asText())
                .containsExactly("MonitorBlind"));
    }

    @Test
    void noticesCanBeSwitchedOff() throws Exception {
        harness = monitors.harness().set("monitor.health.max-failed-polls", "1").set("monitor.notices", "false").start();
        harness.simulator.enqueueFault(Fault.error(403, "Access Denied"));

        harness.poll();
        assertThat(health().getState()).isEqualTo(HealthCheck.State.DOWN);
        long first = harness.simulator.addFailed(5, Instant.now().minusSeconds(30), "job failure\n");
        harness.poll();
        assertThat(health().getState()).isEqualTo(HealthCheck.State.UP);
        long second = harness.simulator.addFailed(6, Instant.now().minusSeconds(20), "another job failure\n");
        harness.poll();

        // the first poll went blind and the second recovered: with notices on, their notices would be
        // in the file before the third poll began, and so before `second`, which only it delivers
        await().atMost(DELIVERY_TIMEOUT).until(() -> harness.alerts().stream().anyMatch(alert -> alert.path("id").asLong() == second));
        assertThat(harness.alerts()).extracting(alert -> alert.has("notice") ? alert.get("status").asText() : alert.get("id").asText())
                .containsExactly(String.valueOf(first), String.valueOf(second));
    }

    private List<JsonNode> notices() {
        return harness.alerts().stream().filter(alert -> alert.has("notice")).toList();
    }

    private HealthCheck.Result health() {
        return HealthCheckHelper.invoke(harness.context()).stream()
                .filter(result -> result.getCheck().getId().equals("tc-job-monitor")).findFirst()
                .orElseThrow(() -> new AssertionError("no tc-job-monitor health check"));
    }
}

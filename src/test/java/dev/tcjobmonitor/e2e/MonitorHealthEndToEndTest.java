package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tcjobmonitor.simulator.Fault;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A monitor that cannot see ThreatConnect says so: health DOWN, one notice, one when it recovers. */
class MonitorHealthEndToEndTest {

    @TempDir
    Path tempDir;
    private MonitorHarness harness;

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void failedPollsInARowMakeTheMonitorBlindOnceAndAGoodPollRecoversIt() throws Exception {
        harness = new MonitorHarness(tempDir).set("monitor.health.max-failed-polls", "2").start();
        long failure = harness.simulator.addFailed(5, Instant.now().minusSeconds(30), "job failure\n");
        assertThat(health().getState()).isEqualTo(HealthCheck.State.UP);

        for (int i = 0; i < 3; i++) {
            harness.simulator.enqueueFault(Fault.error(401, "Signature Data Did Not Match Expected Result"));
            harness.poll();
        }

        assertThat(notices()).singleElement().satisfies(notice -> {
            assertThat(notice.get("status").asText()).isEqualTo("MonitorBlind");
            assertThat(notice.get("notice").asText()).isEqualTo("Monitor 'default' cannot see ThreatConnect");
            assertThat(notice.get("exitMessage").asText()).contains("2 polls in a row failed").contains("HTTP 401");
            assertThat(notice.get("monitor").get("instance").asText()).isEqualTo("default");
        });
        HealthCheck.Result blind = health();
        assertThat(blind.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(blind.getMessage()).hasValueSatisfying(m -> assertThat(m).contains("'default'").contains("3 polls in a row failed"));

        harness.poll();
        harness.poll();

        assertThat(notices()).extracting(n -> n.get("status").asText()).containsExactly("MonitorBlind", "MonitorRecovered");
        assertThat(health().getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(harness.alerts()).filteredOn(a -> a.has("id")).extracting(a -> a.get("id").asLong()).containsExactly(failure);
    }

    @Test
    void noticesCanBeSwitchedOff() throws Exception {
        harness = new MonitorHarness(tempDir).set("monitor.health.max-failed-polls", "1").set("monitor.notices", "false").start();
        harness.simulator.enqueueFault(Fault.error(403, "Access Denied"));

        harness.poll();

        assertThat(notices()).isEmpty();
        assertThat(health().getState()).isEqualTo(HealthCheck.State.DOWN);
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

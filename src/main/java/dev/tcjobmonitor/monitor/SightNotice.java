package dev.tcjobmonitor.monitor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.alert.AlertDocument;
import dev.tcjobmonitor.alert.FailedExecution;
import dev.tcjobmonitor.threatconnect.ExecutionPageReader;
import java.time.Instant;
import java.util.Set;

/**
 * The alert a monitor sends about itself when it goes blind (status {@code MonitorBlind}) or sees
 * ThreatConnect again ({@code MonitorRecovered}): shaped like a failed execution so every sink
 * takes it as it is, with a {@code notice} field that says what it is.
 */
final class SightNotice {

    private SightNotice() {
    }

    static Alert of(MonitorSettings settings, boolean blind, MonitorHealth.Verdict verdict, Instant now) {
        String status = blind ? "MonitorBlind" : "MonitorRecovered";
        ObjectNode fields = ExecutionPageReader.JSON.createObjectNode()
                .put("notice", "Monitor '" + settings.name() + "' " + (blind ? "cannot see ThreatConnect" : "sees ThreatConnect again"))
                .put("status", status)
                .put("noticeTime", now.toString())
                .put("exitMessage", blind
                        ? verdict.reason() + "; last good poll: " + verdict.lastGoodPoll().map(Instant::toString).orElse("none")
                        + "; last error: " + verdict.lastError().orElse("none")
                        : "the poll of " + now + " succeeded");
        FailedExecution execution = new FailedExecution(fields);
        return new Alert(execution, "notice-" + status + "-" + now.toEpochMilli(), now,
                AlertDocument.render(execution, settings.name(), settings.endpoint().baseUrl(), now),
                Set.copyOf(settings.sinks()), settings.name());
    }
}

package dev.tcjobmonitor.threatconnect;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * One good page of {@code /v3/job/executions}: its executions, exactly as received, and the raw
 * {@code next} link when ThreatConnect has more.
 */
public record ExecutionPage(List<JsonNode> executions, Optional<String> next) {
}

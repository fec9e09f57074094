package dev.tcjobmonitor.threatconnect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tcjobmonitor.alert.FailedExecution;
import java.util.List;
import java.util.Optional;

/**
 * One good page of {@code /v3/job/executions}: its executions, exactly as received (the objects of
 * its {@code data} array, in order), the elements of that array that are no object (as Jackson
 * read them), and the raw {@code next} link when ThreatConnect has more.
 */
public record ExecutionPage(List<FailedExecution> executions, List<JsonNode> notObjects, Optional<String> next) {

    /** How many elements the page's {@code data} array has. */
    public int size() {
        return executions.size() + notObjects.size();
    }
}

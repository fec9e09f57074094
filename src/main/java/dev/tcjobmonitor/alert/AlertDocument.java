package dev.tcjobmonitor.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.threatconnect.ExecutionPageReader;
import java.time.Instant;

/**
 * The JSON document every sink receives: the execution's fields exactly as ThreatConnect sent
 * them, plus a {@code monitor} object saying who found it, where, and when.
 */
public final class AlertDocument {

    private static final ObjectMapper JSON = ExecutionPageReader.JSON;

    private AlertDocument() {
    }

    public static String render(FailedExecution execution, String monitor, String baseUrl, Instant detectedAt) {
        // a shallow copy: the execution's own nodes are shared, never changed, and written as they are
        ObjectNode document = JSON.createObjectNode().setAll(execution.fields());
        ObjectNode about = JSON.createObjectNode()
                .put("instance", monitor)
                .put("baseUrl", baseUrl)
                .put("detectedAt", detectedAt.toString());
        // ThreatConnect's own fields are never overwritten: ours takes the first free name
        String name = "monitor";
        while (document.has(name)) {
            name = "_" + name;
        }
        document.set(name, about);
        try {
            return JSON.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an alert document", e);
        }
    }
}

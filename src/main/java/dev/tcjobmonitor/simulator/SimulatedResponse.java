package dev.tcjobmonitor.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** What the simulator is about to answer; faults may replace or rewrite it. */
public record SimulatedResponse(int status, Map<String, String> headers, String body) {

    public SimulatedResponse withBody(String newBody) {
        return new SimulatedResponse(status, headers, newBody);
    }

    /** ThreatConnect's error envelope carrying {@code message}. */
    static String errorBody(String message) {
        return ThreatConnectSimulator.JSON.createObjectNode().put("status", "Error").put("errCode", "0x1001")
                .put("message", message).toString();
    }

    /** {@code status} with ThreatConnect's error envelope carrying {@code message}. */
    static SimulatedResponse error(int status, String message) {
        return new SimulatedResponse(status, Map.of("Content-Type", "application/json"), errorBody(message));
    }

    static SimulatedResponse json(int status, JsonNode body) {
        try {
            return new SimulatedResponse(status, Map.of("Content-Type", "application/json"),
                    ThreatConnectSimulator.JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.tcjobmonitor.simulator;

import java.util.Map;

/** What the simulator is about to answer; faults may replace or rewrite it. */
public record SimulatedResponse(int status, Map<String, String> headers, String body) {

    public SimulatedResponse withBody(String newBody) {
        return new SimulatedResponse(status, headers, newBody);
    }
}

package dev.tcjobmonitor.simulator;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A request as the simulator received it: method, raw path and query, headers (names lower case). */
public record RecordedRequest(String method, String target, Map<String, List<String>> headers) {

    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase());
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}

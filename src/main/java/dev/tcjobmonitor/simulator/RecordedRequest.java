package dev.tcjobmonitor.simulator;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A request as the simulator received it: method, raw path and query, headers (names lower case),
 * and when it arrived (real time, whatever clock the simulator was given).
 */
public record RecordedRequest(String method, String target, Map<String, List<String>> headers, Instant received) {

    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase());
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}

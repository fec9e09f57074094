package dev.tcjobmonitor.alert;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The new failures of one page, handed to every sink at once; each sink takes what it lacks. */
public record AlertBatch(List<Alert> alerts) {

    public List<Alert> pendingFor(String sink) {
        return alerts.stream().filter(alert -> alert.pendingSinks().contains(sink)).toList();
    }

    /** The sinks that lack at least one alert of the batch. */
    public Set<String> sinks() {
        Set<String> sinks = new TreeSet<>();
        alerts.forEach(alert -> sinks.addAll(alert.pendingSinks()));
        return sinks;
    }
}

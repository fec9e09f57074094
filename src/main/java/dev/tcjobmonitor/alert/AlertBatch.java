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
        Set<String> last = null;
        for (Alert alert : alerts) {
            // alerts of one page mostly share one set of pending sinks (Failures): each set once
            if (alert.pendingSinks() != last) {
                last = alert.pendingSinks();
                sinks.addAll(last);
            }
        }
        return sinks;
    }
}

package dev.tcjobmonitor.alert;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The new failures of one page, handed to every sink at once; each sink takes what it lacks. */
public record AlertBatch(List<Alert> alerts) {

    /** The alerts {@code sink} lacks, in the batch's order (not to be changed by the caller). */
    public List<Alert> pendingFor(String sink) {
        // alerts of one page mostly share one set of pending sinks (Failures): asked once per set,
        // and when the sink lacks every alert, the batch as it is rather than a copy
        List<Alert> pending = null;
        Set<String> last = null;
        boolean lacks = false;
        for (int i = 0; i < alerts.size(); i++) {
            Alert alert = alerts.get(i);
            if (alert.pendingSinks() != last) {
                last = alert.pendingSinks();
                lacks = last.contains(sink);
            }
            if (pending == null && !lacks) {
                pending = new ArrayList<>(alerts.subList(0, i));
            } else if (pending != null && lacks) {
                pending.add(alert);
            }
        }
        return pending == null ? Collections.unmodifiableList(alerts) : Collections.unmodifiableList(pending);
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

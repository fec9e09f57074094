package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.state.MonitorStateStore;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.camel.CamelContext;

/**
 * The services a monitor shares with the other monitors of its Camel context when the host
 * declares them (tc-job-monitor/camel/job-monitor.camel.yaml does, so health, --check and a
 * cluster see every monitor). A host that only added the jar and uses the Kamelet declares none:
 * each monitor then keeps its own files and metrics, and the context's monitors share one history
 * with its health check.
 */
final class HostServices {

    static final String STATE_STORE = "tcStateStore";
    static final String METRICS = "tcMetrics";
    static final String SILENCES = "tcSilences";

    private HostServices() {
    }

    /**
     * The host's state store, for a monitor whose own folder is {@code stateDirectory}; null when the
     * host declares none (the monitor opens its own files). The folder must be the store's, or the
     * monitor's dead letters would lie in a folder of their own, beside no watermark and under no lock.
     */
    static MonitorStateStore stateStore(CamelContext context, String monitor, Path stateDirectory) {
        MonitorStateStore store = shared(context, STATE_STORE, MonitorStateStore.class);
        Optional<Path> folder = store == null ? Optional.empty() : store.localFolder();
        if (folder.isPresent() && !sameFolder(folder.get(), stateDirectory)) {
            throw new SettingException(monitor, "stateDir (monitor.state-dir)", "'" + stateDirectory + "' is not the folder"
                    + " of the host's state store (" + folder.get() + ", its bean tcStateStore), where every monitor of"
                    + " this host keeps its state: leave stateDir out and set monitor.state-dir to that folder, or give"
                    + " stateDir that folder");
        }
        return store;
    }

    private static boolean sameFolder(Path one, Path other) {
        return one.toAbsolutePath().normalize().equals(other.toAbsolutePath().normalize());
    }

    static MonitorMetrics metrics(CamelContext context) {
        MonitorMetrics metrics = shared(context, METRICS, MonitorMetrics.class);
        if (metrics == null) {
            metrics = new MonitorMetrics();
            metrics.setCamelContext(context);
        }
        return metrics;
    }

    /** The operators' silences, or none when the host declares none. */
    static Silences silences(CamelContext context) {
        Silences silences = shared(context, SILENCES, Silences.class);
        return silences == null ? Silences.none() : silences;
    }

    /**
     * The host's poll history; a host that declares none (one that only added the jar and consumes
     * the Kamelet) gets one for all its monitors, bound as {@code tcPollHistory}, and the health
     * check {@code tc-job-monitor} that reads it: the host's health (Camel's, or Spring Boot
     * Actuator's) shows its monitors as the standalone monitor's does.
     */
    static PollHistory pollHistory(CamelContext context) {
        if (context == null) {
            return new PollHistory();
        }
        synchronized (context) {
            PollHistory history = shared(context, MonitorHealthCheck.POLL_HISTORY, PollHistory.class);
            if (history == null) {
                history = new PollHistory();
                context.getRegistry().bind(MonitorHealthCheck.POLL_HISTORY, history);
                // registers itself with the context's health check registry, unless one is there
                new MonitorHealthCheck().setCamelContext(context);
            }
            return history;
        }
    }

    private static <T> T shared(CamelContext context, String bean, Class<T> type) {
        return context == null ? null : context.getRegistry().lookupByNameAndType(bean, type);
    }
}

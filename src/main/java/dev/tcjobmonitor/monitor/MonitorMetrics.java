package dev.tcjobmonitor.monitor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitors' Prometheus metrics (bean {@code tcMetrics}), labelled by monitor (and sink):
 * <pre>
 * tc_monitor_polls_total{monitor,result}                 polls by result (success, failure)
 * tc_monitor_poll_duration_seconds{monitor}              poll duration (summary)
 * tc_monitor_executions_seen_total{monitor}              executions read from ThreatConnect
 * tc_monitor_failures_detected_total{monitor}            failed executions in the windows
 * tc_monitor_alerts_delivered_total{monitor,sink}        alerts a sink accepted
 * tc_monitor_alerts_refused_total{monitor,sink}          alerts a sink refused after its retries (retried next poll)
 * tc_monitor_alerts_dead_lettered_total{monitor,sink}    alerts given up on, in the sink's dead letter
 * tc_monitor_alerts_silenced_total{monitor,sink}         alerts a silence hid from the sink (recorded as delivered)
 * tc_monitor_alerts_held_total{monitor,sink}             alerts a repeat interval held for a job's next reminder
 * tc_monitor_watermark_lag_seconds{monitor}              now - end of the last good poll's window
 * tc_monitor_last_good_poll_timestamp_seconds{monitor}   when the last good poll's window ended
 * </pre>
 * Without a Micrometer registry in the Camel context (metrics off), it records nothing; with
 * several, see {@link Meters#registry}. Micrometer is an optional dependency
 * (camel-micrometer-prometheus): only the nested class {@link Meters} names its types, and is
 * loaded only when Micrometer is there, so an application without it loads this bean all the same
 * (Camel's bean post-processing reads every field and method signature).
 */
public class MonitorMetrics implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(MonitorMetrics.class);
    /** camel-micrometer's name for the registry it uses when there are several. */
    private static final String CAMEL_REGISTRY_NAME = "metricsRegistry";
    private static final boolean MICROMETER = OptionalDependency.MICROMETER.present();

    private CamelContext camelContext;
    private Clock clock = Clock.systemUTC();
    private final Map<String, Instant> lastGood = new ConcurrentHashMap<>();
    private final Set<String> gauged = ConcurrentHashMap.newKeySet();
    /** One counter (a Micrometer Counter) per outcome, monitor and sink: looked up once, not for every alert. */
    private final Map<String, Object> alertCounters = new ConcurrentHashMap<>();
    private volatile boolean warnedNoRegistry;

    void pollFinished(String monitor, Poll poll) {
        if (MICROMETER && camelContext != null) {
            Meters.pollFinished(this, monitor, poll);
        }
    }

    void alerts(String outcome, String monitor, String sink, int count) {
        if (MICROMETER && camelContext != null && count > 0) {
            Meters.alerts(this, outcome, monitor, sink, count);
        }
    }

    public void setClock(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** Everything that names Micrometer's types. */
    private static final class Meters {

        private Meters() {
        }

        static void pollFinished(MonitorMetrics metrics, String monitor, Poll poll) {
            MeterRegistry registry = registry(metrics);
            if (registry == null) {
                return;
            }
            boolean success = poll.failure().isEmpty();
            // both results exist from the first poll on: a monitor that never succeeded shows
            // success 0, which an alert on its increase can see; a missing series is "no data"
            Counter successes = polls(registry, monitor, "success");
            Counter failures = polls(registry, monitor, "failure");
            (success ? successes : failures).increment();
            Timer.builder("tc.monitor.poll.duration").description("Duration of a poll").tag("monitor", monitor)
                    .register(registry).record(poll.elapsed());
            Counter.builder("tc.monitor.executions.seen").description("Job executions read from ThreatConnect")
                    .tag("monitor", monitor).register(registry).increment(poll.executions());
            Counter.builder("tc.monitor.failures.detected").description("Failed job executions found in the windows")
                    .tag("monitor", monitor).register(registry).increment(poll.failures());
            if (success && poll.movesWatermark()) {
                metrics.lastGood.put(monitor, poll.windowEnd());
            }
            if (metrics.gauged.add(monitor)) {
                registerGauges(metrics, registry, monitor);
            }
        }

        private static Counter polls(MeterRegistry registry, String monitor, String result) {
            return Counter.builder("tc.monitor.polls").description("Polls of ThreatConnect by result")
                    .tag("monitor", monitor).tag("result", result).register(registry);
        }

        /** Gauges read their value when scraped: registered once per monitor. */
        private static void registerGauges(MonitorMetrics metrics, MeterRegistry registry, String monitor) {
            Map<String, Instant> lastGood = metrics.lastGood;
            Gauge.builder("tc.monitor.watermark.lag", lastGood,
                            times -> times.containsKey(monitor)
                                    ? Duration.between(times.get(monitor), metrics.clock.instant()).toMillis() / 1000.0 : Double.NaN)
                    .description("Seconds between now and the end of the last good poll's window").tag("monitor", monitor)
                    .baseUnit("seconds").register(registry);
            Gauge.builder("tc.monitor.last.good.poll.timestamp", lastGood,
                            times -> times.containsKey(monitor) ? times.get(monitor).toEpochMilli() / 1000.0 : Double.NaN)
                    .description("When the last good poll's window ended, Unix time").tag("monitor", monitor)
                    .baseUnit("seconds").register(registry);
        }

        static void alerts(MonitorMetrics metrics, String outcome, String monitor, String sink, int count) {
            Object counter = metrics.alertCounters.computeIfAbsent(outcome + "/" + monitor + "/" + sink, key -> {
                MeterRegistry registry = registry(metrics);
                return registry == null ? null : Counter.builder("tc.monitor.alerts." + outcome)
                        .description("Alerts by sink: " + outcome).tag("monitor", monitor).tag("sink", sink).register(registry);
            });
            if (counter != null) {
                ((Counter) counter).increment(count);
            }
        }

        /**
         * The host's registry: its only one; or, where it has several (Spring Boot with two backends:
         * each backend's registry and the composite that feeds them all, its primary), the one that no
         * other feeds; or else the one named {@code metricsRegistry}, camel-micrometer's name. None of
         * these: no metrics, said once.
         */
        private static MeterRegistry registry(MonitorMetrics metrics) {
            Set<MeterRegistry> all = metrics.camelContext.getRegistry().findByType(MeterRegistry.class);
            if (all.size() <= 1) {
                return all.isEmpty() ? null : all.iterator().next();
            }
            List<MeterRegistry> fedByNoOther = all.stream().filter(registry -> all.stream().noneMatch(other -> other != registry
                    && other instanceof CompositeMeterRegistry composite && composite.getRegistries().contains(registry))).toList();
            if (fedByNoOther.size() == 1) {
                return fedByNoOther.get(0);
            }
            MeterRegistry named = metrics.camelContext.getRegistry().lookupByNameAndType(CAMEL_REGISTRY_NAME, MeterRegistry.class);
            if (named == null && !metrics.warnedNoRegistry) {
                metrics.warnedNoRegistry = true;
                LOG.warn("The monitors record no metrics: the application has {} Micrometer registries and none of them feeds"
                        + " the others; name the one to use '{}'", all.size(), CAMEL_REGISTRY_NAME);
            }
            return named;
        }
    }
}

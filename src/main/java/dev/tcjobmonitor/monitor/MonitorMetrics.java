package dev.tcjobmonitor.monitor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;

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
 * tc_monitor_watermark_lag_seconds{monitor}              now - end of the last good poll's window
 * tc_monitor_last_good_poll_timestamp_seconds{monitor}   when the last good poll's window ended
 * </pre>
 * Without a Micrometer registry in the Camel context (metrics off), it records nothing.
 */
public class MonitorMetrics implements CamelContextAware {

    private CamelContext camelContext;
    private Clock clock = Clock.systemUTC();
    private final Map<String, Instant> lastGood = new ConcurrentHashMap<>();
    private final java.util.Set<String> gauged = ConcurrentHashMap.newKeySet();
    /** One counter per outcome, monitor and sink: looked up once, not for every alert. */
    private final Map<String, Counter> alertCounters = new ConcurrentHashMap<>();

    void pollFinished(String monitor, Poll poll) {
        MeterRegistry registry = registry();
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
            lastGood.put(monitor, poll.windowEnd());
        }
        if (gauged.add(monitor)) {
            registerGauges(registry, monitor);
        }
    }

    private static Counter polls(MeterRegistry registry, String monitor, String result) {
        return Counter.builder("tc.monitor.polls").description("Polls of ThreatConnect by result")
                .tag("monitor", monitor).tag("result", result).register(registry);
    }

    /** Gauges read their value when scraped: registered once per monitor. */
    private void registerGauges(MeterRegistry registry, String monitor) {
        Gauge.builder("tc.monitor.watermark.lag", lastGood,
                        times -> times.containsKey(monitor) ? Duration.between(times.get(monitor), clock.instant()).toMillis() / 1000.0 : Double.NaN)
                .description("Seconds between now and the end of the last good poll's window").tag("monitor", monitor)
                .baseUnit("seconds").register(registry);
        Gauge.builder("tc.monitor.last.good.poll.timestamp", lastGood,
                        times -> times.containsKey(monitor) ? times.get(monitor).toEpochMilli() / 1000.0 : Double.NaN)
                .description("When the last good poll's window ended, Unix time").tag("monitor", monitor)
                .baseUnit("seconds").register(registry);
    }

    void alerts(String outcome, String monitor, String sink, int count) {
        if (count <= 0) {
            return;
        }
        Counter counter = alertCounters.computeIfAbsent(outcome + "/" + monitor + "/" + sink, key -> {
            MeterRegistry registry = registry();
            return registry == null ? null : Counter.builder("tc.monitor.alerts." + outcome)
                    .description("Alerts by sink: " + outcome).tag("monitor", monitor).tag("sink", sink).register(registry);
        });
        if (counter != null) {
            counter.increment(count);
        }
    }

    private MeterRegistry registry() {
        return camelContext == null ? null : camelContext.getRegistry().findSingleByType(MeterRegistry.class);
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
}

package dev.tcjobmonitor.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** Which of the host's Micrometer registries the monitors' metrics go to. */
class MonitorMetricsTest {

    private static final Instant NOW = Instant.parse("2026-11-30T00:00:00Z");

    @Test
    void withTheRegistriesOfSeveralBackendsTheMetricsGoToTheCompositeThatFeedsThemAll() throws Exception {
        // as Spring Boot builds it for two backends: each backend's registry is a bean, and so is
        // the composite (its primary registry) that feeds both
        SimpleMeterRegistry prometheus = new SimpleMeterRegistry();
        SimpleMeterRegistry otherBackend = new SimpleMeterRegistry();
        CompositeMeterRegistry composite = new CompositeMeterRegistry();
        composite.add(prometheus);
        composite.add(otherBackend);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind("prometheusMeterRegistry", prometheus);
            context.getRegistry().bind("simpleMeterRegistry", otherBackend);
            context.getRegistry().bind("compositeMeterRegistry", composite);

            polled(context);

            for (MeterRegistry registry : new MeterRegistry[] {composite, prometheus, otherBackend}) {
                assertThat(registry.find("tc.monitor.polls").tag("monitor", "soc").tag("result", "success").counter())
                        .as("tc.monitor.polls in %s", registry).isNotNull()
                        .satisfies(counter -> assertThat(counter.count()).isEqualTo(1.0));
            }
        }
    }

    @Test
    void withSeveralUnrelatedRegistriesTheMetricsGoToTheOneNamedAsCamelMicrometerNamesIt() throws Exception {
        SimpleMeterRegistry chosen = new SimpleMeterRegistry();
        SimpleMeterRegistry other = new SimpleMeterRegistry();
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind("metricsRegistry", chosen);
            context.getRegistry().bind("otherRegistry", other);

            polled(context);

            assertThat(chosen.find("tc.monitor.polls").tag("monitor", "soc").counter()).isNotNull();
            assertThat(other.find("tc.monitor.polls").counter()).isNull();
        }
    }

    @Test
    void withOneRegistryTheMetricsGoThere() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind("metricsRegistry", registry);

            polled(context);

            assertThat(registry.find("tc.monitor.polls").tag("monitor", "soc").counter()).isNotNull();
        }
    }

    @Test
    void withoutARegistryNothingIsRecorded() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            MonitorMetrics metrics = new MonitorMetrics();
            metrics.setCamelContext(context);

            metrics.pollFinished("soc", new Poll(null, NOW.minusSeconds(600), NOW, null));
            metrics.alerts("delivered", "soc", "file", 1);
        }
    }

    private static void polled(DefaultCamelContext context) {
        MonitorMetrics metrics = new MonitorMetrics();
        metrics.setCamelContext(context);
        metrics.pollFinished("soc", new Poll(null, NOW.minusSeconds(600), NOW, null));
    }
}

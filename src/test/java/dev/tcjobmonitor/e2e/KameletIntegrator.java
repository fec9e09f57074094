package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tcjobmonitor.MonitorTriggers;
import dev.tcjobmonitor.monitor.MonitorHealthCheck;
import dev.tcjobmonitor.monitor.PollHistory;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * An integrator's plain Camel application that added the jar and nothing of the module's own
 * configuration, whose routes ({@code src/test/resources/kamelet/}) consume the Kamelet
 * tc-job-failures-source as {@code soc-poll}, with the user {@code soc-user} of {@code tc}.
 */
final class KameletIntegrator {

    static final String ACCESS_ID = "soc-user";
    static final String SECRET = "Integrator/Secret+Key=";

    private KameletIntegrator() {
    }

    /**
     * Started: the routes of {@code routes}, each failure to {@code failuresUri}, errors to
     * mock:errors, state under {@code stateDir}, and the host's own {@code hostSettings}.
     */
    static DefaultCamelContext start(ThreatConnectSimulator tc, Path stateDir, String routes, String failuresUri,
            Properties hostSettings) throws Exception {
        DefaultCamelContext integrator = new DefaultCamelContext();
        Properties settings = new Properties();
        settings.putAll(hostSettings);
        settings.setProperty("soc.threatconnect.url", tc.baseUrl());
        settings.setProperty("soc.threatconnect.access-id", ACCESS_ID);
        settings.setProperty("soc.threatconnect.secret-key", SECRET);
        settings.setProperty("soc.state-dir", stateDir.toString());
        settings.setProperty("soc.failures-uri", failuresUri);
        settings.setProperty("soc.errors-uri", "mock:errors");
        integrator.getPropertiesComponent().setInitialProperties(settings);
        PluginHelper.getRoutesLoader(integrator).loadRoutes(List.of(
                ResourceHelper.resolveMandatoryResource(integrator, routes)));
        integrator.start();
        return integrator;
    }

    /**
     * Fires the Kamelet's Quartz trigger and waits until that poll is over: its exchange done and
     * the poll recorded in the monitor's history (the NotifyBuilder alone may match when a part of
     * the poll's hand-over is done, before the poll's last lines).
     */
    static void poll(DefaultCamelContext integrator) {
        PollHistory history = integrator.getRegistry().lookupByNameAndType(MonitorHealthCheck.POLL_HISTORY, PollHistory.class);
        int before = history.count("soc");
        NotifyBuilder pollDone = new NotifyBuilder(integrator).fromRoute("soc-poll").whenDone(1).create();
        MonitorTriggers.pollNow(integrator);
        assertThat(pollDone.matches(30, TimeUnit.SECONDS)).as("the poll finished").isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> history.count("soc") > before);
    }
}

package dev.tcjobmonitor;

import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.io.TempDir;

/**
 * Route tests with Camel's test kit against the shipped YAML, loaded as the standalone process
 * loads it ({@link Application#createMain}: the same property locations, the shipped route files,
 * the shipped default monitor), pointed at the ThreatConnect simulator over real HTTP, with state
 * and alerts in a temporary folder. The context is not started before the test: it advises the
 * routes it wants to observe (AdviceWith), then starts it. Polls run when the test asks, never on
 * the clock.
 */
public abstract class RouteTestSupport extends CamelMainTestSupport {

    protected static final String ACCESS_ID = "route-test-user";
    private static final String SECRET_KEY = "Route-Test-Secret/+=";

    @TempDir
    protected Path tempDir;
    protected ThreatConnectSimulator simulator;
    private final List<String> extraRoutes = new ArrayList<>();

    /** The settings of this test on top of the shipped application.properties. */
    protected void settings(Properties settings) {
    }

    /** Loads this route file too, as if it were in the operator's routes/ folder. */
    protected final void routes(String location) {
        extraRoutes.add(location);
    }

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected void setupResources() throws Exception {
        simulator = ThreatConnectSimulator.start().withHmacUser(ACCESS_ID, SECRET_KEY);
        Properties settings = new Properties();
        settings.setProperty("tc.base-url", simulator.baseUrl());
        settings.setProperty("tc.access-id", ACCESS_ID);
        settings.setProperty("tc.secret-key", SECRET_KEY);
        settings.setProperty("tc.api-token", "");
        settings.setProperty("monitor.cron", "0 0 0 1 1 ? 2099");
        settings.setProperty("monitor.state-dir", stateDir().toString());
        settings.setProperty("sink.file.directory", tempDir.resolve("alerts").toString());
        settings.setProperty("camel.management.enabled", "false");
        settings(settings);
        camelContextConfiguration().withUseOverridePropertiesWithPropertiesComponent(settings);
    }

    @Override
    protected void cleanupResources() {
        if (simulator != null) {
            simulator.close();
        }
    }

    @Override
    protected String getPropertyPlaceholderLocations() {
        return Application.PROPERTY_LOCATIONS;
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        List<String> routes = new ArrayList<>(List.of(Application.SHIPPED_ROUTES, Application.DEFAULT_MONITORS));
        routes.addAll(extraRoutes);
        configuration.withRoutesIncludePattern(String.join(",", routes));
    }

    /**
     * Replaces the send of the sink route {@code tc-sink-<sink>} (the node {@code tc-send-<sink>} of
     * the template tc-sink-endpoint) with {@code mock:<sink>}; call before the context starts.
     */
    protected MockEndpoint adviseSend(String sink) throws Exception {
        // the route's definition still reads tc-send-{{sink}}: the template's parameter is resolved
        // when the route is built, so the send is found by the id's fixed part, in this sink's route
        AdviceWith.adviceWith(context, "tc-sink-" + sink,
                route -> route.weaveById("tc-send-*").replace().to("mock:" + sink));
        return getMockEndpoint("mock:" + sink);
    }

    /** One poll of every monitor, through Quartz and the route, as the schedule runs it; the first one's outcome. */
    protected Poll poll() throws InterruptedException {
        return Application.pollAllNow(context).get(0);
    }

    protected Path stateDir() {
        return tempDir.resolve("state");
    }

    /** The execution ids in the delivered-ids ledger of {@code sink} (of the default monitor), one per line as written. */
    protected List<String> ledger(String sink) throws IOException {
        Path ledger = stateDir().resolve("default").resolve("delivered-" + sink + ".tsv");
        return Files.exists(ledger) ? Files.readAllLines(ledger).stream().map(line -> line.split("\t")[0]).toList() : List.of();
    }

    protected Optional<String> watermark() throws IOException {
        Path file = stateDir().resolve("default").resolve("watermark");
        return Files.exists(file) ? Optional.of(Files.readString(file).strip()) : Optional.empty();
    }
}

package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.Application;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor inside an existing Camel application, not camel-main: the host adds the jar,
 * loads the shipped route files and the defaults, and declares a templatedRoute of its own.
 */
class EmbeddingTest {

    @TempDir
    Path tempDir;

    @Test
    void aPlainCamelContextRunsTheShippedTemplateFromItsOwnRouteFile() throws Exception {
        try (ThreatConnectSimulator tc = ThreatConnectSimulator.start().withHmacUser("host-user", "host-S3cret");
             DefaultCamelContext host = new DefaultCamelContext()) {
            long failure = tc.addFailed(77, Instant.now().minusSeconds(30), "seen by the host\n");
            Properties hostSettings = new Properties();
            hostSettings.setProperty("host.threatconnect.url", tc.baseUrl());
            hostSettings.setProperty("host.threatconnect.access-id", "host-user");
            hostSettings.setProperty("host.threatconnect.secret-key", "host-S3cret");
            hostSettings.setProperty("monitor.state-dir", tempDir.resolve("state").toString());
            hostSettings.setProperty("sink.file.directory", tempDir.resolve("alerts").toString());
            // the host's settings first, then the module's shipped defaults for everything else
            host.getPropertiesComponent().setOverrideProperties(hostSettings);
            host.getPropertiesComponent().setLocation("classpath:tc-job-monitor/application.properties");
            PluginHelper.getRoutesLoader(host).loadRoutes(List.of(
                    ResourceHelper.resolveMandatoryResource(host, "classpath:tc-job-monitor/camel/job-monitor.camel.yaml"),
                    ResourceHelper.resolveMandatoryResource(host, "classpath:tc-job-monitor/camel/sinks.camel.yaml"),
                    ResourceHelper.resolveMandatoryResource(host, "classpath:tc-job-monitor/camel/errors.camel.yaml"),
                    ResourceHelper.resolveMandatoryResource(host, "classpath:embedding/host-monitors.camel.yaml")));
            host.start();

            List<Poll> polls = Application.pollAllNow(host);

            assertThat(polls).singleElement().satisfies(poll -> assertThat(poll.failure()).isEmpty());
            try (var files = Files.list(tempDir.resolve("alerts"))) {
                List<String> lines = Files.readAllLines(files.findFirst().orElseThrow());
                assertThat(lines).singleElement().asString().contains("\"id\":" + failure).contains("\"instance\":\"host\"");
            }
        }
    }
}

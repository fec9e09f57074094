package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.simulator.Fault;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Health and Prometheus metrics scraped over HTTP from Camel's management server, as an operator would. */
class ObservabilityEndToEndTest {

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private MonitorHarness harness;
    private int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private MonitorHarness start(String... settings) throws Exception {
        // the management server on port 0: the system picks a free port as it binds, read back below
        harness = monitors.harness().set("camel.management.enabled", "true").set("camel.management.port", "0")
                .set("sinks", "file,custom").set("sink.custom.uri", WebhookReceiver.down().uri())
                .set("sink.custom.max-redeliveries", "0");
        for (int i = 0; i < settings.length; i += 2) {
            harness.set(settings[i], settings[i + 1]);
        }
        harness.start();
        port = VertxPlatformHttpRouter.lookup(harness.context(), VertxPlatformHttpRouter.getRouterNameFromPort(0)).getServer().getPort();
        return harness;
    }

    @Test
    void countersFollowThePolls() throws Exception {
        start();
        Instant recent = Instant.now().minusSeconds(60);
        harness.simulator.addFailed(1, recent, "a\n");
        harness.simulator.addFailed(2, recent, "b\n");
        harness.simulator.addCompleted(3, recent);
        harness.poll();
        harness.simulator.enqueueFault(Fault.error(403, "Access Denied"));
        harness.poll();

        String metrics = get("/observe/metrics").body();

        assertThat(value(metrics, "tc_monitor_polls_total", "monitor=\"default\",result=\"failure\"")).isEqualTo(2.0);
        assertThat(value(metrics, "tc_monitor_polls_total", "monitor=\"default\",result=\"success\"")).isZero();
        assertThat(value(metrics, "tc_monitor_executions_seen_total", "monitor=\"default\"")).isEqualTo(2.0);
        assertThat(value(metrics, "tc_monitor_failures_detected_total", "monitor=\"default\"")).isEqualTo(2.0);
        assertThat(value(metrics, "tc_monitor_alerts_delivered_total", "monitor=\"default\",sink=\"file\"")).isEqualTo(2.0);
        assertThat(value(metrics, "tc_monitor_alerts_refused_total", "monitor=\"default\",sink=\"custom\"")).isEqualTo(2.0);
        assertThat(value(metrics, "tc_monitor_poll_duration_seconds_count", "monitor=\"default\"")).isEqualTo(2.0);
        assertThat(metrics).contains("tc_monitor_watermark_lag_seconds{monitor=\"default\"} NaN");
    }

    @Test
    void healthTurnsDownWhenTheMonitorIsBlindAndUpWhenItSeesAgain() throws Exception {
        start("monitor.health.max-failed-polls", "2", "sinks", "file");
        assertThat(get("/observe/health/ready").statusCode()).isEqualTo(200);

        harness.simulator.enqueueFault(Fault.error(401, "Signature Data Did Not Match Expected Result"));
        harness.poll();
        harness.simulator.enqueueFault(Fault.error(401, "Signature Data Did Not Match Expected Result"));
        harness.poll();

        HttpResponse<String> blind = get("/observe/health/ready");
        assertThat(blind.statusCode()).isEqualTo(503);
        assertThat(blind.body()).contains("tc-job-monitor").contains("DOWN").contains("2 polls in a row failed");
        assertThat(get("/observe/health/live").statusCode()).as("blind is not dead: liveness stays up (README)").isEqualTo(200);

        harness.poll();

        assertThat(get("/observe/health/ready").statusCode()).isEqualTo(200);
        String metrics = get("/observe/metrics").body();
        assertThat(value(metrics, "tc_monitor_polls_total", "monitor=\"default\",result=\"success\"")).isEqualTo(1.0);
        assertThat(value(metrics, "tc_monitor_watermark_lag_seconds", "monitor=\"default\"")).isBetween(0.0, 60.0);
    }

    /**
     * The metrics page is read by whoever reaches the port (a scraper, a dashboard): a chat
     * webhook's URL is its credential, and Camel labels its timing per endpoint with the URI.
     */
    @Test
    void noMetricNamesAnEndpointByItsUriSoAWebhooksSecretPathStaysOffThePage() throws Exception {
        WebhookReceiver webhook = monitors.closeFirst(WebhookReceiver.down().comeUp());
        start("sink.custom.uri", webhook.url("/services/T000/B000/MetricsPathSecret1") + "?httpMethod=POST");
        long failure = harness.simulator.addFailed(1, Instant.now().minusSeconds(60), "a\n");

        harness.poll();

        assertThat(webhook.received()).singleElement().satisfies(request -> assertThat(request.body()).contains("\"id\":" + failure));
        String metrics = get("/observe/metrics").body();
        assertThat(value(metrics, "tc_monitor_alerts_delivered_total", "monitor=\"default\",sink=\"custom\"")).isEqualTo(1.0);
        assertThat(metrics).doesNotContain("MetricsPathSecret1").doesNotContain("/services/");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The value of one Prometheus sample. A series that is not in the scrape fails the test: it is
     * not 0, and an operator's alert on it would see no data.
     */
    private static double value(String metrics, String name, String labels) {
        Matcher sample = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels) + "[^}]*\\} (\\S+)$").matcher(metrics);
        if (!sample.find()) {
            throw new AssertionError("no sample " + name + "{" + labels + "} in the scrape, whose tc_monitor series are:\n"
                    + metrics.lines().filter(line -> line.startsWith("tc_monitor")).collect(Collectors.joining("\n")));
        }
        return Double.parseDouble(sample.group(1));
    }

}

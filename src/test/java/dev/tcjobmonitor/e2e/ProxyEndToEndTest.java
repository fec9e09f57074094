package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcjobmonitor.monitor.JobMonitor;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.simulator.RecordedRequest;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import dev.tcjobmonitor.support.ForwardProxy;
import dev.tcjobmonitor.support.FreePorts;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ThreatConnect behind an enterprise's forward proxy (a real one on a loopback port,
 * {@link ForwardProxy}), with every kind of request the monitor makes: the pages (camel-http), the
 * job names and the {@code --check} probe. ThreatConnect's host name here, threatconnect.test, is
 * one only the proxy resolves: a request that reaches the simulator went through the proxy.
 * ThreatConnect speaks HTTPS with a certificate of a test CA for that name, so the proxy sees a
 * CONNECT and then only a TLS tunnel.
 */
class ProxyEndToEndTest {

    private static final String TC_HOST = "threatconnect.test";
    private static final String PROXY_USER = "proxy-user";
    private static final String PROXY_PASSWORD = "Proxy-Pa55word-P1";

    @TempDir
    static Path keys;
    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    /** Issued by the test CA for threatconnect.test only. */
    private static SSLContext tcNameTls;
    private static ServerCertificate ca;
    private ThreatConnectSimulator https;
    private String baseUrl;

    /** keytool takes seconds: the CA and ThreatConnect's key are made once. */
    @BeforeAll
    static void makeKeys() throws Exception {
        ca = ServerCertificate.create(keys, "trust-pw");
        tcNameTls = ca.issue("tc-name", "CN=" + TC_HOST, "SAN=dns:" + TC_HOST);
    }

    @BeforeEach
    void startThreatConnect() {
        https = monitors.closeLast(ThreatConnectSimulator.startHttps(tcNameTls)
                .withHmacUser(MonitorHarness.ACCESS_ID, MonitorHarness.SECRET_KEY));
        https.addFailed(42, Instant.now().minusSeconds(30), "behind a proxy\n");
        https.addJob(42, "Feed import", null);
        baseUrl = "https://" + TC_HOST + ":" + https.port() + "/api";
    }

    private ForwardProxy proxy(ForwardProxy proxy) {
        return monitors.closeLast(proxy).resolving(TC_HOST, InetAddress.getLoopbackAddress());
    }

    /** A monitor of ThreatConnect at threatconnect.test, trusting the test CA, through the proxy on {@code proxyPort}. */
    private MonitorHarness behind(int proxyPort) {
        return monitors.harness().set("tc.base-url", baseUrl)
                .set("tc.tls.truststore", ca.truststore.toString()).set("tc.tls.truststore-password", ca.truststorePassword)
                .set("tc.proxy.host", "127.0.0.1").set("tc.proxy.port", String.valueOf(proxyPort));
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void pagesJobNamesAndTheCheckAllTunnelThroughTheProxy() throws Exception {
        ForwardProxy proxy = proxy(ForwardProxy.open());
        MonitorHarness harness = behind(proxy.port()).start();
        JobMonitor monitor = harness.monitor("default");

        assertThat(harness.poll().failure()).isEmpty();
        assertThat(monitor.probe()).contains("answered HTTP 200");
        assertThat(monitor.jobDirectory().nameOf(42)).isEqualTo("Feed import");

        assertThat(harness.alerts()).singleElement().satisfies(alert -> assertThat(alert.get("jobId").asLong()).isEqualTo(42));
        assertThat(https.requests()).extracting(RecordedRequest::target)
                .anySatisfy(target -> assertThat(target).startsWith("/api/v3/job/executions?"))
                .contains("/api/v3/jobs/42").hasSize(3);
        // each of the three clients opened one connection to the proxy and asked it for a tunnel;
        // what went through the tunnel, the signed requests included, the proxy never read
        assertThat(proxy.connections()).isEqualTo(3);
        assertThat(proxy.requests()).hasSize(3).allSatisfy(request -> {
            assertThat(request.method()).isEqualTo("CONNECT");
            assertThat(request.target()).isEqualTo(TC_HOST + ":" + https.port());
            assertThat(request.headers()).doesNotContainKeys("authorization", "timestamp");
        });
    }

    /**
     * A backfill of several pages: the next page, asked for while a page is delivered (read-ahead),
     * goes through the same proxy, in a tunnel of its own, as the poll's own requests; ThreatConnect
     * is known by its name only to the proxy, so a request that went around it would fail.
     */
    @Test
    void thePagesReadAheadTunnelThroughTheProxyToo() throws Exception {
        https.addFailed(43, Instant.now().minusSeconds(20), "behind a proxy, page 2\n");
        https.addFailed(44, Instant.now().minusSeconds(10), "behind a proxy, page 3\n");
        ForwardProxy proxy = proxy(ForwardProxy.open());
        MonitorHarness harness = behind(proxy.port()).set("monitor.page-size", "1").start();

        Poll[] poll = new Poll[1];
        String log = StandardOutput.of(() -> poll[0] = harness.poll());
        assertThat(poll[0].failure()).as(log).isEmpty();

        assertThat(harness.alerts()).extracting(alert -> alert.get("jobId").asLong()).containsExactlyInAnyOrder(42L, 43L, 44L);
        assertThat(log).as("no page failed on the way").doesNotContain("failed (attempt");
        assertThat(https.requests()).extracting(RecordedRequest::target)
                .filteredOn(target -> target.startsWith("/api/v3/job/executions?tql=status"))
                .as("each page asked for once").hasSize(3).doesNotHaveDuplicates();
        assertThat(proxy.requests()).as("the poll's tunnel and the read-ahead's").hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(request -> {
                    assertThat(request.method()).isEqualTo("CONNECT");
                    assertThat(request.target()).isEqualTo(TC_HOST + ":" + https.port());
                });
    }

    /**
     * A host whose other routes go through another proxy, set on Camel's http component: the
     * requests to ThreatConnect still take tc.proxy.*, the same path as the job names and the check.
     */
    @Test
    void aProxySetOnCamelsHttpComponentDoesNotTakeThePages() throws Exception {
        ForwardProxy proxy = proxy(ForwardProxy.open());
        // nothing listens there
        String elsewhere = String.valueOf(FreePorts.freePort());
        // https:// endpoints are camel-http's "https" component
        MonitorHarness harness = behind(proxy.port())
                .set("camel.component.https.proxyHost", "127.0.0.1").set("camel.component.https.proxyPort", elsewhere)
                .set("camel.component.http.proxyHost", "127.0.0.1").set("camel.component.http.proxyPort", elsewhere)
                .start();

        assertThat(harness.poll().failure()).isEmpty();
        assertThat(proxy.requests()).singleElement().satisfies(request -> assertThat(request.method()).isEqualTo("CONNECT"));
    }

    @Test
    void aProxyDemandingCredentialsGetsThemOnTheConnectAndThreatConnectNeverSeesThem() throws Exception {
        ForwardProxy proxy = proxy(ForwardProxy.demanding(PROXY_USER, PROXY_PASSWORD));
        MonitorHarness harness = behind(proxy.port()).set("tc.proxy.user", PROXY_USER).set("tc.proxy.password", PROXY_PASSWORD);

        String log = StandardOutput.of(() -> {
            harness.start();
            assertThat(harness.poll().failure()).isEmpty();
            JobMonitor monitor = harness.monitor("default");
            assertThat(monitor.probe()).contains("answered HTTP 200");
            assertThat(monitor.jobDirectory().nameOf(42)).isEqualTo("Feed import");
        });

        // the proxy challenged, and each tunnel was opened with the proxy's credentials
        assertThat(proxy.requests()).allSatisfy(request -> assertThat(request.method()).isEqualTo("CONNECT"))
                .anySatisfy(request -> assertThat(request.header("Proxy-Authorization")).isEmpty())
                .filteredOn(request -> request.header("Proxy-Authorization").isPresent()).hasSize(3)
                .allSatisfy(request -> {
                    assertThat(request.header("Proxy-Authorization")).contains(basic(PROXY_USER, PROXY_PASSWORD));
                    assertThat(request.headers()).doesNotContainKeys("authorization", "timestamp");
                });
        // ThreatConnect got its own signed requests, and nothing of the proxy's
        assertThat(https.requests()).hasSize(3).allSatisfy(request -> {
            assertThat(request.header("Authorization")).isPresent();
            assertThat(request.headers()).doesNotContainKeys("proxy-authorization");
        });
        assertThat(log).doesNotContain(PROXY_PASSWORD).doesNotContain(basic(PROXY_USER, PROXY_PASSWORD).substring(6));
        assertThat(harness.alerts()).hasSize(1);
    }

    @Test
    void wrongProxyCredentialsFailThePollAtOnceWithOneLineNamingTheProxy() throws Exception {
        ForwardProxy proxy = proxy(ForwardProxy.demanding(PROXY_USER, PROXY_PASSWORD));
        MonitorHarness harness = behind(proxy.port()).set("tc.proxy.user", PROXY_USER).set("tc.proxy.password", "Wrong-Pa55word-P2")
                .start();
        JobMonitor monitor = harness.monitor("default");

        assertThat(harness.poll().failure()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("the proxy 127.0.0.1:" + proxy.port() + " (tc.proxy.host)")
                .contains("407").contains("check tc.proxy.user and tc.proxy.password")
                .doesNotContain("Wrong-Pa55word-P2").doesNotContain("\n"));
        // a refusal is not retried: one attempt, the challenge and the refused credentials
        assertThat(proxy.requests()).hasSize(2);
        assertThatThrownBy(monitor::probe).hasMessageStartingWith("the proxy 127.0.0.1:" + proxy.port())
                .hasMessageContaining("407").hasMessageNotContaining("Wrong-Pa55word-P2");
        assertThat(monitor.jobDirectory().nameOf(42)).isEqualTo("Job 42");
        assertThat(https.requests()).isEmpty();
        assertThat(harness.alerts()).isEmpty();
    }

    @Test
    void aProxyThatIsDownFailsThePollWithOneLineNamingTheProxyNotThreatConnect() throws Exception {
        // nothing listens there
        int down = FreePorts.freePort();
        MonitorHarness harness = behind(down).start();
        JobMonitor monitor = harness.monitor("default");

        assertThat(harness.poll().failure()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("cannot connect to the proxy 127.0.0.1:" + down + " (tc.proxy.host)")
                .contains("ThreatConnect was not reached")
                .doesNotContain(TC_HOST).doesNotContain("\n"));
        assertThatThrownBy(monitor::probe).hasMessageStartingWith("cannot connect to the proxy 127.0.0.1:" + down)
                .hasMessageNotContaining(TC_HOST);
        assertThat(monitor.jobDirectory().nameOf(42)).isEqualTo("Job 42");
        assertThat(https.requests()).isEmpty();
    }

    /**
     * The proxy's loopback is not this host's: a base URL on loopback (the simulator, a local
     * tunnel) can only mean this host, and is never sent through a proxy. So the plain-http
     * requests loopback allows never carry ThreatConnect's credentials to the proxy either.
     */
    @Test
    void aBaseUrlOnLoopbackIsReachedDirectlyWithAProxySet() throws Exception {
        ForwardProxy proxy = proxy(ForwardProxy.open());
        MonitorHarness harness = monitors.harness().set("tc.proxy.host", "127.0.0.1").set("tc.proxy.port", String.valueOf(proxy.port()));
        harness.simulator.addFailed(42, Instant.now().minusSeconds(30), "on loopback\n");
        harness.simulator.addJob(42, "Feed import", null);
        harness.start();
        JobMonitor monitor = harness.monitor("default");

        assertThat(harness.poll().failure()).isEmpty();
        assertThat(monitor.probe()).contains("answered HTTP 200");
        assertThat(monitor.jobDirectory().nameOf(42)).isEqualTo("Feed import");
        assertThat(harness.simulator.requests()).hasSize(3);
        assertThat(proxy.connections()).isZero();
    }

    /**
     * Plain http beyond loopback is the operator's explicit choice (tc.allow-insecure-http=true),
     * and through a forward proxy the proxy reads it all: the start warning says so.
     */
    @Test
    void plainHttpBeyondLoopbackIsForwardedByTheProxyAndTheWarningSaysTheProxyReadsIt() throws Exception {
        ForwardProxy proxy = proxy(ForwardProxy.open());
        MonitorHarness harness = monitors.harness().set("tc.allow-insecure-http", "true")
                .set("tc.proxy.host", "127.0.0.1").set("tc.proxy.port", String.valueOf(proxy.port()));
        String plainBase = "http://" + TC_HOST + ":" + harness.simulator.port() + "/api";
        harness.set("tc.base-url", plainBase);
        harness.simulator.addFailed(42, Instant.now().minusSeconds(30), "in clear\n");

        String log = StandardOutput.of(harness::start);

        assertThat(log).contains("over plain http").contains("through the proxy 127.0.0.1:" + proxy.port());
        assertThat(harness.poll().failure()).isEmpty();
        assertThat(harness.alerts()).hasSize(1);
        assertThat(proxy.requests()).singleElement().satisfies(request -> {
            assertThat(request.method()).isEqualTo("GET");
            assertThat(request.target()).startsWith(plainBase + "/v3/job/executions?");
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a host without a port|tc.proxy.host=proxy.example.org|tc.proxy.port",
            "a port without a host|tc.proxy.port=3128|tc.proxy.host",
            "a user without a password|tc.proxy.host=proxy.example.org,tc.proxy.port=3128,tc.proxy.user=tc-monitor|tc.proxy.password",
            "a password without a user|tc.proxy.host=proxy.example.org,tc.proxy.port=3128,tc.proxy.password=Half-Set-P3|tc.proxy.user",
            "a port that is not a port|tc.proxy.host=proxy.example.org,tc.proxy.port=312800|tc.proxy.port",
            "a URL as the host|tc.proxy.host=http://proxy.example.org:3128,tc.proxy.port=3128|tc.proxy.host"})
    void halfSetOrBadProxySettingsStopTheStartNamingTheSetting(String what, String settings, String named) {
        MonitorHarness harness = monitors.harness().set("tc.base-url", "https://tc.example.invalid/api");
        for (String setting : settings.split(",")) {
            harness.set(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
        }

        assertThatThrownBy(harness::start).rootCause().hasMessageStartingWith("invalid setting ")
                .hasMessageContaining(named).hasMessageNotContaining("Half-Set-P3");
    }
}

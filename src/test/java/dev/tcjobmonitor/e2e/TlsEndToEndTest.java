package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcjobmonitor.monitor.JobMonitor;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * ThreatConnect over HTTPS with certificates of a private CA (made here with the JDK's keytool):
 * one issued for the address the monitor dials (127.0.0.1), one issued by the same CA for another
 * name only. The CA is trusted through tc.tls.truststore, so the second certificate differs from
 * the first in its name alone: what refuses it is the hostname check, for the polls, the --check
 * probe and the job-name lookups alike.
 */
class TlsEndToEndTest {

    private static final String WARNING = "TLS certificate verification towards ThreatConnect is OFF (tc.tls.verify=false)";

    @TempDir
    static Path keys;
    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    /** Issued by the test CA for 127.0.0.1 and localhost. */
    private static SSLContext rightNameTls;
    /** Issued by the same CA for other.example.org only. */
    private static SSLContext otherNameTls;
    /** Holds the test CA only. */
    private static Path truststore;
    private ThreatConnectSimulator https;
    private ThreatConnectSimulator otherName;
    private final List<MonitorHarness> harnesses = new ArrayList<>();

    /** A CA, two server keys it certified, and a truststore with the CA, made once: keytool takes seconds. */
    @BeforeAll
    static void makeKeys() throws Exception {
        ServerCertificate ca = ServerCertificate.create(keys, "trust-pw");
        truststore = ca.truststore;
        rightNameTls = ca.serverTls;
        otherNameTls = ca.issue("other-name", "CN=other.example.org", "SAN=dns:other.example.org");
    }

    @BeforeEach
    void startHttpsSimulators() {
        https = monitors.closeLast(ThreatConnectSimulator.startHttps(rightNameTls).withHmacUser(MonitorHarness.ACCESS_ID, MonitorHarness.SECRET_KEY));
        otherName = monitors.closeLast(ThreatConnectSimulator.startHttps(otherNameTls).withHmacUser(MonitorHarness.ACCESS_ID, MonitorHarness.SECRET_KEY));
        for (ThreatConnectSimulator simulator : List.of(https, otherName)) {
            simulator.addFailed(42, Instant.now().minusSeconds(30), "over TLS\n");
            simulator.addJob(42, "Feed import", null);
        }
    }

    private MonitorHarness harness(ThreatConnectSimulator instance) {
        MonitorHarness harness = monitors.harness("monitor-" + harnesses.size())
                .set("tc.base-url", instance.baseUrl());
        harnesses.add(harness);
        return harness;
    }

    private MonitorHarness trustingTheCa(ThreatConnectSimulator instance) {
        return harness(instance).set("tc.tls.truststore", truststore.toString()).set("tc.tls.truststore-password", "trust-pw");
    }

    @Test
    void anUntrustedCertificateFailsThePollAtOnceSayingWhatToCheck() throws Exception {
        MonitorHarness harness = harness(https).start();

        assertThat(harness.poll().failure()).hasValueSatisfying(reason ->
                assertThat(reason).contains("the TLS handshake with ")
                        .contains("check tc.tls.truststore for a private CA; tc.base-url's host must match the certificate"));
        assertThat(https.requests()).isEmpty();
        assertThat(harness.alerts()).isEmpty();
    }

    @Test
    void aTruststoreWithThePrivateCaLetsThePollThrough() throws Exception {
        MonitorHarness harness = trustingTheCa(https).start();

        assertThat(harness.poll().failure()).isEmpty();
        assertThat(harness.alerts()).singleElement().satisfies(alert -> assertThat(alert.get("jobId").asLong()).isEqualTo(42));
    }

    /**
     * The next page is asked for early (read-ahead) by a client of its own: it trusts the
     * truststore, and with verification off accepts what the route accepts, so each page goes out
     * once and the poll reads them all.
     */
    @Test
    void aPageReadAheadGoesOutOverTheSameTlsAsThePollsOwnRequests() throws Exception {
        for (ThreatConnectSimulator simulator : List.of(https, otherName)) {
            simulator.addFailed(43, Instant.now().minusSeconds(20), "over TLS, page 2\n");
            simulator.addFailed(44, Instant.now().minusSeconds(10), "over TLS, page 3\n");
        }
        MonitorHarness trusting = trustingTheCa(https).set("monitor.page-size", "1").start();
        MonitorHarness unverified = harness(otherName).set("tc.tls.verify", "false").set("monitor.page-size", "1").start();

        for (MonitorHarness harness : List.of(trusting, unverified)) {
            assertThat(harness.poll().failure()).isEmpty();
            assertThat(harness.alerts()).extracting(alert -> alert.get("jobId").asLong()).containsExactlyInAnyOrder(42L, 43L, 44L);
        }
        for (ThreatConnectSimulator simulator : List.of(https, otherName)) {
            assertThat(simulator.requests().stream().filter(request -> request.target().startsWith("/api/v3/job/executions?tql=status")))
                    .as("each of the three pages asked for once: the pages read ahead were taken").hasSize(3);
        }
    }

    @Test
    void aCertificateForAnotherNameFailsThePollThoughItsAuthorityIsTrusted() throws Exception {
        MonitorHarness harness = trustingTheCa(otherName).start();

        assertThat(harness.poll().failure()).hasValueSatisfying(reason -> assertThat(reason)
                .startsWith("the TLS handshake with " + otherName.baseUrl() + " failed")
                .contains("other.example.org")
                .contains("tc.base-url's host must match the certificate")
                .doesNotContain("\n"));
        // the request, and its credentials, never left the client
        assertThat(otherName.requests()).isEmpty();
        assertThat(harness.alerts()).isEmpty();
        assertThat(harness.watermark()).isEmpty();
    }

    @Test
    void theCheckAndJobNameLookupsTrustTheTruststoreToo() throws Exception {
        JobMonitor monitor = trustingTheCa(https).start().monitor("default");

        assertThat(monitor.probe()).contains("answered HTTP 200");
        assertThat(monitor.jobDirectory().nameOf(42)).isEqualTo("Feed import");
        assertThat(https.requests()).hasSize(2);
    }

    @Test
    void theCheckRefusesACertificateForAnotherName() throws Exception {
        JobMonitor monitor = trustingTheCa(otherName).start().monitor("default");

        assertThatThrownBy(monitor::probe).hasMessageContaining("cannot reach " + otherName.baseUrl())
                .hasMessageContaining("subject alternative names").hasMessageContaining("127.0.0.1");
        assertThat(otherName.requests()).isEmpty();
    }

    @Test
    void jobNameLookupsRefuseACertificateForAnotherName() throws Exception {
        JobMonitor monitor = trustingTheCa(otherName).start().monitor("default");

        assertThat(monitor.jobDirectory().nameOf(42)).isEqualTo("Job 42");
        assertThat(otherName.requests()).isEmpty();
    }

    @Test
    void turningVerificationOffTakesAnExplicitSettingAndWarnsAtEveryStart() throws Exception {
        for (int start = 1; start <= 2; start++) {
            // an untrusted certificate for another name: only turning every check off lets it through
            MonitorHarness harness = harness(otherName).set("tc.tls.verify", "false");

            String log = StandardOutput.of(harness::start);

            assertThat(log).as("the log of start %d", start).contains(WARNING);
            assertThat(harness.poll().failure()).isEmpty();
            assertThat(harness.alerts()).hasSize(1);
            JobMonitor monitor = harness.monitor("default");
            assertThat(monitor.probe()).contains("answered HTTP 200");
            assertThat(monitor.jobDirectory().nameOf(42)).isEqualTo("Feed import");
            harnesses.remove(harness);
            harness.close();
        }
    }
}

package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.nio.file.Path;
import java.time.Instant;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ThreatConnect over HTTPS with a certificate of a private CA (made here with the JDK's keytool). */
class TlsEndToEndTest {

    @TempDir
    static Path keys;
    @TempDir
    Path tempDir;
    private static SSLContext serverTls;
    private static Path truststore;
    private ThreatConnectSimulator https;
    private MonitorHarness harness;

    /** A server key and a truststore holding its certificate, made once: keytool takes seconds. */
    @BeforeAll
    static void makeKeys() throws Exception {
        ServerCertificate certificate = ServerCertificate.create(keys, "trust-pw");
        serverTls = certificate.serverTls;
        truststore = certificate.truststore;
    }

    @BeforeEach
    void startHttpsSimulator() {
        https = ThreatConnectSimulator.startHttps(serverTls).withHmacUser(MonitorHarness.ACCESS_ID, MonitorHarness.SECRET_KEY);
        https.addFailed(42, Instant.now().minusSeconds(30), "over TLS\n");
    }

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
        https.close();
    }

    private MonitorHarness harness() {
        harness = new MonitorHarness(tempDir.resolve("monitor")).set("tc.base-url", https.baseUrl());
        return harness;
    }

    @Test
    void anUntrustedCertificateFailsThePollAtOnceSayingWhatToCheck() throws Exception {
        harness().start();

        assertThat(harness.poll().failure()).hasValueSatisfying(reason ->
                assertThat(reason).contains("TLS handshake").contains("tc.tls.truststore"));
        assertThat(https.requests()).isEmpty();
        assertThat(harness.alerts()).isEmpty();
    }

    @Test
    void aTruststoreWithThePrivateCaLetsThePollThrough() throws Exception {
        harness().set("tc.tls.truststore", truststore.toString()).set("tc.tls.truststore-password", "trust-pw").start();

        assertThat(harness.poll().failure()).isEmpty();
        assertThat(harness.alerts()).singleElement().satisfies(alert -> assertThat(alert.get("jobId").asLong()).isEqualTo(42));
    }

    @Test
    void turningVerificationOffTakesAnExplicitSetting() throws Exception {
        harness().set("tc.tls.verify", "false").start();

        assertThat(harness.poll().failure()).isEmpty();
        assertThat(harness.alerts()).hasSize(1);
    }
}

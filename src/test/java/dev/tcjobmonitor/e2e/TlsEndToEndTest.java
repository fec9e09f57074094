package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
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
        Path keystore = keys.resolve("server.p12");
        Path certificate = keys.resolve("server.cer");
        truststore = keys.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "tc", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "server-pw", "-keypass", "server-pw");
        keytool("-exportcert", "-alias", "tc", "-keystore", keystore.toString(), "-storepass", "server-pw",
                "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "tc", "-file", certificate.toString(), "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", "trust-pw");
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "server-pw".toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(store, "server-pw".toCharArray());
        serverTls = SSLContext.getInstance("TLS");
        serverTls.init(keyManagers.getKeyManagers(), null, null);
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

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }
}

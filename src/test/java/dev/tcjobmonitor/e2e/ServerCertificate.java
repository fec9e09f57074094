package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * ThreatConnect behind a private CA: a test CA made with the JDK's keytool, a PKCS12 truststore
 * holding only that CA (what tc.tls.truststore names), and server keys the CA certified, as SSL
 * contexts to serve with. keytool takes seconds: make it once per class.
 */
final class ServerCertificate {

    private static final String CA_PASSWORD = "ca-password";
    private static final String SERVER_PASSWORD = "server-pw";

    /** Certified by the CA for 127.0.0.1 and localhost: the address the monitor dials. */
    final SSLContext serverTls;
    final Path truststore;
    final String truststorePassword;
    private final Path dir;
    private final Path ca;
    private final Path caCertificate;

    private ServerCertificate(Path dir, String truststorePassword) throws Exception {
        this.dir = dir;
        this.ca = dir.resolve("ca.p12");
        this.caCertificate = dir.resolve("ca.pem");
        this.truststore = dir.resolve("trust.p12");
        this.truststorePassword = truststorePassword;
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=tc-job-monitor test CA",
                "-ext", "bc:c", "-validity", "2", "-storetype", "PKCS12", "-keystore", ca.toString(), "-storepass", CA_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", CA_PASSWORD,
                "-file", caCertificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate.toString(), "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", truststorePassword);
        this.serverTls = issue("loopback", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost");
    }

    static ServerCertificate create(Path dir, String truststorePassword) throws Exception {
        return new ServerCertificate(dir, truststorePassword);
    }

    /**
     * A server key whose certificate this CA issued with {@code dname} and the subject alternative
     * names {@code san} (keytool's form, e.g. {@code SAN=dns:other.example.org}).
     */
    SSLContext issue(String name, String dname, String san) throws Exception {
        Path keystore = dir.resolve(name + ".p12");
        Path request = dir.resolve(name + ".csr");
        Path certificate = dir.resolve(name + ".pem");
        String store = keystore.toString();
        keytool("-genkeypair", "-alias", "tc", "-keyalg", "RSA", "-keysize", "2048", "-dname", dname, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store, "-storepass", SERVER_PASSWORD);
        keytool("-certreq", "-alias", "tc", "-keystore", store, "-storepass", SERVER_PASSWORD, "-file", request.toString());
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", CA_PASSWORD,
                "-infile", request.toString(), "-outfile", certificate.toString(), "-ext", san, "-validity", "2");
        // the CA first, so that the issued certificate can be installed with its chain
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate.toString(), "-keystore", store,
                "-storepass", SERVER_PASSWORD);
        keytool("-importcert", "-alias", "tc", "-file", certificate.toString(), "-keystore", store, "-storepass", SERVER_PASSWORD);
        KeyStore loaded = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            loaded.load(in, SERVER_PASSWORD.toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(loaded, SERVER_PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keyManagers.getKeyManagers(), null, null);
        return tls;
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

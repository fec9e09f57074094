package dev.tcjobmonitor.threatconnect;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.camel.CamelContext;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.hc.client5.http.ssl.DefaultHostnameVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How requests to ThreatConnect trust its certificate (one per monitor, a bean local to the Kamelet
 * {@code tc-job-failures-source}): the JVM's trusted authorities by default, a custom truststore
 * ({@code tc.tls.truststore}) for a private CA, or, only when {@code tc.tls.verify=false} is set on
 * purpose, nothing at all, with a warning at every start.
 * It is both the SSL context of the page requests and their hostname verifier.
 */
public class ThreatConnectTls extends SSLContextParameters implements HostnameVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(ThreatConnectTls.class);

    private final HostnameVerifier hostnames = new DefaultHostnameVerifier();
    private boolean verify = true;
    private String truststore = "";
    private String truststorePassword = "";
    private SSLContext context;
    /** Set by the monitor from its settings (JobMonitor.init), before any request is made. */
    private volatile boolean configured;

    public void setVerify(boolean verify) {
        this.verify = verify;
        configured = true;
    }

    public void setTruststore(String truststore) {
        this.truststore = truststore == null ? "" : truststore.strip();
        configured = true;
    }

    public void setTruststorePassword(String truststorePassword) {
        this.truststorePassword = truststorePassword == null ? "" : truststorePassword;
        configured = true;
    }

    @Override
    public SSLContext createSSLContext(CamelContext camelContext) throws GeneralSecurityException, IOException {
        return sslContext();
    }

    /** The SSL context for every request to ThreatConnect, built once. */
    public synchronized SSLContext sslContext() throws GeneralSecurityException, IOException {
        if (!configured) {
            // never the JVM's defaults in place of a truststore the monitor has not set yet
            throw new IllegalStateException("ThreatConnect's TLS was asked for before its monitor read its settings");
        }
        if (context == null) {
            if (!verify) {
                LOG.warn("TLS certificate verification towards ThreatConnect is OFF (tc.tls.verify=false): anyone on the"
                        + " network path can impersonate ThreatConnect and read the credentials; use tc.tls.truststore instead");
                context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] {new TrustEverything()}, null);
            } else if (!truststore.isEmpty()) {
                context = SSLContext.getInstance("TLS");
                context.init(null, trustManagers(Path.of(truststore)), null);
            } else {
                context = SSLContext.getDefault();
            }
        }
        return context;
    }

    @Override
    public boolean verify(String host, SSLSession session) {
        return !verify || hostnames.verify(host, session);
    }

    private TrustManager[] trustManagers(Path file) throws GeneralSecurityException, IOException {
        if (!Files.isReadable(file)) {
            throw new IOException("cannot read " + file.toAbsolutePath());
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, truststorePassword.isEmpty() ? null : truststorePassword.toCharArray());
        } catch (IOException e) {
            throw new IOException("cannot load " + file.toAbsolutePath()
                    + " (wrong truststorePassword (tc.tls.truststore-password), or not a PKCS12/JKS file)");
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    /**
     * Only ever used when the operator turned verification off. Extended, so that the JDK's
     * HttpClient (--check, job names) does not wrap it with its own hostname check: off means off
     * for every request to ThreatConnect, as for the polls.
     */
    private static final class TrustEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    @Override
    public String toString() {
        return "ThreatConnectTls[verify=" + verify + ", truststore=" + (truststore.isEmpty() ? "JVM default" : truststore) + "]";
    }
}

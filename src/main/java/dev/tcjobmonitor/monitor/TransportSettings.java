package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.threatconnect.ThreatConnectClient;
import dev.tcjobmonitor.threatconnect.ThreatConnectTls;

/**
 * The Kamelet's TLS and HTTP client beans ({@code tcTls}, {@code tcClient}) take their settings from
 * the monitor's parameters, read by name like the monitor's own: Camel makes the monitor before it
 * makes the endpoint that uses the two, and {@link ThreatConnectTls} refuses to work unconfigured.
 */
final class TransportSettings {

    private TransportSettings() {
    }

    /** Configures the monitor {@code name}'s beans (either may be absent) from its settings. */
    static void apply(String name, MonitorParameters raw, ThreatConnectTls tls, ThreatConnectClient client) {
        if (tls != null) {
            String verify = raw.parameter("tlsVerify").strip();
            // empty is the safe default, verification on
            tls.setVerify(verify.isEmpty() || MonitorSettings.flag(name, "tlsVerify (tc.tls.verify)", verify));
            tls.setTruststore(raw.parameter("truststore"));
            tls.setTruststorePassword(raw.parameter("truststorePassword"));
        }
        if (client != null) {
            client.setMaxPageBytes(raw.host("tc.max-page-bytes", "67108864"));
            client.setPageDeadline(raw.host("tc.page-deadline", "PT5M"));
            client.setConnectTimeout(raw.parameter("connectTimeout"));
            client.setResponseTimeout(raw.parameter("responseTimeout"));
            client.setProxyHost(raw.parameter("proxyHost"));
            client.setProxyPort(raw.parameter("proxyPort"));
            client.setProxyUser(raw.parameter("proxyUser"));
            client.setProxyPassword(raw.parameter("proxyPassword"));
            client.setNonProxyHosts(raw.parameter("nonProxyHosts"));
        }
    }
}

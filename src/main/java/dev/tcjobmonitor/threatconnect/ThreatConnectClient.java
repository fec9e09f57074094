package dev.tcjobmonitor.threatconnect;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

/**
 * The HTTP client of the page requests, whatever the host's http component says: no retries of
 * its own (the monitor retries within its budget, and HttpClient's retry of a 429 can stall the
 * route, CAMEL-23345), no redirects (the signed Authorization must never follow one elsewhere)
 * and no cookies (every request is signed on its own).
 */
public class ThreatConnectClient implements HttpClientConfigurer {

    @Override
    public void configureHttpClient(HttpClientBuilder client) {
        client.disableAutomaticRetries().disableRedirectHandling().disableCookieManagement();
    }
}

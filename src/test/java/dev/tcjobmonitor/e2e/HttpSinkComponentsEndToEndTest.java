package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.camel.component.http.HttpComponent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A custom sink or a webhook of one's own is most often https: Camel's {@code https} component is
 * configured apart from {@code http}, so the shipped defaults set both alike. A sink's route
 * redelivers by its own settings, so HttpClient retries nothing below it; no redirect or cookie
 * can carry an alert to another place than the one configured.
 */
class HttpSinkComponentsEndToEndTest {

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();

    @Test
    void httpAndHttpsSinksNeitherRetryBelowTheRouteNorFollowRedirectsNorKeepCookies() throws Exception {
        MonitorHarness h = monitors.harness().start();

        for (String scheme : List.of("http", "https")) {
            HttpComponent component = h.context().getComponent(scheme, HttpComponent.class);
            assertThat(component.isAutomaticRetriesDisabled()).as("%s: automatic retries off", scheme).isTrue();
            assertThat(component.isRedirectHandlingDisabled()).as("%s: redirects not followed", scheme).isTrue();
            assertThat(component.isCookieManagementDisabled()).as("%s: no cookies kept", scheme).isTrue();
        }
    }
}

package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Credentials never travel in clear text unless the operator asks for it by name: plain http to
 * ThreatConnect only on loopback, an SMTP login only over smtps or STARTTLS. Asked for, it works,
 * and every start says so.
 */
class CleartextEndToEndTest {

    /** Never looked up: the monitor is only started, and refuses or warns before any request. */
    private static final String REMOTE_HTTP = "http://tc.example.invalid/api";
    private static final String SMTP_USER = "tc-monitor";
    private static final String SMTP_PASSWORD = "Smtp-Password-C1";

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();

    @Test
    void plainHttpBeyondLoopbackIsRefusedUnlessAllowedAndThenWarnedAboutAtEveryStart() throws Exception {
        MonitorHarness refused = monitors.harness("refused").set("tc.base-url", REMOTE_HTTP);

        assertThatThrownBy(refused::start).rootCause().hasMessageContaining("tc.base-url")
                .hasMessageContaining("in clear text to tc.example.invalid").hasMessageContaining("tc.allow-insecure-http=true");

        for (int start = 1; start <= 2; start++) {
            MonitorHarness allowed = monitors.harness("allowed-" + start).set("tc.base-url", REMOTE_HTTP)
                    .set("tc.allow-insecure-http", "true");

            String log = StandardOutput.of(allowed::start);

            assertThat(log).as("the log of start %d", start)
                    .contains("WARN").contains("reaches ThreatConnect at tc.example.invalid over plain http");
            allowed.close();
        }
    }

    @Test
    void theSimulatorOnLoopbackNeedsNoPermissionAndNoWarning() throws Exception {
        MonitorHarness harness = monitors.harness();
        harness.simulator.addFailed(12, Instant.now().minusSeconds(60), "boom\n");

        String log = StandardOutput.of(harness::start);

        assertThat(harness.simulator.baseUrl()).startsWith("http://127.0.0.1:");
        assertThat(log).doesNotContain("over plain http");
        assertThat(harness.poll().failure()).isEmpty();
        assertThat(harness.alertedIds()).hasSize(1);
    }

    @Test
    void anSmtpLoginWithoutStartTlsIsRefusedUnlessAllowedAndThenWarnedAboutAndSent() throws Exception {
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", "smtp").dynamicPort())
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("tc-monitor@localhost", SMTP_USER, SMTP_PASSWORD));
        monitors.closeLast(smtp::stop);
        smtp.start();
        MonitorHarness refused = emailMonitor("refused", smtp);

        assertThatThrownBy(refused::start).rootCause().hasMessageStartingWith("invalid setting sink.email.username:")
                .hasMessageContaining("sink.email.starttls=true").hasMessageNotContaining(SMTP_PASSWORD);

        MonitorHarness allowed = emailMonitor("allowed", smtp).set("sink.email.allow-insecure-auth", "true");
        allowed.simulator.addFailed(12, Instant.now().minusSeconds(60), "boom\n");

        String log = StandardOutput.of(allowed::start);

        assertThat(log).contains("WARN").contains("sink.email.allow-insecure-auth=true").doesNotContain(SMTP_PASSWORD);
        assertThat(allowed.poll().failure()).isEmpty();
        assertThat(smtp.getReceivedMessages()).hasSize(1);
    }

    private MonitorHarness emailMonitor(String folder, GreenMail smtp) {
        return monitors.harness(folder)
                .set("sinks", "email")
                .set("sink.email.host", "127.0.0.1")
                .set("sink.email.port", String.valueOf(smtp.getSmtp().getPort()))
                .set("sink.email.username", SMTP_USER)
                .set("sink.email.password", SMTP_PASSWORD)
                .set("sink.email.to", "soc@localhost")
                .set("sink.email.max-redeliveries", "0")
                .set("sink.email.timeout-ms", "5000");
    }
}

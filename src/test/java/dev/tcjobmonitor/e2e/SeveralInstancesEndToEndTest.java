package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tcjobmonitor.Application;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.camel.util.URISupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Operators add an instance with one templatedRoute, and the cron schedule drives the polls. */
class SeveralInstancesEndToEndTest {

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private MonitorHarness harness;
    private ThreatConnectSimulator second;

    @Test
    void aSecondTemplatedRouteMonitorsASecondInstanceWithItsOwnCredentialsStateAndSettings() throws Exception {
        second = monitors.closeLast(ThreatConnectSimulator.start().withHmacUser("eu-user", "eu-S3cr3t"));
        Path routes = monitors.tempDir().resolve("monitors.camel.yaml");
        Files.writeString(routes, """
                - templatedRoute:
                    routeTemplateRef: tc-job-monitor
                    routeId: tc-job-monitor-default
                    parameters:
                      - name: name
                        value: default
                - templatedRoute:
                    routeTemplateRef: tc-job-monitor
                    routeId: tc-job-monitor-eu
                    parameters:
                      - name: name
                        value: eu
                      - name: baseUrl
                        value: "{{tc-eu.base-url}}"
                      - name: accessId
                        value: "{{tc-eu.access-id}}"
                      - name: secretKey
                        value: "{{tc-eu.secret-key}}"
                      - name: pageSize
                        value: 1
                      - name: excludeJobIds
                        value: "3"
                """);
        harness = monitors.harness()
                .set("camel.main.routes-include-pattern", "classpath:tc-job-monitor/camel/*.camel.yaml,file:" + routes)
                .set("tc-eu.base-url", second.baseUrl())
                .set("tc-eu.access-id", "eu-user")
                .set("tc-eu.secret-key", "eu-S3cr3t")
                .start();
        Instant recent = Instant.now().minusSeconds(30);
        long home = harness.simulator.addFailed(1, recent, "home\n");
        long eu = second.addFailed(2, recent, "eu\n");
        long euLater = second.addFailed(2, recent.plusSeconds(1), "eu again\n");
        second.addFailed(3, recent, "excluded on eu\n");

        List<Poll> polls = Application.pollAllNow(harness.context());

        assertThat(polls).allSatisfy(poll -> assertThat(poll.failure()).isEmpty());
        assertThat(harness.alerts()).extracting(a -> a.get("monitor").get("instance").asText() + ":" + a.get("id").asLong())
                .containsExactlyInAnyOrder("default:" + home, "eu:" + eu, "eu:" + euLater);
        // pageSize and excludeJobIds are the Kamelet's parameters: the template passed them on
        assertThat(second.requests()).filteredOn(request -> request.target().contains("/v3/job/executions"))
                .hasSizeGreaterThanOrEqualTo(2).allSatisfy(request -> assertThat(request.target()).contains("resultLimit=1"));
        assertThat(harness.simulator.requests()).filteredOn(request -> request.target().contains("/v3/job/executions"))
                .allSatisfy(request -> assertThat(request.target()).contains("resultLimit=1000"));
        assertThat(harness.stateDir.resolve("default/watermark")).exists();
        assertThat(harness.stateDir.resolve("eu/watermark")).exists();
    }

    @Test
    void anInstanceCannotMoveItsStateOutOfTheHostsStateFolder() throws Exception {
        MonitorHarness refused = monitors.harness()
                .set("camel.main.routes-include-pattern", "classpath:tc-job-monitor/camel/*.camel.yaml,file:"
                        + defaultInstanceWith("stateDir", monitors.tempDir().resolve("elsewhere").toString()));

        assertThatThrownBy(refused::start).rootCause()
                .hasMessageContaining("stateDir (monitor.state-dir)").hasMessageContaining("leave stateDir out");
    }

    @Test
    void aParameterPassedOnToTheKameletArrivesAsWrittenWhateverItsBrackets() throws Exception {
        // Camel ends RAW(...) at the first ")&" and RAW{...} at the first "}&": this clause has a ')'
        // but no ")&", so it travels whole only in RAW(...)
        String clause = "jobName = \"R}&D (EU)\"";
        harness = monitors.harness()
                .set("camel.main.routes-include-pattern", "classpath:tc-job-monitor/camel/*.camel.yaml,file:"
                        + defaultInstanceWith("extraTql", clause))
                .start();

        assertThat(harness.monitor("default").settings().extraTql()).isEqualTo(clause);
    }

    @Test
    void aSecretPassedOnAsAPropertyReferenceArrivesWholeWhateverItsBrackets() throws Exception {
        // the documented way to give an instance a secret; the converter sees "{{...}}", Camel
        // puts the password into the Kamelet's URI. Cut at its ")&", it would not open the
        // truststore, and its tail would be a parameter name, unmasked, in every logged URI
        String password = "TrustPw)&Tail-Kx41";
        ServerCertificate certificate = ServerCertificate.create(Files.createDirectories(monitors.tempDir().resolve("keys")), password);
        harness = monitors.harness()
                .set("camel.main.routes-include-pattern", "classpath:tc-job-monitor/camel/*.camel.yaml,file:"
                        + defaultInstanceWith("truststore", certificate.truststore.toString(),
                                "truststorePassword", "{{soc.truststore-password}}"))
                .set("soc.truststore-password", password)
                .start();

        // started: the truststore opened with the whole password
        assertThat(harness.monitor("default").settings().name()).isEqualTo("default");
        assertThat(harness.context().getEndpoints()).extracting(endpoint -> URISupport.sanitizeUri(endpoint.getEndpointUri()))
                .as("the URIs as Camel logs them").isNotEmpty().allSatisfy(uri -> assertThat(uri).doesNotContain("Tail-Kx41"));
    }

    @Test
    void anInstancesWrongTruststorePasswordIsRefusedAtStartNamingTheParameterNotThePassword() throws Exception {
        ServerCertificate certificate = ServerCertificate.create(Files.createDirectories(monitors.tempDir().resolve("keys")),
                "Right-Trust-Pw1");
        MonitorHarness refused = monitors.harness()
                .set("camel.main.routes-include-pattern", "classpath:tc-job-monitor/camel/*.camel.yaml,file:"
                        + defaultInstanceWith("truststore", certificate.truststore.toString(),
                                "truststorePassword", "{{soc.truststore-password}}"))
                .set("soc.truststore-password", "Wrong-Trust-Pw2");

        assertThatThrownBy(refused::start).satisfies(failure -> assertThat(innermost(failure).getMessage())
                .startsWith("invalid setting truststore (tc.tls.truststore) of monitor 'default': cannot load ")
                .contains("wrong truststorePassword (tc.tls.truststore-password)").doesNotContain("Trust-Pw"));
    }

    @Test
    void aValueNoEndpointUriCanCarryIsRefusedAtStartNamingTheParameterNotTheValue() throws Exception {
        // ")&" and "}&" both: neither RAW form holds it, and a cut value would be a wrong setting
        // (or, for a secret, a wrong password with its tail in the URI's logged parameter names)
        String value = "jobName = \"A)&B}&C\"";
        MonitorHarness refused = monitors.harness()
                .set("camel.main.routes-include-pattern", "classpath:tc-job-monitor/camel/*.camel.yaml,file:"
                        + defaultInstanceWith("extraTql", value));

        assertThatThrownBy(refused::start).satisfies(failure -> assertThat(innermost(failure).getMessage())
                .contains("extraTql", "'default'", "\")&\"").doesNotContain(value));
    }

    @Test
    void aParameterTheKameletDoesNotHaveIsNamedInAWarningAtStart() throws Exception {
        // Camel takes any parameter name and ignores the ones a Kamelet does not declare: a
        // misspelt pageSize would leave the monitor on the default page size without a word
        MonitorHarness misspelt = monitors.harness()
                .set("camel.main.routes-include-pattern", "classpath:tc-job-monitor/camel/*.camel.yaml,file:"
                        + defaultInstanceWith("pagesize", "5"));

        String log = StandardOutput.of(misspelt::start);
        harness = misspelt;

        assertThat(log).containsOnlyOnce("Monitor 'default' was given [pagesize], which the Kamelet tc-job-failures-source"
                + " does not have (a misspelling?): ignored");
        assertThat(harness.monitor("default").settings().pageSize()).isEqualTo(1000);
    }

    private static Throwable innermost(Throwable failure) {
        return failure.getCause() == null ? failure : innermost(failure.getCause());
    }

    /** A routes file whose one instance, "default", sets these parameters: name, value, name, value... */
    private Path defaultInstanceWith(String... parametersAndValues) throws java.io.IOException {
        StringBuilder yaml = new StringBuilder("""
                - templatedRoute:
                    routeTemplateRef: tc-job-monitor
                    routeId: tc-job-monitor-default
                    parameters:
                      - name: name
                        value: default
                """);
        for (int i = 0; i < parametersAndValues.length; i += 2) {
            // a YAML single-quoted scalar: every character as written but the quote, doubled
            yaml.append("      - name: ").append(parametersAndValues[i]).append("\n        value: '")
                    .append(parametersAndValues[i + 1].replace("'", "''")).append("'\n");
        }
        Path routes = monitors.tempDir().resolve("monitors.camel.yaml");
        Files.writeString(routes, yaml);
        return routes;
    }

    @Test
    void theCronSchedulePollsByItself() throws Exception {
        harness = monitors.harness().set("monitor.cron", "0/1 * * * * ?").start();
        long failed = harness.simulator.addFailed(3, Instant.now().minusSeconds(30), "scheduled\n");

        await().atMost(Duration.ofSeconds(20)).until(() -> harness.alerts().stream()
                .map(JsonNode.class::cast).anyMatch(alert -> alert.get("id").asLong() == failed));
        long later = harness.simulator.addFailed(3, Instant.now(), "scheduled later\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> harness.alertedIds().contains(later));

        assertThat(harness.alertedIds()).containsExactly(failed, later);
    }
}

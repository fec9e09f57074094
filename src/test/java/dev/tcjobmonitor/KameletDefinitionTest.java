package dev.tcjobmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The Kamelet's definition is its documentation in catalogs and tools: every parameter is
 * described, secrets are marked as passwords, and its defaults are the module's shipped defaults
 * (application.properties), so the Kamelet and the standalone monitor behave alike.
 */
class KameletDefinitionTest {

    /**
     * Kamelet parameter -> the shipped property that is its default: a host that sets the property
     * sets it for every Kamelet route that leaves the parameter out, as for its own monitors.
     */
    private static final Map<String, String> HOST_DEFAULTED = Map.ofEntries(
            Map.entry("cron", "monitor.cron"), Map.entry("timeZone", "monitor.time-zone"),
            Map.entry("lookback", "monitor.lookback"), Map.entry("overlap", "monitor.overlap"),
            Map.entry("statuses", "monitor.statuses"), Map.entry("timeField", "monitor.time-field"),
            Map.entry("jobIds", "monitor.job-ids"), Map.entry("excludeJobIds", "monitor.exclude-job-ids"),
            Map.entry("extraTql", "monitor.extra-tql"), Map.entry("pageSize", "monitor.page-size"),
            Map.entry("maxPages", "monitor.max-pages"),
            Map.entry("deadLetterAfter", "monitor.dead-letter-after"), Map.entry("stateDir", "monitor.state-dir"),
            Map.entry("tlsVerify", "tc.tls.verify"), Map.entry("truststore", "tc.tls.truststore"),
            Map.entry("truststorePassword", "tc.tls.truststore-password"),
            Map.entry("connectTimeout", "tc.connect-timeout"), Map.entry("responseTimeout", "tc.response-timeout"),
            Map.entry("proxyHost", "tc.proxy.host"), Map.entry("proxyPort", "tc.proxy.port"),
            Map.entry("proxyUser", "tc.proxy.user"), Map.entry("proxyPassword", "tc.proxy.password"),
            Map.entry("nonProxyHosts", "tc.proxy.non-proxy-hosts"));
    /**
     * Kamelet parameter -> the shipped property whose value is its default. The credentials name one
     * API user of one instance: a Kamelet route passes its own, never the host's by default.
     */
    private static final Map<String, String> MIRRORED = Map.ofEntries(
            Map.entry("accessId", "tc.access-id"), Map.entry("secretKey", "tc.secret-key"),
            Map.entry("apiToken", "tc.api-token"));

    @Test
    void everyParameterIsDescribedAndSecretsAreMarkedAsPasswords() throws IOException {
        Map<String, Map<String, Object>> parameters = parameters();

        assertThat(parameters).allSatisfy((name, parameter) -> {
            assertThat(parameter).as(name).containsKeys("title", "description", "type");
        });
        assertThat(parameters).hasEntrySatisfying("secretKey", this::isPassword)
                .hasEntrySatisfying("apiToken", this::isPassword)
                .hasEntrySatisfying("truststorePassword", this::isPassword)
                .hasEntrySatisfying("proxyPassword", this::isPassword);
        assertThat(definition().get("required")).isEqualTo(List.of("name", "baseUrl"));
    }

    @Test
    void itsDefaultsAreTheShippedDefaults() throws IOException {
        Properties shipped = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/tc-job-monitor/application.properties")) {
            assertThat(in).as("the shipped application.properties").isNotNull();
            shipped.load(in);
        }
        Map<String, Map<String, Object>> parameters = parameters();

        MIRRORED.forEach((parameter, property) -> assertThat(String.valueOf(parameters.get(parameter).get("default")))
                .as(parameter + " mirrors " + property).isEqualTo(shipped.getProperty(property)));
        HOST_DEFAULTED.forEach((parameter, property) -> assertThat(String.valueOf(parameters.get(parameter).get("default")))
                .as(parameter + " defaults to the host's " + property)
                .isEqualTo("{{" + property + ":" + shipped.getProperty(property) + "}}"));
        // tuning the Kamelet reads from the host's properties, with the shipped value as fallback:
        // in its YAML, and where the monitor reads them by name
        List<String> fallbacks = placeholdersWithFallback();
        assertThat(fallbacks).isNotEmpty();
        for (String placeholder : fallbacks) {
            String key = placeholder.substring(0, placeholder.indexOf(':'));
            assertThat(placeholder.substring(key.length() + 1)).as(key).isEqualTo(shipped.getProperty(key));
        }
        Map<String, String> readByName = SettingsReadByName.hostProperties();
        assertThat(readByName).isNotEmpty();
        readByName.forEach((key, fallback) -> assertThat(fallback).as(key).isEqualTo(shipped.getProperty(key)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theRouteTemplatePassesTheKameletOnlyItsOwnParameters() throws IOException {
        // a Kamelet parameter the template does not declare takes the Kamelet's own default (the
        // host's setting): relaying a host setting to it again would be one more place per setting
        List<Object> routes;
        try (InputStream in = getClass().getResourceAsStream("/tc-job-monitor/camel/job-monitor.camel.yaml")) {
            routes = (List<Object>) new Load(LoadSettings.builder().build()).loadFromInputStream(in);
        }
        Map<String, Object> template = routes.stream().map(item -> (Map<String, Object>) item)
                .filter(item -> item.containsKey("routeTemplate"))
                .map(item -> (Map<String, Object>) item.get("routeTemplate")).findFirst().orElseThrow();
        List<String> declared = ((List<Map<String, Object>>) template.get("parameters")).stream()
                .map(parameter -> String.valueOf(parameter.get("name"))).toList();
        Map<String, Object> relayed = (Map<String, Object>) ((Map<String, Object>) template.get("from")).get("parameters");

        assertThat(relayed).allSatisfy((parameter, value) -> assertThat(String.valueOf(value)).as(parameter)
                .satisfiesAnyOf(text -> assertThat(text).doesNotContain("{{"),
                        // (a credential as given: RAW(...))
                        text -> assertThat(declared).contains(text.replaceAll("^(?:RAW\\()?\\{\\{(\\w+)}}\\)?$", "$1"))));
        assertThat(parameters()).as("the Kamelet parameters it passes").containsKeys(relayed.keySet().toArray(String[]::new));
    }

    /** The {@code key:fallback} of every {@code {{key:fallback}}} in the Kamelet. */
    private static List<String> placeholdersWithFallback() throws IOException {
        try (InputStream in = KameletDefinitionTest.class.getResourceAsStream("/kamelets/tc-job-failures-source.kamelet.yaml")) {
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return java.util.regex.Pattern.compile("\\{\\{([a-z][a-z0-9.-]*:[^}]*)}}").matcher(text).results()
                    .map(match -> match.group(1)).toList();
        }
    }

    private void isPassword(Map<String, Object> parameter) {
        assertThat(parameter).containsEntry("format", "password");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> parameters() throws IOException {
        return (Map<String, Map<String, Object>>) definition().get("properties");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> definition() throws IOException {
        try (InputStream in = KameletDefinitionTest.class.getResourceAsStream("/kamelets/tc-job-failures-source.kamelet.yaml")) {
            Map<String, Object> kamelet = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromInputStream(in);
            return (Map<String, Object>) ((Map<String, Object>) kamelet.get("spec")).get("definition");
        }
    }
}

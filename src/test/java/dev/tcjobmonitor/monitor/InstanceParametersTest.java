package dev.tcjobmonitor.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.util.StringHelper;
import org.apache.camel.util.URISupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What an instance of the route template tc-job-monitor passes on to its Kamelet. */
class InstanceParametersTest {

    private final InstanceParameters converter = new InstanceParameters();

    @BeforeEach
    void aHostWithAProxyPassword() {
        CamelContext context = new DefaultCamelContext();
        Properties properties = new Properties();
        properties.setProperty("eu.proxy-password", "pw)&rest");
        context.getPropertiesComponent().setInitialProperties(properties);
        converter.setCamelContext(context);
    }

    /** The template as job-monitor.camel.yaml declares it, in short: its own parameters and the Kamelet it starts from. */
    private static RouteTemplateDefinition template() {
        RouteTemplateDefinition template = new RouteTemplateDefinition();
        template.setId("tc-job-monitor");
        template.templateParameter("name");
        template.templateParameter("baseUrl", "{{tc.base-url}}");
        template.templateParameter("failuresTo", "direct:tc-sinks");
        template.from("kamelet:tc-job-failures-source/tc-job-monitor-{{name}}-poll?emit=pages&name={{name}}&baseUrl={{baseUrl}}");
        return template;
    }

    /** As Camel hands them to a converter: the instance's and the defaults, each under its camelCase and kebab-case names. */
    private static Map<String, Object> instance(Map<String, Object> given) {
        Map<String, Object> parameters = new HashMap<>();
        Map<String, Object> all = new HashMap<>(Map.of("name", "eu", "baseUrl", "{{tc.base-url}}", "failuresTo", "direct:tc-sinks"));
        all.putAll(given);
        all.forEach((key, value) -> {
            parameters.put(key, value);
            parameters.put(StringHelper.dashToCamelCase(key), value);
            parameters.put(StringHelper.camelCaseToDash(StringHelper.dashToCamelCase(key)), value);
        });
        return parameters;
    }

    private Map<String, Object> passed(Map<String, Object> given) throws Exception {
        String uri = converter.apply(template(), instance(given)).getInput().getUri();
        // as Camel reads the endpoint's query: a RAW(...) value kept whole, whatever it holds
        return URISupport.parseQuery(uri.substring(uri.indexOf('?') + 1), true);
    }

    @Test
    void aParameterTheTemplateDoesNotDeclareGoesToTheKameletOnceUnderItsCamelCaseName() throws Exception {
        assertThat(passed(Map.of("page-size", "500", "cron", "0/2 * * * * ?")))
                .containsEntry("pageSize", "RAW(500)").containsEntry("cron", "RAW(0/2 * * * * ?)")
                .doesNotContainKey("page-size");
    }

    @Test
    void theTemplatesOwnParametersAndWhatItsUriSetsAreNotPassedAgain() throws Exception {
        Map<String, Object> passed = passed(Map.of("emit", "failures", "failuresTo", "direct:mine", "pageSize", "5"));

        assertThat(passed).containsEntry("emit", "pages").containsEntry("name", "{{name}}")
                .containsEntry("baseUrl", "{{baseUrl}}").containsEntry("pageSize", "RAW(5)").hasSize(4);
    }

    @Test
    void aValueIsPassedRawWhateverItsCharactersAndPlaceholdersInItStay() throws Exception {
        Map<String, Object> passed = passed(Map.of("extraTql", "(a) & b+c%20", "nonProxyHosts", "x,.example.org",
                "truststore", "/etc/tc)&(eu).p12", "proxyPassword", "{{eu.proxy-password}}"));

        // Camel ends RAW(...) at the first ")&" and RAW{...} at the first "}&"
        assertThat(passed).containsEntry("extraTql", "RAW((a) & b+c%20)").containsEntry("nonProxyHosts", "RAW(x,.example.org)")
                .containsEntry("truststore", "RAW{/etc/tc)&(eu).p12}")
                // the form is chosen by what the reference resolves to; the URI keeps the reference
                .containsEntry("proxyPassword", "RAW{{{eu.proxy-password}}}");
    }

    @Test
    void aParameterTheTemplateRelaysInRawFormGetsTheFormItsValueNeeds() throws Exception {
        RouteTemplateDefinition template = template();
        template.templateParameter("secretKey", "{{tc.secret-key}}");
        template.getRoute().getInput().setUri(template.getRoute().getInput().getUri() + "&secretKey=RAW({{secretKey}})");

        // the instance names a host property whose value holds ")&": RAW(...) would end there
        String uri = converter.apply(template, instance(Map.of("secretKey", "{{eu.proxy-password}}"))).getInput().getUri();

        assertThat(uri).endsWith("&secretKey=RAW{{{secretKey}}}");
        assertThat(converter.apply(template, instance(Map.of("secretKey", "plain+/="))).getInput().getUri())
                .endsWith("&secretKey=RAW({{secretKey}})");
    }

    @Test
    void anInstanceWithNothingToPassLeavesTheUriAsTheTemplateWroteIt() throws Exception {
        assertThat(converter.apply(template(), instance(Map.of())).getInput().getUri()).isEqualTo(
                "kamelet:tc-job-failures-source/tc-job-monitor-{{name}}-poll?emit=pages&name={{name}}&baseUrl={{baseUrl}}");
    }
}

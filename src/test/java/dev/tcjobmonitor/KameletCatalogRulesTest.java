package dev.tcjobmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The rules of the Apache Kamelet catalog (its README and script/validator), for the Kamelets this
 * module ships (src/main/resources/kamelets), so that catalogs and tools (Kaoto, Camel JBang,
 * Karavan, the catalog's own validator) show and run them as they do the catalog's own.
 * <p>
 * One departure, on purpose: the catalog's Kamelets must name "Apache Software Foundation" as
 * their provider; ours names its own.
 */
class KameletCatalogRulesTest {

    private static final Path KAMELETS = Path.of("src/main/resources/kamelets");
    /** The validator's pattern of a placeholder the template reads: {{name}}, {{?name}}, {{name:default}}. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{[?]?([A-Za-z0-9-._]+)(?:[:]([^}]*))?}}");
    private static final String CREDENTIALS = "urn:camel:group:credentials";
    private static final String DEPRECATED_DESCRIPTOR_PREFIX = "urn:alm:descriptor:com.tectonic.ui";

    /**
     * The properties of the host the Kamelet tc-job-failures-source reads, with the default it
     * takes when the host does not set them ("" = none): not parameters, because they are the
     * standalone monitor's tuning, which a host tunes once for every monitor. A host property the
     * Kamelet reads without saying so would change a Kamelet behind its consumer's back.
     */
    private static final Map<String, String> HOST_PROPERTIES = Map.ofEntries(
            Map.entry("tc.max-page-bytes", "67108864"), Map.entry("tc.page-deadline", "PT5M"),
            Map.entry("tc.retry-initial-delay", "PT1S"), Map.entry("tc.retry-max-delay", "PT30S"),
            Map.entry("tc.retry-after-cap", "PT60S"), Map.entry("tc.retry-budget", "PT2M"),
            Map.entry("tc.allow-insecure-http", "false"),
            Map.entry("monitor.health.max-poll-age", ""), Map.entry("monitor.health.max-failed-polls", "3"),
            Map.entry("monitor.notices", "true"), Map.entry("monitor.delivered-retention", "P30D"),
            Map.entry("monitor.recovery-notices", "true"), Map.entry("monitor.recovery-window", "P1D"),
            Map.entry("monitor.dry-run", "false"), Map.entry("monitor.since", ""), Map.entry("monitor.one-shot", "false"));
    /** Where the description lists them: "<marker> ...: name (default), name (none), ...". */
    private static final String HOST_PROPERTIES_MARKER = "Reads these properties of the host";
    private static final Pattern DOCUMENTED_PROPERTY = Pattern.compile("([a-z][a-z0-9-]*(?:\\.[a-z0-9-]+)+) \\(([^)]*)\\)");
    /** Words a catalog title may leave in lower case (the validator drops English stop words). */
    private static final Set<String> STOP_WORDS = Set.of("a", "an", "and", "as", "at", "between", "by", "for", "from",
            "in", "into", "of", "on", "or", "per", "the", "to", "with");

    /** One Kamelet file, parsed. */
    record Kamelet(Path file, Map<String, Object> yaml) {

        String name() {
            return (String) map(yaml, "metadata").get("name");
        }

        Map<String, Object> annotations() {
            return map(map(yaml, "metadata"), "annotations");
        }

        Map<String, Object> labels() {
            return map(map(yaml, "metadata"), "labels");
        }

        Map<String, Object> spec() {
            return map(yaml, "spec");
        }

        Map<String, Object> definition() {
            return map(spec(), "definition");
        }

        Map<String, Map<String, Object>> properties() {
            Map<String, Map<String, Object>> properties = new LinkedHashMap<>();
            map(definition(), "properties").forEach((name, property) -> properties.put(name, asMap(property)));
            return properties;
        }

        String type() {
            return String.valueOf(labels().get("camel.apache.org/kamelet.type"));
        }
    }

    @Test
    void eachFileIsNamedAfterItsKameletWhoseNameEndsWithItsType() throws IOException {
        assertThat(kamelets()).isNotEmpty().allSatisfy(kamelet -> {
            assertThat(kamelet.file().getFileName()).hasToString(kamelet.name() + ".kamelet.yaml");
            assertThat(kamelet.type()).as("label camel.apache.org/kamelet.type").isIn("source", "sink", "action");
            assertThat(kamelet.name()).endsWith("-" + kamelet.type());
            assertThat(kamelet.yaml()).containsEntry("apiVersion", "camel.apache.org/v1").containsEntry("kind", "Kamelet");
        });
    }

    @Test
    void theAnnotationsCarryAnEmbeddedSvgIconTheCatalogVersionTheProviderAndTheSupportLevel() throws Exception {
        String version = pom("version");
        for (Kamelet kamelet : kamelets()) {
            Map<String, Object> annotations = kamelet.annotations();
            // an embedded image, never a link; SVG, as the catalog prefers
            String icon = String.valueOf(annotations.get("camel.apache.org/kamelet.icon"));
            assertThat(icon).as(kamelet.name() + " icon").startsWith("data:image/svg+xml;base64,");
            Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(
                    Base64.getDecoder().decode(icon.substring("data:image/svg+xml;base64,".length()))));
            assertThat(svg.getDocumentElement().getTagName()).isEqualTo("svg");
            assertThat(svg.getDocumentElement().getAttribute("xmlns")).isEqualTo("http://www.w3.org/2000/svg");
            // the catalog's rule: the version of the project that ships it
            assertThat(annotations).as(kamelet.name()).containsEntry("camel.apache.org/catalog.version", version);
            assertThat(String.valueOf(annotations.get("camel.apache.org/provider"))).as(kamelet.name() + " provider")
                    .isNotBlank().isNotEqualTo("null").isNotEqualTo("Apache Software Foundation");
            assertThat(annotations.get("camel.apache.org/kamelet.support.level")).as(kamelet.name() + " support level")
                    .isIn("Stable", "Preview", "Experimental");
        }
    }

    @Test
    void theDefinitionIsAnObjectWithADescriptionAndATitleEndingInTheKameletsType() throws IOException {
        for (Kamelet kamelet : kamelets()) {
            Map<String, Object> definition = kamelet.definition();
            String type = kamelet.type();
            assertThat(definition).containsEntry("type", "object");
            assertThat(String.valueOf(definition.get("title"))).endsWith(Character.toUpperCase(type.charAt(0)) + type.substring(1));
            assertThat(String.valueOf(definition.get("description"))).isNotBlank().isNotEqualTo("null");
            List<Object> required = list(definition.get("required"));
            assertThat(required).as("required").doesNotHaveDuplicates();
            assertThat(kamelet.properties().keySet()).as("declared properties").containsAll(required.stream().map(String::valueOf).toList());
        }
    }

    @Test
    void everyPropertyHasATypeACapitalizedTitleAndADescription() throws IOException {
        for (Kamelet kamelet : kamelets()) {
            assertThat(kamelet.properties()).isNotEmpty().allSatisfy((name, property) -> {
                assertThat(property.get("type")).as(name + " type").isIn("string", "integer", "number", "boolean", "object", "array");
                String title = String.valueOf(property.get("title"));
                assertThat(title).as(name + " title").isNotBlank().isNotEqualTo("null")
                        .doesNotStartWith("The ").doesNotStartWith("A ").doesNotStartWith("An ");
                for (String word : title.split(" ")) {
                    if (!STOP_WORDS.contains(word.toLowerCase()) && Character.isLetter(word.charAt(0))) {
                        assertThat(Character.isUpperCase(word.charAt(0))).as(name + " title word '" + word + "'").isTrue();
                    }
                }
                assertThat(String.valueOf(property.get("description"))).as(name + " description").isNotBlank().isNotEqualTo("null");
            });
        }
    }

    @Test
    void everySecretIsInTheCredentialsGroupAndNoPropertyUsesTheDeprecatedDescriptor() throws IOException {
        Kamelet failures = kamelet("tc-job-failures-source");
        assertThat(failures.properties().entrySet().stream().filter(property -> "password".equals(property.getValue().get("format")))
                .map(Map.Entry::getKey)).as("the secrets").containsExactlyInAnyOrder("secretKey", "apiToken", "truststorePassword", "proxyPassword");
        for (Kamelet kamelet : kamelets()) {
            assertThat(kamelet.properties()).allSatisfy((name, property) -> {
                List<Object> descriptors = list(property.get("x-descriptors"));
                if ("password".equals(property.get("format"))) {
                    assertThat(descriptors).as(name + " x-descriptors").contains(CREDENTIALS);
                }
                assertThat(descriptors).as(name + " x-descriptors").doesNotHaveDuplicates()
                        .noneMatch(descriptor -> String.valueOf(descriptor).startsWith(DEPRECATED_DESCRIPTOR_PREFIX));
            });
        }
    }

    @Test
    void theDependenciesAreCatalogReferencesAndIncludeThisModulesArtifact() throws Exception {
        // the template instantiates this module's classes: a runtime that resolves the Kamelet's
        // dependencies (Camel JBang, Camel K) needs the jar
        String artifact = "mvn:" + pom("groupId") + ":" + pom("artifactId") + ":" + pom("version");
        for (Kamelet kamelet : kamelets()) {
            List<Object> dependencies = list(kamelet.spec().get("dependencies"));
            assertThat(dependencies).allSatisfy(dependency -> assertThat(String.valueOf(dependency))
                    .matches("camel:[a-z0-9-]+|mvn:[^:\\s]+:[^:\\s]+:[^:\\s]+|github:apache/\\S+"));
            assertThat(dependencies).as(kamelet.name()).contains(artifact);
        }
    }

    @Test
    void theSourceSendsToKameletSinkAndDeclaresTheJsonItEmits() throws IOException {
        Kamelet failures = kamelet("tc-job-failures-source");
        assertThat(strings(failures.spec().get("template"))).anyMatch(text -> text.contains("kamelet:sink"));
        assertThat(map(map(failures.spec(), "types"), "out")).containsEntry("mediaType", "application/json");
    }

    @Test
    void everyPlaceholderTheTemplateReadsIsAParameterABeanOrAHostPropertyItsDescriptionLists() throws IOException {
        Kamelet failures = kamelet("tc-job-failures-source");
        Set<String> declared = new TreeSet<>(failures.properties().keySet());
        for (Object bean : list(map(failures.spec(), "template").get("beans"))) {
            declared.add(String.valueOf(asMap(bean).get("name")));
        }
        // read by the template; a parameter's default that names a host property documents it
        // itself (KameletDefinitionTest: the shipped setting of the same meaning)
        List<String> texts = new ArrayList<>(strings(failures.spec().get("template")));
        Map<String, String> read = new TreeMap<>();
        Set<String> usedNames = new TreeSet<>();
        for (String text : texts) {
            Matcher placeholder = PLACEHOLDER.matcher(text);
            while (placeholder.find()) {
                usedNames.add(placeholder.group(1));
                if (!declared.contains(placeholder.group(1))) {
                    read.put(placeholder.group(1), placeholder.group(2) == null ? "(no default)" : placeholder.group(2));
                }
            }
        }

        // and what the monitor reads by name (its bean tcMonitor has no relay of them)
        read.putAll(SettingsReadByName.hostProperties());
        usedNames.addAll(SettingsReadByName.parameters());

        assertThat(read).as("placeholders that are no parameter or bean, and properties read by name: the host"
                + " properties it reads, with their defaults").isEqualTo(HOST_PROPERTIES);
        assertThat(documentedHostProperties(String.valueOf(failures.definition().get("description"))))
                .as("the host properties the description lists, with their defaults").isEqualTo(HOST_PROPERTIES);
        // and the validator's converse: no parameter declared that the template never reads
        assertThat(usedNames).as("placeholders and parameters read").containsAll(failures.properties().keySet());
    }

    /** The "name (default)" pairs after the marker, up to the end of its paragraph; "none" is "". */
    private static Map<String, String> documentedHostProperties(String description) {
        int start = description.indexOf(HOST_PROPERTIES_MARKER);
        assertThat(start).as("the description has a paragraph starting '" + HOST_PROPERTIES_MARKER + "'").isNotNegative();
        int end = description.indexOf("\n\n", start);
        String paragraph = description.substring(description.indexOf(':', start) + 1, end < 0 ? description.length() : end);
        Map<String, String> documented = new TreeMap<>();
        Matcher property = DOCUMENTED_PROPERTY.matcher(paragraph);
        while (property.find()) {
            documented.put(property.group(1), property.group(2).equals("none") ? "" : property.group(2));
        }
        return documented;
    }

    // --- reading -----------------------------------------------------------------------------------

    private static List<Kamelet> kamelets() throws IOException {
        List<Kamelet> kamelets = new ArrayList<>();
        try (var files = Files.list(KAMELETS)) {
            for (Path file : files.filter(path -> path.getFileName().toString().endsWith(".kamelet.yaml")).sorted().toList()) {
                kamelets.add(new Kamelet(file, asMap(new Load(LoadSettings.builder().build())
                        .loadFromString(Files.readString(file, StandardCharsets.UTF_8)))));
            }
        }
        return kamelets;
    }

    private static Kamelet kamelet(String name) throws IOException {
        return kamelets().stream().filter(kamelet -> kamelet.name().equals(name)).findFirst().orElseThrow();
    }

    /** A child element of pom.xml's project element (the module's coordinates). */
    private static String pom(String element) throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile())
                .getDocumentElement();
        for (Node child = project.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child.getNodeType() == Node.ELEMENT_NODE && child.getNodeName().equals(element)) {
                return child.getTextContent().trim();
            }
        }
        throw new AssertionError("pom.xml has no project/" + element);
    }

    /** Every string value under {@code node} (a YAML tree of maps, lists and scalars). */
    private static List<String> strings(Object node) {
        List<String> strings = new ArrayList<>();
        if (node instanceof Map<?, ?> map) {
            map.values().forEach(value -> strings.addAll(strings(value)));
        } else if (node instanceof List<?> list) {
            list.forEach(value -> strings.addAll(strings(value)));
        } else if (node instanceof String string) {
            strings.add(string);
        }
        return strings;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object node) {
        return node instanceof Map<?, ?> ? (Map<String, Object>) node : Map.of();
    }

    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        return asMap(parent.get(key));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object node) {
        return node instanceof List<?> ? (List<Object>) node : List.of();
    }
}

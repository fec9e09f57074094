package dev.tcjobmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is the settings reference: it must say every setting of
 * application.properties, no setting that does not exist, the same defaults, and which settings one
 * monitor may set for itself (the parameters of the route template and of the Kamelet that
 * default to them).
 */
class ConfigurationDocTest {

    private static final Path DOC = Path.of("docs/configuration.md");
    private static final Path TEMPLATE = Path.of("src/main/resources/tc-job-monitor/camel/job-monitor.camel.yaml");
    private static final Path KAMELET = Path.of("src/main/resources/kamelets/tc-job-failures-source.kamelet.yaml");
    private static final Path SINK_ERRORS = Path.of("src/main/resources/tc-job-monitor/camel/errors.camel.yaml");
    private static final Pattern KEY = Pattern.compile("`([a-z<][a-z0-9.<>-]+)`");

    /** A row of the reference: its default and, where the table has that column, its scope. */
    record Row(String defaultValue, String scope, String meaning) {
    }

    private static Map<String, String> shippedSettings() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("application.properties"))) {
            properties.load(reader);
        }
        Map<String, String> settings = new TreeMap<>();
        properties.stringPropertyNames().forEach(key -> settings.put(key, properties.getProperty(key)));
        return settings;
    }

    /**
     * Every row of every settings table (a table whose header has Default): the keys of its first
     * cell (one, or several written `a`, `b` sharing the row), by the columns its header names.
     */
    private static Map<String, Row> documented() throws IOException {
        Map<String, Row> rows = new LinkedHashMap<>();
        List<String> header = null;
        for (String line : Files.readAllLines(DOC)) {
            if (!line.startsWith("|")) {
                header = null;
                continue;
            }
            List<String> cells = cells(line);
            if (header == null) {
                header = cells;
                continue;
            }
            if (!header.contains("Default") || line.startsWith("|---")) {
                continue;
            }
            String meaning = cells.get(header.indexOf(header.contains("Meaning") ? "Meaning" : "Default"));
            String scope = header.contains("Scope") ? cells.get(header.indexOf("Scope")) : null;
            Matcher key = KEY.matcher(cells.get(0));
            while (key.find()) {
                assertThat(rows.put(key.group(1), new Row(cells.get(header.indexOf("Default")), scope, meaning)))
                        .as("%s documented twice", key.group(1)).isNull();
            }
        }
        return rows;
    }

    private static List<String> cells(String line) {
        String inner = line.strip();
        inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
        return java.util.Arrays.stream(inner.split(" \\| |\\|")).map(String::strip).toList();
    }

    /** What the table says of a default: `value` (perhaps with a remark after it), or empty. */
    private static String value(String cell) {
        if (cell.equals("(empty)") || cell.startsWith("empty")) {
            return "";
        }
        Matcher value = Pattern.compile("^`([^`]*)`").matcher(cell);
        assertThat(value.find()).as("a default in backquotes, or (empty): %s", cell).isTrue();
        return value.group(1);
    }

    @Test
    void everySettingOfApplicationPropertiesIsDocumentedWithItsDefault() throws IOException {
        Map<String, Row> documented = documented();

        shippedSettings().forEach((key, shipped) -> {
            assertThat(documented).as("docs/configuration.md documents %s", key).containsKey(key);
            assertThat(value(documented.get(key).defaultValue())).as("the default of %s", key).isEqualTo(shipped);
            assertThat(documented.get(key).meaning()).as("what %s means", key).isNotBlank();
        });
    }

    @Test
    void everyDocumentedSettingExists() throws IOException {
        Map<String, String> shipped = shippedSettings();
        String sinkErrors = Files.readString(SINK_ERRORS);

        documented().forEach((key, row) -> {
            if (key.startsWith("sink.<name>.")) {
                // a sink's retry settings, with their defaults where the sinks' error configuration reads them
                String setting = key.substring("sink.<name>.".length());
                assertThat(sinkErrors).as("errors.camel.yaml reads %s with the default %s", key, row.defaultValue())
                        .contains("{{sink.{{sink}}." + setting + ":" + value(row.defaultValue()) + "}}");
            } else {
                assertThat(shipped).as("application.properties has %s", key).containsKey(key);
            }
        });
    }

    @Test
    void theSettingsAMonitorMaySetForItselfAreTheParametersOfTheTemplateAndOfTheKamelet() throws IOException {
        Map<String, String> parameters = new TreeMap<>();
        Matcher parameter = Pattern.compile("- name: (\\w+)\\n(?:\\s+description:.*\\n(?:\\s{10,}.*\\n)*)?\\s+defaultValue: "
                + "\"\\{\\{([a-z][a-z0-9.-]+)\\}\\}\"").matcher(Files.readString(TEMPLATE));
        while (parameter.find()) {
            parameters.put(parameter.group(2), parameter.group(1));
        }
        assertThat(parameters).as("the template's parameters that default to a setting").containsEntry("tc.base-url", "baseUrl");
        // an instance passes the template any parameter of the Kamelet: those whose default is a setting
        Matcher kamelet = Pattern.compile("\\n      (\\w+):\\n(?:        .*\\n)*?        default: \"\\{\\{([a-z][a-z0-9.-]+):[^}]*}}\"")
                .matcher(Files.readString(KAMELET));
        while (kamelet.find()) {
            parameters.putIfAbsent(kamelet.group(2), kamelet.group(1));
        }
        assertThat(parameters).as("the Kamelet's parameters that default to a setting").containsEntry("monitor.page-size", "pageSize");
        // but the standalone keeps every monitor's state in one folder, its bean tcStateStore's:
        // a monitor's own stateDir is refused there
        assertThat(parameters.remove("monitor.state-dir")).isEqualTo("stateDir");

        Map<String, Row> documented = documented();
        assertThat(documented.values()).as("the reference has a Scope column").allSatisfy(row -> assertThat(row.scope()).isNotNull());
        documented.forEach((key, row) -> assertThat(row.scope()).as("the scope of %s", key)
                .isEqualTo(parameters.containsKey(key) ? "instance (`" + parameters.get(key) + "`)" : "global"));
    }
}

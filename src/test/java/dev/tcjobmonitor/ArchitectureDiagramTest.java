package dev.tcjobmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.support.Docs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's picture of a poll names the shipped routes, templates, beans and bean methods as
 * they are: renaming one in the YAML without the picture fails here, so the picture cannot drift
 * from what runs.
 */
class ArchitectureDiagramTest {

    private static String diagram;
    private static String shippedYaml;

    @BeforeAll
    static void read() throws IOException {
        diagram = Docs.firstBlock(Docs.section("How it works"), "mermaid");
        StringBuilder yaml = new StringBuilder();
        try (Stream<Path> files = Files.walk(Path.of("src/main/resources"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                yaml.append(Files.readString(file)).append('\n');
            }
        }
        shippedYaml = yaml.toString();
    }

    @Test
    void everyBeanMethodInThePictureIsAStepOfTheShippedYaml() {
        List<String> calls = all("\\b(tc[A-Z]\\w*)\\.(\\w+)");
        assertThat(calls).isNotEmpty();
        for (String call : calls) {
            String bean = call.substring(0, call.indexOf('.'));
            String method = call.substring(call.indexOf('.') + 1);
            assertThat(shippedYaml).as(call)
                    .containsPattern("ref: \"\\{\\{" + bean + "\\}\\}\"\\s*\\n\\s*method: " + method + "\\b");
        }
    }

    @Test
    void everyBeanInThePictureIsDeclaredByTheShippedYaml() {
        List<String> beans = all("\\b(tc[A-Z]\\w*)\\b");
        assertThat(beans).contains("tcWindow", "tcStateStore");
        beans.forEach(bean -> assertThat(shippedYaml).as(bean).containsPattern("- name: " + bean + "\\s*\\n"));
    }

    @Test
    void everyRouteTemplateKameletAndEndpointInThePictureExists() {
        List<String> ids = all("(?<![\\w:.-])(tc-[a-z-]+)");
        assertThat(ids).contains("tc-sink-file", "tc-sink");
        ids.forEach(id -> assertThat(shippedYaml).as(id).containsPattern("(id|name): \"?" + id + "\"?\\s*\\n"));
        List<String> endpoints = all("\\b(direct:[a-z-]+)");
        assertThat(endpoints).isNotEmpty();
        endpoints.forEach(uri -> assertThat(shippedYaml).as(uri).contains("uri: " + uri + "\n"));
    }

    private static List<String> all(String regex) {
        List<String> found = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(diagram);
        while (m.find()) {
            found.add(m.groupCount() >= 2 ? m.group(1) + "." + m.group(2) : m.group(1));
        }
        return found;
    }
}

package dev.tcjobmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.support.Docs;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * An application that adds the shipped defaults as a properties location inherits their keys of
 * Camel itself: the embedding page names each of them with its value, so that nobody finds one by
 * surprise (a renamed Camel context, a management server on 9876, retries off on their http component).
 */
class EmbeddingDocsTest {

    @Test
    void theEmbeddingPageNamesEveryCamelKeyTheShippedDefaultsSetWithItsValue() throws IOException {
        Properties shipped = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("application.properties"))) {
            shipped.load(in);
        }
        String section = Docs.section("Camel Main: the monitor's route template").replaceAll("\\s+", " ");

        assertThat(shipped.stringPropertyNames()).filteredOn(key -> key.startsWith("camel.")).isNotEmpty()
                .allSatisfy(key -> {
                    assertThat(section).as(key).contains("`" + key + "`");
                    assertThat(section.substring(section.indexOf("`" + key + "`"))).as(key + "'s value")
                            .contains("(`" + shipped.getProperty(key) + "`");
                });
    }
}

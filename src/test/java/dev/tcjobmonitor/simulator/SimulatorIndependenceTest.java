package dev.tcjobmonitor.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The simulator judges the monitor in every end-to-end test; borrowing the monitor's code (its
 * signer, its URL encoding) would make it agree with the monitor's mistakes. Its code names no
 * other package of this project, imported or fully qualified.
 */
class SimulatorIndependenceTest {

    private static final Path SOURCES = Path.of("src", "main", "java", "dev", "tcjobmonitor", "simulator");
    private static final Pattern PROJECT_REFERENCE = Pattern.compile("dev\\.tcjobmonitor\\.(\\w+)");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\n]*", Pattern.DOTALL);

    @Test
    void simulatorSourcesUseNothingOfTheMonitor() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.list(SOURCES)) {
            sources = files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
        }
        assertThat(sources).as("the simulator's sources, from the project folder").isNotEmpty()
                .anySatisfy(file -> assertThat(file.getFileName()).hasToString("ThreatConnectSimulator.java"));

        for (Path source : sources) {
            Matcher reference = PROJECT_REFERENCE.matcher(withoutComments(Files.readString(source)));
            while (reference.find()) {
                assertThat(reference.group(1)).as("%s names %s", source.getFileName(), reference.group()).isEqualTo("simulator");
            }
        }
    }

    /** Code only: the documentation may say what the simulator stays apart from. */
    private static String withoutComments(String source) {
        return COMMENT.matcher(source).replaceAll(" ");
    }
}

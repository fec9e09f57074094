package dev.tcjobmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * README's "Running it" shows the commands an operator runs: each one must be a command line the
 * process accepts, and every command of its usage text must be shown there.
 */
class ReadmeCommandsTest {

    private static String runningIt() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("## Running it");
        return readme.substring(start, readme.indexOf("\n## ", start + 1));
    }

    private static List<List<String>> commandLines() throws IOException {
        return runningIt().lines().filter(line -> line.startsWith("target/tc-job-monitor"))
                // [--monitor NAME]: optional, as the usage text writes it
                .map(line -> line.replaceAll("\\[--monitor NAME]", "--monitor default"))
                .map(line -> Arrays.asList(line.strip().split(" +")).subList(1, line.strip().split(" +").length))
                .toList();
    }

    @Test
    void everyCommandLineOfRunningItIsAccepted() throws IOException {
        List<List<String>> commandLines = commandLines();

        assertThat(commandLines).isNotEmpty();
        for (List<String> args : commandLines) {
            assertThatCode(() -> CommandLine.parse(args)).as("tc-job-monitor %s", String.join(" ", args)).doesNotThrowAnyException();
        }
    }

    @Test
    void runningItShowsEveryCommandOfTheUsageText() throws IOException {
        String shown = String.join("\n", commandLines().stream().map(args -> String.join(" ", args)).toList());

        for (String option : List.of("--once", "--since", "--dry-run", "--check", "--replay-dead-letter", "--rewind", "--monitor", "--help")) {
            assertThat(CommandLine.USAGE).contains(option);
            assertThat(shown).as("README's Running it shows %s", option).contains(option);
        }
        assertThat(runningIt()).contains("[docs/runbook.md](docs/runbook.md)");
    }
}

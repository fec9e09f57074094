package dev.tcjobmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.tcjobmonitor.support.Docs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The commands the documentation shows an operator (README.md and docs/running.md): each shown command line is one the process accepts, every
 * command of the usage text is shown, and the page showing the state commands links the runbook.
 */
class DocumentedCommandsTest {

    private static final String LAUNCHER = "target/tc-job-monitor";

    private static List<Path> pages() {
        return Docs.pages();
    }

    /** The arguments of each line that starts with the launcher, [--monitor NAME] as the usage text writes it. */
    private static List<List<String>> commandLines(Path page) throws IOException {
        return Files.readAllLines(page).stream().filter(line -> line.startsWith(LAUNCHER + " ") || line.equals(LAUNCHER))
                .map(line -> line.replace("[--monitor NAME]", "--monitor default").strip().split(" +"))
                .map(words -> Arrays.asList(words).subList(1, words.length))
                .toList();
    }

    @Test
    void everyShownCommandLineIsAccepted() throws IOException {
        int shown = 0;
        for (Path page : pages()) {
            for (List<String> args : commandLines(page)) {
                shown++;
                assertThatCode(() -> CommandLine.parse(args)).as("%s: tc-job-monitor %s", page, String.join(" ", args))
                        .doesNotThrowAnyException();
            }
        }
        assertThat(shown).isPositive();
    }

    @Test
    void everyCommandOfTheUsageTextIsShownAndTheStateCommandsLinkTheRunbook() throws IOException {
        StringBuilder shown = new StringBuilder();
        for (Path page : pages()) {
            List<List<String>> lines = commandLines(page);
            lines.forEach(args -> shown.append(String.join(" ", args)).append('\n'));
            if (lines.stream().anyMatch(args -> args.contains("--replay-dead-letter"))) {
                assertThat(Files.readString(page)).as("%s links the runbook", page).contains("runbook.md)");
            }
        }
        for (String option : List.of("--once", "--since", "--dry-run", "--check", "--replay-dead-letter", "--rewind", "--monitor", "--help")) {
            assertThat(CommandLine.USAGE).contains(option);
            assertThat(shown).as("the documentation shows %s", option).contains(option);
        }
    }

    /**
     * In a cluster, --replay-dead-letter and --rewind are refused while another node polls the
     * monitor ("is being polled by another process", ClusterStateCommandsEndToEndTest): a refusal
     * that passes on its own, so exit status 1 (as a failed poll), not 2. The usage text says so.
     */
    @Test
    void theUsageTextSaysAStateCommandRefusedWhileAnotherNodePollsTheMonitorExits1() {
        assertThat(Application.EXIT_POLL_FAILED).isEqualTo(1);
        assertThat(CommandLine.USAGE.replaceAll("\\s+", " "))
                .contains("Exit status 1: --replay-dead-letter or --rewind refused while another node of the cluster polls the monitor");
    }
}

package dev.tcjobmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * docs/runbook.md quotes the lines an operator sees: each entry's stable part must be text the
 * program writes (a literal in src/main), shown in the entry's example line, and asserted by the
 * test the entry names (so that test produces it, and fails if the line changes). A runbook that
 * quotes a line nobody writes any more sends the operator looking for nothing.
 */
class RunbookTest {

    private static final Path RUNBOOK = Path.of("docs/runbook.md");
    private static final Pattern STABLE = Pattern.compile("Stable part(?: of this second line)?: `([^`]+)`");
    /** Class#method, each in backquotes, after "Produced by:" or "tested by". */
    private static final Pattern TEST = Pattern.compile("`([A-Z][A-Za-z0-9]+)#([a-z][A-Za-z0-9]+)`");

    /** One quoted line: its example, its stable part, and the tests that produce it. */
    record Quote(String entry, String example, String stable, List<String[]> tests) {
    }

    @Test
    void theRunbookCoversEveryFailureTheIssueNames() throws IOException {
        String headings = String.join("\n", Files.readAllLines(RUNBOOK).stream().filter(line -> line.startsWith("## ")).toList());

        assertThat(headings).contains("401: timestamp").contains("401: signature").contains("400: the query (TQL)")
                .contains("404: the base URL").contains("TLS").contains("Proxy").contains("blind")
                .contains("Dead letters piling up").contains("corrupt state file").contains("state folder is in use")
                .contains("PostgreSQL is down");
    }

    @Test
    void everyEntryQuotesALineAndNamesTheTestThatProducesIt() throws IOException {
        for (String entry : entries()) {
            List<Quote> quotes = quotes(entry);
            assertThat(quotes).as("the entry %s", entry.lines().findFirst().orElse("")).isNotEmpty()
                    .allSatisfy(quote -> assertThat(quote.tests()).as("tests named for %s", quote.stable()).isNotEmpty());
        }
    }

    @TestFactory
    Stream<DynamicTest> eachQuotedLineIsWrittenByTheCodeAndAssertedByTheNamedTest() throws IOException {
        String main = allText(Path.of("src/main"));
        List<DynamicTest> checks = new ArrayList<>();
        for (String entry : entries()) {
            for (Quote quote : quotes(entry)) {
                checks.add(DynamicTest.dynamicTest(quote.stable(), () -> {
                    assertThat(quote.example()).as("the example line of %s", quote.entry()).contains(quote.stable());
                    // a Java literal holds it as it is (no quote or backslash to escape)
                    assertThat(quote.stable()).doesNotContain("\"").doesNotContain("\\");
                    assertThat(main).as("src/main writes it").contains(quote.stable());
                    for (String[] test : quote.tests()) {
                        String source = testSource(test[0]);
                        assertThat(source).as("%s has the method %s", test[0], test[1]).containsPattern("void " + test[1] + "\\(");
                        assertThat(source).as("%s asserts it", test[0]).contains(quote.stable());
                    }
                }));
            }
        }
        return checks.stream();
    }

    private static List<String> entries() throws IOException {
        String text = Files.readString(RUNBOOK);
        List<String> entries = new ArrayList<>(List.of(text.split("\n## ")));
        entries.remove(0);
        return entries;
    }

    /** An entry's quotes, in order: each example block with the stable part and tests after it. */
    private static List<Quote> quotes(String entry) {
        String title = entry.lines().findFirst().orElse("");
        List<Quote> quotes = new ArrayList<>();
        String[] blocks = entry.split("```text\n");
        for (int i = 1; i < blocks.length; i++) {
            String example = blocks[i].substring(0, blocks[i].indexOf("```"));
            String after = blocks[i].substring(blocks[i].indexOf("```") + 3);
            Matcher stable = STABLE.matcher(after);
            if (!stable.find()) {
                quotes.add(new Quote(title, example, "(no stable part)", List.of()));
                continue;
            }
            List<String[]> tests = new ArrayList<>();
            Matcher test = TEST.matcher(after.substring(stable.end()));
            while (test.find()) {
                tests.add(new String[] {test.group(1), test.group(2)});
            }
            quotes.add(new Quote(title, example, stable.group(1), tests));
        }
        return quotes;
    }

    private static String testSource(String simpleName) throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/test/java"))) {
            Path file = files.filter(path -> path.getFileName().toString().equals(simpleName + ".java")).findFirst()
                    .orElseThrow(() -> new AssertionError("no test class " + simpleName));
            return Files.readString(file);
        }
    }

    private static String allText(Path root) throws IOException {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile).filter(path -> path.toString().matches(".*\\.(java|yaml|properties)$")).forEach(path -> {
                try {
                    text.append(Files.readString(path)).append('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return text.toString();
    }
}

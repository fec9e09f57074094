package dev.tcjobmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.support.Docs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README.md and docs/*.md link to each other by file and heading; a section that moves or is
 * renamed must not leave a link behind that leads nowhere on the code host.
 */
class DocumentationLinksTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern FENCED = Pattern.compile("```.*?```", Pattern.DOTALL);

    @Test
    void everyLinkBetweenThePagesLeadsToAFileAndHeadingThatExist() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path page : Docs.pages()) {
            String text = FENCED.matcher(Files.readString(page)).replaceAll("");
            Matcher m = LINK.matcher(text);
            while (m.find()) {
                String link = m.group(1);
                if (link.matches("^[a-z]+:.*")) {
                    continue;
                }
                String file = link.contains("#") ? link.substring(0, link.indexOf('#')) : link;
                String anchor = link.contains("#") ? link.substring(link.indexOf('#') + 1) : "";
                Path target = file.isEmpty() ? page : page.resolveSibling(file).normalize();
                if (!Files.exists(target)) {
                    broken.add(page + ": " + link + " (no file " + target + ")");
                } else if (!anchor.isEmpty() && !anchors(target).contains(anchor)) {
                    broken.add(page + ": " + link + " (no heading #" + anchor + " in " + target + ")");
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    @Test
    void theReadmeLinksEveryPageOfTheManual() {
        String readme = Docs.section("Documentation");
        Docs.pages().stream().skip(1)
                .forEach(page -> assertThat(readme).as("README links " + page).contains("(" + page.toString().replace('\\', '/') + ")"));
    }

    /** GitHub's anchors: the heading in lower case, spaces to dashes, punctuation dropped. */
    private static Set<String> anchors(Path page) throws IOException {
        Set<String> anchors = new HashSet<>();
        String text = FENCED.matcher(Files.readString(page)).replaceAll("");
        for (String line : text.split("\n")) {
            Matcher m = Pattern.compile("^#+ (.*)").matcher(line);
            if (m.find()) {
                anchors.add(m.group(1).strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}_ -]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }
}

package dev.tcjobmonitor.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The operator's documentation as the tests read it: README.md and docs/*.md. Tests that hold a
 * sentence or an example of the documentation to what the code does ask for it by its section's
 * heading, not by file, so that a section can move between pages without its test losing it.
 */
public final class Docs {

    private Docs() {
    }

    /** README.md first, then docs/*.md by name. */
    public static List<Path> pages() {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pages;
    }

    /** Every page's text, one after the other. */
    public static String all() {
        StringBuilder all = new StringBuilder();
        pages().forEach(page -> all.append(read(page)).append('\n'));
        return all.toString();
    }

    /**
     * The section whose heading is {@code heading} (without the #s; a prefix is enough), from its
     * heading line up to the next heading of the same or a higher level; exactly one page must have it.
     */
    public static String section(String heading) {
        List<String> found = new ArrayList<>();
        for (Path page : pages()) {
            List<String> lines = read(page).lines().toList();
            boolean fenced = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.startsWith("```")) {
                    fenced = !fenced;
                }
                int level = fenced ? 0 : level(line);
                if (level > 0 && line.substring(level).strip().startsWith(heading)) {
                    found.add(until(lines, i, level));
                }
            }
        }
        if (found.size() != 1) {
            throw new AssertionError("the documentation has " + found.size() + " sections headed '" + heading + "'");
        }
        return found.get(0);
    }

    /** The first fenced block of {@code language} in {@code text}, without its fences. */
    public static String firstBlock(String text, String language) {
        String fence = "```" + language + "\n";
        int start = text.indexOf(fence);
        if (start < 0) {
            throw new AssertionError("no ```" + language + " block in: " + text.lines().findFirst().orElse(""));
        }
        start += fence.length();
        return text.substring(start, text.indexOf("```", start));
    }

    private static String until(List<String> lines, int from, int level) {
        StringBuilder section = new StringBuilder(lines.get(from)).append('\n');
        boolean fenced = false;
        for (int i = from + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("```")) {
                fenced = !fenced;
            }
            int next = fenced ? 0 : level(line);
            if (next > 0 && next <= level) {
                break;
            }
            section.append(line).append('\n');
        }
        return section.toString();
    }

    /** 1 for "# x", 2 for "## x", ...; 0 when the line is no heading. */
    private static int level(String line) {
        int level = 0;
        while (level < line.length() && line.charAt(level) == '#') {
            level++;
        }
        return level > 0 && level < line.length() && line.charAt(level) == ' ' ? level : 0;
    }

    private static String read(Path page) {
        try {
            return Files.readString(page);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

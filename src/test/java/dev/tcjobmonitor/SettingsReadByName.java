package dev.tcjobmonitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The settings the monitor reads by name in its Java ({@code MonitorParameters}): the Kamelet's
 * parameters ({@code raw.parameter("pageSize")}) and the host's properties with their fallbacks
 * ({@code raw.host("tc.retry-budget", "PT2M")}). The Kamelet's YAML relays none of them, so its
 * rules are checked against these reads as against its own placeholders.
 */
final class SettingsReadByName {

    private static final Path MONITOR = Path.of("src/main/java/dev/tcjobmonitor/monitor");
    private static final Pattern PARAMETER = Pattern.compile("\\.parameter\\(\"(\\w+)\"\\)");
    private static final Pattern HOST = Pattern.compile("\\.host\\(\"([a-z][a-z0-9.-]*)\", \"([^\"]*)\"\\)");

    private SettingsReadByName() {
    }

    /** The Kamelet parameters read. */
    static Set<String> parameters() {
        Set<String> names = new TreeSet<>();
        sources().forEach(text -> PARAMETER.matcher(text).results().forEach(match -> names.add(match.group(1))));
        return names;
    }

    /** The host properties read, each with its fallback. */
    static Map<String, String> hostProperties() {
        Map<String, String> read = new TreeMap<>();
        sources().forEach(text -> {
            Matcher match = HOST.matcher(text);
            while (match.find()) {
                String earlier = read.put(match.group(1), match.group(2));
                if (earlier != null && !earlier.equals(match.group(2))) {
                    throw new AssertionError(match.group(1) + " is read with two fallbacks: " + earlier + ", " + match.group(2));
                }
            }
        });
        return read;
    }

    private static Stream<String> sources() {
        try (Stream<Path> files = Files.list(MONITOR)) {
            return files.filter(file -> file.toString().endsWith(".java")).sorted().map(SettingsReadByName::read).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

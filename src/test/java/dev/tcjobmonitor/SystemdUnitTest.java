package dev.tcjobmonitor;

import dev.tcjobmonitor.support.Docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * src/main/dist/tc-job-monitor.service against what the product really does: its keys name the
 * launcher the build ships, the folder the shipped defaults write to, the exit statuses the
 * process really has, and settings that exist. (That SIGTERM ends the daemon with 143 and a bad
 * setting with 2 is LauncherIT's, on the packaged launcher.)
 */
class SystemdUnitTest {

    private static final Path DIST = Path.of("src", "main", "dist");
    private static final Path UNIT = DIST.resolve("tc-job-monitor.service");
    /** 128 + the signal's number: how a JVM ended by SIGTERM (15) after its shutdown hooks exits. */
    private static final int EXIT_ON_SIGTERM = 128 + 15;
    /** An example line of the environment file in the unit's comments: {@code #   TC_SECRET_KEY=...}. */
    private static final Pattern ENVIRONMENT_EXAMPLE = Pattern.compile("^#\\s+([A-Z][A-Z0-9_]*)=");

    private final Map<String, List<String>> service = section("Service");
    private final Properties shipped = shippedSettings();

    @TempDir
    Path tempDir;

    @Test
    void itRunsTheShippedLauncherAsAUserOfItsOwn() {
        Path execStart = Path.of(single("ExecStart"));
        assertThat(execStart).isAbsolute();
        assertThat(DIST.resolve(execStart.getFileName())).as("the launcher the build puts beside the jar").isRegularFile();
        assertThat(single("User")).isNotBlank().isNotEqualTo("root");
        assertThat(single("Group")).isNotBlank().isNotEqualTo("root");
    }

    /**
     * The process reads application.properties and routes/ from its working directory and writes
     * its state and alerts under it by default: that folder is the one systemd creates for the user
     * (StateDirectory), the only one it may write to beside /tmp (ProtectSystem=strict).
     */
    @Test
    void itsWorkingDirectoryIsItsStateDirectoryWhereTheDefaultFoldersLand() {
        assertThat(single("WorkingDirectory")).isEqualTo("/var/lib/" + single("StateDirectory"));
        assertThat(single("ProtectSystem")).isEqualTo("strict");
        assertThat(Application.PROPERTY_LOCATIONS).startsWith("file:application.properties;");
        assertThat(Path.of(Application.OPERATOR_ROUTES_DIR)).isEqualTo(Path.of("routes"));
        // the unit's comments say data/state and data/alerts
        assertThat(shipped.getProperty("monitor.state-dir")).isEqualTo("data/state");
        assertThat(shipped.getProperty("sink.file.directory")).isEqualTo("data/alerts");
        assertThat(unitLines()).anySatisfy(line -> assertThat(line).contains("data/state (monitor.state-dir"))
                .anySatisfy(line -> assertThat(line).contains("data/alerts (sink.file.directory)"));
    }

    @Test
    void aStopBySigtermIsASuccessAndABadSettingIsNotRestarted() {
        assertThat(values("SuccessExitStatus")).contains(Integer.toString(EXIT_ON_SIGTERM));
        assertThat(single("Restart")).isEqualTo("on-failure");
        assertThat(values("RestartPreventExitStatus")).containsExactly(Integer.toString(Application.EXIT_USAGE));
        // systemd's SIGKILL must not cut Camel's graceful stop short
        Duration camelShutdown = Duration.ofSeconds(Long.parseLong(shipped.getProperty("camel.main.shutdown-timeout")));
        assertThat(Duration.ofSeconds(Long.parseLong(single("TimeoutStopSec")))).isGreaterThan(camelShutdown);
    }

    @Test
    void theEnvironmentFileItReadsNamesRealSettings() {
        Path environmentFile = Path.of(single("EnvironmentFile"));
        assertThat(environmentFile).isAbsolute();
        assertThat(environmentFile.startsWith(single("WorkingDirectory"))).as("secrets apart from what the user may write").isFalse();

        List<String> examples = unitLines().stream().map(ENVIRONMENT_EXAMPLE::matcher)
                .filter(Matcher::find).map(match -> match.group(1)).toList();
        // Camel's environment form of a key: upper case, dots and dashes as underscores
        Set<String> settings = shipped.stringPropertyNames().stream()
                .map(key -> key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'))
                .collect(Collectors.toSet());
        assertThat(examples).contains("TC_SECRET_KEY", "SINK_EMAIL_PASSWORD", "MONITOR_CLUSTER_PASSWORD")
                .allSatisfy(variable -> assertThat(settings).as("a setting of application.properties").contains(variable));
    }

    /** docs/operations.md "Deployment: a service or a container" states the unit's values and the shipped defaults. */
    @Test
    void theReadmeSaysWhatTheUnitAndTheShippedDefaultsSay() throws IOException {
        // as one line: where the text wraps is no fact
        String section = Docs.section("Deployment: a service or a container").replaceAll("\\s+", " ");

        assertThat(section)
                .contains("as the user `" + single("User") + "`", "`" + single("WorkingDirectory") + "`")
                .contains("`" + shipped.getProperty("monitor.state-dir") + "`, the default `monitor.state-dir`")
                .contains("(`" + shipped.getProperty("sink.file.directory") + "`)")
                .contains("EnvironmentFile=" + single("EnvironmentFile"))
                .contains("`camel.main.shutdown-timeout`, " + shipped.getProperty("camel.main.shutdown-timeout") + " s")
                .contains("exits with " + EXIT_ON_SIGTERM, "SuccessExitStatus=" + EXIT_ON_SIGTERM)
                .contains("TimeoutStopSec=" + single("TimeoutStopSec"), "after " + single("RestartSec").replace("s", " s"))
                .contains("exit status " + Application.EXIT_USAGE)
                .contains("port " + shipped.getProperty("camel.management.port"),
                        "listens on " + shipped.getProperty("camel.management.host"));
    }

    /** systemd's own check (Debian's systemd package); the unit's ExecStart pointed at the launcher here. */
    @Test
    void systemdAcceptsTheUnitWithoutAWarning() throws Exception {
        Path analyze = Stream.of("/usr/bin/systemd-analyze", "/bin/systemd-analyze").map(Path::of)
                .filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(analyze != null, "no systemd-analyze on this machine");
        Path unit = tempDir.resolve("tc-job-monitor.service");
        // verify insists that ExecStart is there: the launcher as the build ships it
        Path launcher = tempDir.resolve("tc-job-monitor");
        Files.copy(DIST.resolve("tc-job-monitor"), launcher);
        assertThat(launcher.toFile().setExecutable(true)).isTrue();
        Files.writeString(unit, Files.readString(UNIT).replace("ExecStart=" + single("ExecStart"), "ExecStart=" + launcher));

        Process verify = new ProcessBuilder(analyze.toString(), "verify", unit.toString())
                .redirectOutput(tempDir.resolve("out.txt").toFile()).redirectError(tempDir.resolve("err.txt").toFile()).start();
        assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();

        // it exits 0 even for an unknown key or a value it cannot parse, which it reports on stderr
        String said = Files.readString(tempDir.resolve("out.txt")) + Files.readString(tempDir.resolve("err.txt"));
        assertThat(verify.exitValue()).as(said).isZero();
        assertThat(said).isEmpty();
    }

    private String single(String key) {
        assertThat(values(key)).as("[Service] %s", key).hasSize(1);
        return values(key).get(0);
    }

    private List<String> values(String key) {
        return service.getOrDefault(key, List.of()).stream()
                .flatMap(value -> Stream.of(value.split("\\s+"))).filter(value -> !value.isEmpty()).toList();
    }

    /** A section's keys and their values (a key may come more than once), comments left out. */
    private static Map<String, List<String>> section(String name) {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        String current = null;
        for (String raw : unitLines()) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                current = line.substring(1, line.indexOf(']'));
                continue;
            }
            int equals = line.indexOf('=');
            if (name.equals(current) && equals > 0) {
                keys.computeIfAbsent(line.substring(0, equals).strip(), key -> new ArrayList<>()).add(line.substring(equals + 1).strip());
            }
        }
        return keys;
    }

    /** The shipped defaults, as the jar carries them. */
    private static Properties shippedSettings() {
        Properties properties = new Properties();
        try (InputStream in = SystemdUnitTest.class.getResourceAsStream("/tc-job-monitor/application.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return properties;
    }

    private static List<String> unitLines() {
        try {
            return Files.readAllLines(UNIT);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + UNIT, e);
        }
    }
}

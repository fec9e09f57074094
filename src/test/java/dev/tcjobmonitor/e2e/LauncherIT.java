package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * target/tc-job-monitor, the launcher README's commands use: the jar, with the class-data sharing
 * archive the build wrote beside it when there is one (issue #7), JAVA_OPTS for the JVM and the
 * arguments for the monitor.
 */
class LauncherIT {

    private static final Path JAR = PackagedJar.JAR;
    private static final Path LAUNCHER = JAR.resolveSibling("tc-job-monitor");
    /** How -Xlog:class+load names a class the JVM mapped from a dynamic (top) archive. */
    private static final String FROM_ARCHIVE = "source: shared objects file (top)";

    @TempDir
    Path workDir;

    record Run(int exitCode, String stdout, List<String> loadedClasses) {
    }

    private Run run(Path launcher) throws IOException, InterruptedException {
        return run(launcher, "");
    }

    /** A demo poll ({@code --demo --once}) through {@code launcher}, with {@code javaOptions} in JAVA_OPTS beside the class log. */
    private Run run(Path launcher, String javaOptions) throws IOException, InterruptedException {
        Path classLog = workDir.resolve("classes.txt");
        ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "--demo", "--once").directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(workDir.resolve("out.txt").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("JAVA_OPTS", (javaOptions + " -Xlog:class+load=info:file=" + classLog).strip());
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().put("CAMEL_MANAGEMENT_PORT", "0");
        Process process = builder.start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the process finished").isTrue();
        return new Run(process.exitValue(), Files.readString(workDir.resolve("out.txt")), Files.readAllLines(classLog));
    }

    /**
     * The build ran with -Dcds.skip=true (failsafe passes it on) and there is no archive: none was
     * written, or the one an earlier build wrote no longer matched the jar and was deleted.
     */
    private static final boolean ARCHIVE_SKIPPED = Boolean.getBoolean("cds.skip") && !Files.exists(PackagedJar.CLASS_ARCHIVE);

    @Test
    void theLauncherMapsTheMonitorsClassesFromTheArchiveTheBuildWrote() throws Exception {
        assumeFalse(ARCHIVE_SKIPPED, "-Dcds.skip=true: the build wrote no class archive");
        assertThat(PackagedJar.CLASS_ARCHIVE).as("the build's class archive").exists();

        Run run = run(LAUNCHER);

        assertThat(run.exitCode()).as(run.stdout()).isZero();
        assertThat(run.stdout()).contains("Poll of 'default' done").doesNotContain("Unable to use shared archive");
        assertThat(run.loadedClasses())
                .anySatisfy(line -> assertThat(line).contains("dev.tcjobmonitor.monitor.JobMonitor " + FROM_ARCHIVE))
                .anySatisfy(line -> assertThat(line).contains("org.apache.camel.impl.DefaultCamelContext " + FROM_ARCHIVE));
    }

    @Test
    void startedThroughASymbolicLinkTheLauncherFindsTheJarAndTheArchiveBesideItself() throws Exception {
        assumeFalse(ARCHIVE_SKIPPED, "-Dcds.skip=true: the build wrote no class archive");
        Path link = Files.createSymbolicLink(Files.createDirectories(workDir.resolve("bin")).resolve("tc-job-monitor"), LAUNCHER);

        Run run = run(link);

        assertThat(run.exitCode()).as(run.stdout()).isZero();
        assertThat(run.loadedClasses())
                .anySatisfy(line -> assertThat(line).contains("dev.tcjobmonitor.monitor.JobMonitor " + FROM_ARCHIVE));
    }

    @Test
    void withoutAnArchiveTheLauncherRunsTheJarAsItIs() throws Exception {
        Path installed = Files.createDirectories(workDir.resolve("installed"));
        Files.copy(LAUNCHER, installed.resolve("tc-job-monitor"));
        Files.createSymbolicLink(installed.resolve("tc-job-monitor.jar"), JAR);
        Files.createSymbolicLink(installed.resolve("lib"), JAR.resolveSibling("lib"));

        Run run = run(installed.resolve("tc-job-monitor"));

        assertThat(run.exitCode()).as(run.stdout()).isZero();
        assertThat(run.stdout()).contains("Poll of 'default' done").doesNotContain("shared archive");
        try (Stream<String> lines = run.loadedClasses().stream()) {
            assertThat(lines.filter(line -> line.contains(FROM_ARCHIVE))).isEmpty();
        }
    }

    /**
     * Whatever the build did, target/ holds no archive the JVM would refuse: one written before the
     * jar or lib/ was rebuilt (a later build with -Dcds.skip=true) is gone, and without one the
     * launcher runs the jar as it is. A refused archive costs the JVM's "Unable to use shared
     * archive" warning at every start.
     */
    @Test
    void theLauncherBesideTheBuildsJarStartsWithoutAWordAboutTheArchive() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "--help").directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(workDir.resolve("out.txt").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("JAVA_OPTS");
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the process finished").isTrue();
        String output = Files.readString(workDir.resolve("out.txt"));

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).startsWith("Usage: tc-job-monitor").doesNotContain("shared archive")
                .doesNotContain("[warning]").doesNotContain("[error]");
    }

    /**
     * The launcher's default JVM options (issue #15: the serial GC, C1 only, a 32 MB initial heap),
     * with nothing in JAVA_OPTS but the request to print the flags the JVM ended with.
     */
    @Test
    void withoutJavaOptsTheJvmRunsWithTheLaunchersDefaultsSerialGcC1OnlyAndA32MbInitialHeap() throws Exception {
        String flags = flags("");

        assertThat(flags).as("a heap that grows to keep 60 % free").containsPattern(flag("MinHeapFreeRatio", "60"))
                .containsPattern(flag("MaxHeapFreeRatio", "85"));
        assertThat(flags).as("the serial GC").containsPattern(flag("UseSerialGC", "true"))
                .containsPattern(flag("UseG1GC", "false"))
                .as("C1 only").containsPattern(flag("TieredStopAtLevel", "1"))
                .as("a 32 MB initial heap").containsPattern(flag("InitialHeapSize", Long.toString(32L << 20)));
    }

    /**
     * An operator's JAVA_OPTS wins over each default: a GC of their own replaces ours (the JVM refuses
     * two: "multiple garbage collectors selected"), C2 comes back, their heap bound holds (beside our
     * small initial heap, which it does not contradict); and the monitor still polls, mapping its
     * classes from the build's archive.
     */
    @Test
    void javaOptsNamingAGcAHeapAndTheJitReplaceTheLaunchersDefaultsAndTheDemoPollStillRuns() throws Exception {
        String mine = "-XX:+UseG1GC -XX:TieredStopAtLevel=4 -Xmx256m";
        assertThat(flags(mine)).containsPattern(flag("UseG1GC", "true")).containsPattern(flag("UseSerialGC", "false"))
                .containsPattern(flag("TieredStopAtLevel", "4")).containsPattern(flag("MaxHeapSize", Long.toString(256L << 20)))
                .containsPattern(flag("InitialHeapSize", Long.toString(32L << 20)));

        Run run = run(LAUNCHER, mine);

        assertThat(run.exitCode()).as(run.stdout()).isZero();
        assertThat(run.stdout()).contains("Poll of 'default' done").doesNotContain("shared archive");
        if (!ARCHIVE_SKIPPED) {
            assertThat(run.loadedClasses())
                    .anySatisfy(line -> assertThat(line).contains("dev.tcjobmonitor.monitor.JobMonitor " + FROM_ARCHIVE));
        }
    }

    /**
     * A max heap below the launcher's 32 MB initial heap is the operator's to choose: the launcher then
     * leaves the initial heap to the JVM, which would otherwise refuse to start ("Initial heap size set
     * to a larger value than the maximum heap size").
     */
    @Test
    void aMaxHeapInJavaOptsBelowTheLaunchersInitialHeapIsTakenNotRefused() throws Exception {
        assertThat(flags("-Xmx16m")).containsPattern(flag("MaxHeapSize", Long.toString(16L << 20)))
                .containsPattern(flag("UseSerialGC", "true"));
        assertThat(flags("-XX:MaxHeapSize=20m")).containsPattern(flag("MaxHeapSize", Long.toString(20L << 20)));
    }

    /**
     * A heap free ratio of one's own, also in HotSpot's short forms (-Xminf, -Xmaxf: fractions),
     * replaces both of the launcher's: a MaxHeapFreeRatio below the launcher's MinHeapFreeRatio
     * would otherwise keep the JVM from starting at all ("must be less than or equal to").
     */
    @ParameterizedTest
    @CsvSource({"-XX:MaxHeapFreeRatio=50, 40, 50", "-XX:MinHeapFreeRatio=20, 20, 70", "-Xmaxf0.5, 40, 50", "-Xminf0.2, 20, 70"})
    void aHeapFreeRatioInJavaOptsReplacesTheLaunchersAndIsNotRefused(String option, String min, String max) throws Exception {
        assertThat(flags(option)).containsPattern(flag("MinHeapFreeRatio", min)).containsPattern(flag("MaxHeapFreeRatio", max));
    }

    /** An initial heap of one's own, or the JVM's own by its fraction of memory, replaces the launcher's 32 MB. */
    @Test
    void anInitialHeapInJavaOptsReplacesTheLaunchers() throws Exception {
        assertThat(flags("-Xms64m")).containsPattern(flag("InitialHeapSize", Long.toString(64L << 20)));
        assertThat(flags("-XX:InitialRAMPercentage=1.5625")).doesNotContainPattern(flag("InitialHeapSize", Long.toString(32L << 20)));
    }

    /** {@code tc-job-monitor --help} with {@code javaOptions} and -XX:+PrintFlagsFinal in JAVA_OPTS: the JVM's final flags. */
    private String flags(String javaOptions) throws Exception {
        Path out = workDir.resolve("flags.txt");
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "--help").directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("JAVA_OPTS", (javaOptions + " -XX:+PrintFlagsFinal").strip());
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the process finished").isTrue();
        String output = Files.readString(out);
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("Usage: tc-job-monitor");
        return output;
    }

    /** How -XX:+PrintFlagsFinal prints {@code name} with {@code value}, e.g. "bool UseSerialGC   = true". */
    private static java.util.regex.Pattern flag(String name, String value) {
        return java.util.regex.Pattern.compile("\\s" + name + "\\s+:?=\\s+" + value + "\\s");
    }

    /**
     * The build puts the systemd unit beside the launcher it starts, and the unit's
     * SuccessExitStatus=143 is the launcher's real status after systemctl stop (SIGTERM): the
     * daemon stops gracefully, the JVM exits with 128 + 15.
     */
    @Test
    void aDaemonStoppedBySigtermExitsWith143WhichTheSystemdUnitBesideItCountsAsSuccess() throws Exception {
        assertThat(unitLines()).contains("SuccessExitStatus=143");
        Path out = workDir.resolve("daemon.txt");
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "--demo").directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("CAMEL_MANAGEMENT_PORT", "0");
        Process daemon = builder.start();
        try {
            // the demo polls at start: once that poll is logged, the daemon is running
            await().atMost(Duration.ofSeconds(90)).failFast("the daemon exited", () -> !daemon.isAlive())
                    .until(() -> Files.readString(out).contains("Poll of 'default' done"));

            daemon.destroy();

            assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
            assertThat(daemon.exitValue()).as(Files.readString(out)).isEqualTo(143);
        } finally {
            daemon.destroyForcibly();
        }
    }

    /** The unit's RestartPreventExitStatus=2: a daemon whose settings are bad exits with 2, and restarting cannot mend that. */
    @Test
    void aDaemonWithABadSettingExitsWith2WhichTheSystemdUnitDoesNotRestart() throws Exception {
        assertThat(unitLines()).contains("RestartPreventExitStatus=2");
        Path out = workDir.resolve("daemon.txt");
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString()).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("CAMEL_MANAGEMENT_PORT", "0");
        builder.environment().putAll(Map.of("TC_BASE_URL", "https://tc.example.com/api", "TC_ACCESS_ID", "id",
                "TC_SECRET_KEY", "secret", "MONITOR_PAGE_SIZE", "20000"));
        Process daemon = builder.start();
        try {
            assertThat(daemon.waitFor(90, TimeUnit.SECONDS)).as("the daemon gave up at start").isTrue();
            assertThat(daemon.exitValue()).as(Files.readString(out)).isEqualTo(2);
            assertThat(Files.readString(out)).contains("monitor.page-size");
        } finally {
            daemon.destroyForcibly();
        }
    }

    /** target/tc-job-monitor.service, copied there by the build from src/main/dist. */
    private static List<String> unitLines() throws IOException {
        Path unit = LAUNCHER.resolveSibling("tc-job-monitor.service");
        assertThat(unit).as("the systemd unit beside the launcher").isRegularFile();
        return Files.readAllLines(unit);
    }
}

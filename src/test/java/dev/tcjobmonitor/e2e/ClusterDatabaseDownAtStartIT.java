package dev.tcjobmonitor.e2e;

import dev.tcjobmonitor.support.Docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.support.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packaged jar on a cluster node whose PostgreSQL cannot be reached as it starts (nothing listens
 * on the port of monitor.cluster.jdbc-url). It cannot start (ClusterDatabaseDownAtStartEndToEndTest
 * says why) and says so in one line naming the database's host:port only; the exit status is 1,
 * which the systemd unit restarts (it does not restart 2: a bad setting), so the node comes up once
 * the database answers. A bad setting still exits 2, the database down or not.
 */
@Execution(ExecutionMode.CONCURRENT)
class ClusterDatabaseDownAtStartIT {

    private static final Pattern INFO_LINE = Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO ");
    private static final String URL_PASSWORD = "Url-Secret-4-Tests";
    private static final String ENV_PASSWORD = "Env-Secret-4-Tests";

    @TempDir
    Path workDir;

    /** The node's settings: a cluster whose database (on a port nothing listens on) is down. */
    private Map<String, String> downDatabase(int port) {
        Map<String, String> environment = new HashMap<>();
        environment.put("TC_BASE_URL", "https://tc.example.org/api");
        environment.put("TC_API_TOKEN", "token");
        environment.put("MONITOR_CLUSTER_ENABLED", "true");
        // a password in the URL too: it must stay out of the line as well as the setting's
        environment.put("MONITOR_CLUSTER_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + port + "/tc_monitor?password=" + URL_PASSWORD);
        environment.put("MONITOR_CLUSTER_PASSWORD", ENV_PASSWORD);
        return environment;
    }

    private int run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(PackagedJar.command(args)).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(workDir.resolve("output.txt").toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("TC_") || key.startsWith("MONITOR_")
                || key.startsWith("SINK") || key.startsWith("CAMEL_"));
        builder.environment().put("CAMEL_MANAGEMENT_PORT", "0");
        builder.environment().putAll(environment);
        Process process = builder.start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the process finished").isTrue();
        return process.exitValue();
    }

    private List<String> output() throws IOException {
        return Files.readAllLines(workDir.resolve("output.txt"));
    }

    /** What each command prints, HOST:PORT standing for the database's. */
    private static final Map<String, String> LINES = Map.of(
            "(daemon)", "tc-job-monitor: cannot start: the cluster's PostgreSQL at HOST:PORT cannot be reached (Connection refused);"
                    + " exit status 1: start it again once the database answers (the systemd unit does, every 10 s)",
            "--once", "tc-job-monitor: poll failed: the cluster's PostgreSQL at HOST:PORT cannot be reached (Connection refused)",
            "--check", "FAIL database: the cluster's PostgreSQL at HOST:PORT cannot be reached (Connection refused)");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"(daemon)", "--once", "--check"})
    void aDatabaseThatCannotBeReachedAtStartExits1WithOneLineNamingItsHostAndPort(String mode) throws Exception {
        int port = FreePorts.freePort();
        String[] args = mode.startsWith("--") ? new String[] {mode} : new String[0];

        int exit = run(downDatabase(port), args);

        List<String> lines = output();
        assertThat(exit).as(String.join("\n", lines)).isEqualTo(1);
        // the first thing besides INFO, and nothing else besides INFO
        assertThat(lines.stream().filter(each -> !INFO_LINE.matcher(each).find()).toList()).as(String.join("\n", lines))
                .containsExactly(LINES.get(mode).replace("HOST:PORT", "127.0.0.1:" + port));
        assertThat(String.join("\n", lines)).doesNotContain(URL_PASSWORD).doesNotContain(ENV_PASSWORD);
    }

    /** docs/operations.md "Deployment: several nodes, one PostgreSQL" quotes the daemon's line, and the others' start. */
    @Test
    void theReadmeQuotesTheseLines() throws IOException {
        String section = Docs.section("Deployment: several nodes, one PostgreSQL").replaceAll("\\s+", " ");

        assertThat(section).contains("`" + LINES.get("(daemon)").replace("HOST:PORT", "db.example.org:5432") + "`");
        for (String mode : List.of("--once", "--check")) {
            String line = LINES.get(mode);
            assertThat(section).contains("`" + line.substring(0, line.indexOf("HOST:PORT")) + "...`");
        }
    }

    @Test
    void aBadClusterSettingStillExits2WhileTheDatabaseIsDown() throws Exception {
        Map<String, String> environment = downDatabase(FreePorts.freePort());
        environment.put("MONITOR_CLUSTER_CONNECT_TIMEOUT_MS", "0");

        int exit = run(environment);

        List<String> lines = output();
        assertThat(exit).as(String.join("\n", lines)).isEqualTo(2);
        assertThat(lines).as(String.join("\n", lines)).contains(
                "tc-job-monitor: cannot start: invalid setting monitor.cluster.connect-timeout-ms: 0 is not a positive number of milliseconds");
    }
}

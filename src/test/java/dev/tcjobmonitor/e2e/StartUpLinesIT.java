package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the packaged jar prints while it starts, as an operator reads it in a terminal: standard
 * output and standard error in one stream, in the order they were written.
 */
@Execution(ExecutionMode.CONCURRENT)
class StartUpLinesIT {

    /** A log line of level INFO: slf4j-simple's format in tc-job-monitor-logging.properties. */
    private static final Pattern INFO_LINE = Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO ");
    private static final Pattern URL = Pattern.compile("https?://[^\\s/]+(/\\S*)?");

    @TempDir
    Path workDir;

    private ProcessBuilder jar(Map<String, String> environment, String... args) {
        ProcessBuilder builder = new ProcessBuilder(PackagedJar.command(args)).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(workDir.resolve("output.txt").toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("TC_") || key.startsWith("MONITOR_")
                || key.startsWith("SINK") || key.startsWith("CAMEL_"));
        builder.environment().put("CAMEL_MANAGEMENT_PORT", "0");
        builder.environment().putAll(environment);
        return builder;
    }

    private List<String> output() throws IOException {
        return Files.readAllLines(workDir.resolve("output.txt"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--once|tc-job-monitor: cannot start: invalid setting pageSize (monitor.page-size) of monitor 'default'",
            "--check|FAIL configuration: invalid setting pageSize (monitor.page-size) of monitor 'default'",
            "(daemon)|tc-job-monitor: cannot start: invalid setting pageSize (monitor.page-size) of monitor 'default'"})
    void aBadSettingsOwnLineIsTheFirstThingBesidesInfoThatAnOperatorSees(String mode, String clearLine) throws Exception {
        String[] args = mode.startsWith("--") ? new String[] {mode} : new String[0];
        Process process = jar(Map.of("TC_BASE_URL", "https://tc.example.org/api", "TC_API_TOKEN", "token",
                "MONITOR_PAGE_SIZE", "20000"), args).start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the process finished").isTrue();

        List<String> lines = output();
        assertThat(lines).as("no vague warning of Camel's says the same").noneMatch(line -> line.contains("vetoed"));
        assertThat(lines.stream().filter(line -> !INFO_LINE.matcher(line).find()).findFirst())
                .as(String.join("\n", lines)).hasValueSatisfying(first -> assertThat(first).startsWith(clearLine));
    }

    @Test
    void everyAddressTheDaemonPrintsIsOneItServesOn() throws Exception {
        // port 0: the system picks the port as the server binds it, so only the server knows it
        Process daemon = jar(Map.of(), "--demo").start();
        try {
            String health = await().atMost(Duration.ofSeconds(60)).until(() -> output().stream()
                    .flatMap(line -> urls(line).stream()).filter(url -> url.endsWith("/observe/health")).findFirst().orElse(null),
                    url -> url != null);

            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(health)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(answer.statusCode()).as(health).isEqualTo(200);
            assertThat(health).startsWith("http://127.0.0.1:");
            List<String> lines = output();
            assertThat(lines).as("every address printed").allSatisfy(line -> assertThat(urls(line))
                    .allSatisfy(url -> assertThat(url).doesNotContain("0.0.0.0").doesNotMatch("https?://[^/]+:0(/.*)?")));
            assertThat(lines).noneMatch(line -> line.matches(".*\\bport 0\\b.*"));
        } finally {
            daemon.destroy();
            assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).as("the daemon stopped").isTrue();
        }
    }

    private static List<String> urls(String line) {
        Matcher matcher = URL.matcher(line);
        List<String> urls = new java.util.ArrayList<>();
        while (matcher.find()) {
            urls.add(matcher.group());
        }
        return urls;
    }
}

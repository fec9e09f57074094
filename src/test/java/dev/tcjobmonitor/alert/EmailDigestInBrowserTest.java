package dev.tcjobmonitor.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The digest's HTML as a person sees it: rendered by a real headless Chromium (Debian's package;
 * .ci/run installs it), with a screenshot in target/email-digest.png to look at. Hostile exit
 * messages must show as text: no script runs, no element is injected.
 */
class EmailDigestInBrowserTest {

    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final String PWNED = "pwned-by-exit-message";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path profile;

    @BeforeAll
    static void requireChromium() {
        if (!Files.isExecutable(CHROMIUM)) {
            System.err.println("\n*** EmailDigestInBrowserTest SKIPPED: no Chromium at " + CHROMIUM
                    + " (apt-get install chromium, or set CHROMIUM). .ci/run installs it. ***\n");
            Assumptions.abort("Chromium is not installed at " + CHROMIUM);
        }
    }

    @Test
    void hostileExitMessagesRenderAsTextInARealBrowser() throws Exception {
        List<Alert> alerts = List.of(
                alert(1, 100, "2026-11-28T10:00:00Z", "Failed for status (404)\n"),
                alert(2, 100, "2026-11-28T10:05:00Z", "<script>document.title='" + PWNED + "'</script>\n"),
                alert(3, 174, "2026-11-28T10:06:00Z", "\"><img src=x onerror=\"document.title='" + PWNED + "'\">\r\nBcc: x@y\n"));
        String html = new EmailDigest(id -> Map.of("100", "Feed import (prod)").getOrDefault(id, "Job " + id)).html(alerts);
        Path page = Path.of("target", "email-digest.html").toAbsolutePath();
        Path screenshot = Path.of("target", "email-digest.png").toAbsolutePath();
        Files.createDirectories(page.getParent());
        Files.writeString(page, html);
        Files.deleteIfExists(screenshot);

        String dom = chromium("--dump-dom", page.toUri().toString());
        chromium("--screenshot=" + screenshot, "--window-size=1000,800", page.toUri().toString());

        assertThat(dom).as("no script ran").doesNotContain("<title>" + PWNED);
        assertThat(dom).as("no element was injected").doesNotContain("<script").doesNotContain("<img");
        assertThat(dom).as("the messages show as text").contains("&lt;script&gt;document.title=").contains("&lt;img src=x onerror=");
        assertThat(dom).contains("Feed import (prod)").contains("Job 174");
        byte[] png = Files.readAllBytes(screenshot);
        assertThat(png.length).isGreaterThan(5_000);
        assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }

    private String chromium(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        Path out = profile.resolve("stdout.txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(profile.resolve("stderr.txt").toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(process.exitValue()).as(Files.readString(profile.resolve("stderr.txt"))).isZero();
        return Files.readString(out);
    }

    private static Alert alert(long id, long jobId, String failedTime, String exitMessage) {
        ObjectNode fields = JSON.createObjectNode().put("id", id).put("jobId", jobId).put("failedTime", failedTime)
                .put("exitMessage", exitMessage).put("serverName", "tc-job").put("status", "Failed");
        FailedExecution execution = new FailedExecution(fields);
        return new Alert(execution, execution.deliveryKey(), Instant.parse(failedTime), fields.toString(), Set.of("email"), "default");
    }
}

package dev.tcjobmonitor.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The digest's HTML as a person sees it: rendered by a real headless Chromium (Debian's package;
 * .ci/run installs it), with a screenshot in target/email-digest.png to look at. Hostile exit
 * messages must show as text: no script runs, no element is injected.
 *
 * <p>Chromium is looked for where .ci/run puts it: {@code $CHROMIUM} if set (and then only there),
 * else {@code chromium} on the PATH, else /usr/bin/chromium. Without it the test is reported as
 * skipped, except under {@code CI=true} (.ci/run exports it): there a missing browser fails the
 * build, so a CI run can never pass without having rendered the digest.
 */
class EmailDigestInBrowserTest {

    /** where Debian's package installs it, in case the test JVM's PATH lacks /usr/bin */
    private static final Path DEBIAN_CHROMIUM = Path.of("/usr/bin/chromium");
    private static final String PWNED = "pwned-by-exit-message";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path profile;

    private Path chromium;

    @BeforeEach
    void requireChromium() {
        Optional<Path> found = locateChromium(System.getenv());
        if (found.isPresent()) {
            chromium = found.get();
            return;
        }
        String missing = "no Chromium for EmailDigestInBrowserTest: " + whereLooked(System.getenv())
                + ". Install Debian's package (sudo apt-get install chromium; .ci/run does this) or set CHROMIUM=/path/to/chromium";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true and " + missing);
        }
        // a JUnit assumption: surefire counts the test as skipped ("Skipped: 1"), not as 0 tests
        Assumptions.abort(missing);
    }

    /** $CHROMIUM wins, even when it names nothing (an override that silently fell back would hide a typo). */
    static Optional<Path> locateChromium(Map<String, String> env) {
        String override = env.get("CHROMIUM");
        if (override != null && !override.isBlank()) {
            return Optional.of(Path.of(override)).filter(Files::isExecutable);
        }
        List<Path> candidates = new ArrayList<>();
        for (String dir : env.getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isBlank()) {
                candidates.add(Path.of(dir, "chromium"));
            }
        }
        candidates.add(DEBIAN_CHROMIUM);
        return candidates.stream().filter(Files::isRegularFile).filter(Files::isExecutable).findFirst();
    }

    private static String whereLooked(Map<String, String> env) {
        String override = env.get("CHROMIUM");
        return override != null && !override.isBlank()
                ? "CHROMIUM=" + override + " is not an executable file"
                : "no executable 'chromium' on PATH nor at " + DEBIAN_CHROMIUM;
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

    /**
     * With a repeat interval the digest shows, per job, a reminder (how many more failures since
     * when, the last exit message) and the failures the poll held for a later reminder; a hostile
     * exit message in a reminder shows as text too.
     */
    @Test
    void heldRepeatsAndRemindersRenderPerJobInARealBrowser() throws Exception {
        ObjectNode fields = JSON.createObjectNode()
                .put("reminder", "Job 174 failed 16 more times since 2026-11-28T10:00:00Z; last exit message: x")
                .put("status", "JobStillFailing").put("jobId", 174).put("count", 16).put("since", "2026-11-28T10:00:00Z")
                .put("repeatInterval", "PT4H").put("lastFailedTime", "2026-11-28T13:45:00Z").put("lastExecutionId", "991")
                .put("exitMessage", "<script>document.title='" + PWNED + "'</script>\n");
        FailedExecution execution = new FailedExecution(fields);
        Alert reminder = new Alert(execution, "reminder-174-1", Instant.parse("2026-11-28T14:00:00Z"), fields.toString(),
                Set.of("email"), "default");
        List<Alert> alerts = List.of(reminder, alert(7, 100, "2026-11-28T14:01:00Z", "Failed for status (404)\n"));
        String html = new EmailDigest(id -> Map.of("100", "Feed import (prod)", "174", "Vendor feed").getOrDefault(id, ""))
                .withHeld(Map.of("100", new EmailDigest.Held(3, Instant.parse("2026-11-28T18:01:00Z")),
                        "55", new EmailDigest.Held(2, Instant.parse("2026-11-28T15:00:00Z"))))
                .html(alerts);
        Path page = Path.of("target", "email-digest-repeats.html").toAbsolutePath();
        Path screenshot = Path.of("target", "email-digest-repeats.png").toAbsolutePath();
        Files.createDirectories(page.getParent());
        Files.writeString(page, html);
        Files.deleteIfExists(screenshot);

        String dom = chromium("--dump-dom", page.toUri().toString());
        chromium("--screenshot=" + screenshot, "--window-size=1000,800", page.toUri().toString());

        assertThat(dom).as("no script ran").doesNotContain("<title>" + PWNED).doesNotContain("<script");
        assertThat(dom).contains("Vendor feed (job 174)").contains("still failing")
                .contains("Failed 16 more times since 2026-11-28T10:00:00Z (the last at 2026-11-28T13:45:00Z, execution 991)")
                .contains("&lt;script&gt;document.title=");
        assertThat(dom).contains("Feed import (prod) (job 100)").contains("3 more failures held for a reminder due 2026-11-28T18:01:00Z");
        assertThat(dom).contains("Job 55").contains("2 more failures held for a reminder due 2026-11-28T15:00:00Z");
        assertThat(Files.size(screenshot)).isGreaterThan(5_000);
    }

    /** A recovered job (README "Job recovered") shows in the digest's own section, its name as text. */
    @Test
    void aRecoveredJobShowsInItsOwnSectionInARealBrowser() throws Exception {
        List<Alert> alerts = List.of(
                alert(1, 100, "2026-11-28T10:00:00Z", "Failed for status (404)\n"),
                EmailDigestTest.recovered(174, "2026-11-28T10:30:00Z", 16));
        String html = new EmailDigest(id -> Map.of("174", "<b>Feed</b> import").getOrDefault(id, "Job " + id)).html(alerts);
        Path page = Path.of("target", "email-digest-recovered.html").toAbsolutePath();
        Path screenshot = Path.of("target", "email-digest-recovered.png").toAbsolutePath();
        Files.createDirectories(page.getParent());
        Files.writeString(page, html);
        Files.deleteIfExists(screenshot);

        String dom = chromium("--dump-dom", page.toUri().toString());
        chromium("--screenshot=" + screenshot, "--window-size=1000,600", page.toUri().toString());

        assertThat(dom).containsSubsequence("Job 100", "Recovered", "&lt;b&gt;Feed&lt;/b&gt; import (job 174)",
                "2026-11-28T10:30:00Z (execution 2001)", "16, from");
        assertThat(dom).as("no element was injected").doesNotContain("<b>Feed");
        assertThat(Files.size(screenshot)).isGreaterThan(5_000);
    }

    private String chromium(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
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

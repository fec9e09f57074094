package dev.tcjobmonitor.e2e;

import dev.tcjobmonitor.support.Mails;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.support.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Silences (docs/alerts.md "Silences"): an operator's silences.yaml hides a job's failures (or those whose
 * exit message contains a text) from some sinks or all of them, for a time. A silenced failure is
 * recorded as delivered for the sinks the silence names, never sent to them, counted in
 * tc_monitor_alerts_silenced_total, and still reaches every other sink; it does not keep the
 * window open. The file is read again at each poll: an edit applies at the next one.
 */
class SilencesEndToEndTest {

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private final HttpClient http = HttpClient.newHttpClient();
    private GreenMail smtp;

    /** The monitor with the file sink and the email sink (one mail per failure) on GreenMail, metrics over HTTP. */
    private MonitorHarness fileAndEmail() throws Exception {
        return fileAndEmail("each");
    }

    /** The same, the email sink in {@code mode} ({@code each} or {@code digest}). */
    private MonitorHarness fileAndEmail(String mode) throws Exception {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", "smtp").dynamicPort());
        monitors.closeLast(smtp::stop);
        smtp.start();
        return monitors.harness("monitor")
                .set("sinks", "file,email")
                .set("sink.email.host", "127.0.0.1")
                .set("sink.email.port", String.valueOf(smtp.getSmtp().getPort()))
                .set("sink.email.from", "monitor@example.org")
                .set("sink.email.to", "oncall@example.org")
                .set("sink.email.mode", mode)
                .set("sink.email.max-redeliveries", "0")
                .set("camel.management.enabled", "true")
                .set("camel.management.port", "0")
                .start();
    }

    private static void write(MonitorHarness h, String yaml) {
        try {
            Files.createDirectories(h.silencesFile.getParent());
            Files.writeString(h.silencesFile, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String silenceOfJob(long job, String sinks, Instant ends) {
        return """
                silences:
                  - job: %d
                    sinks: %s
                    ends: %s
                    reason: feed vendor outage, ticket OPS-1234
                    author: alice
                """.formatted(job, sinks, ends);
    }

    @Test
    void aSilenceOfOneJobOnEmailHidesItFromEmailOnlyCountsItAndLetsTheWindowClose() throws Exception {
        MonitorHarness h = fileAndEmail();
        write(h, silenceOfJob(7, "[email]", Instant.now().plus(Duration.ofHours(1))));
        Instant recent = Instant.now().minusSeconds(60);
        h.simulator.addFailed(7, recent, "job 7 broke\n");
        h.simulator.addFailed(8, recent.plusSeconds(1), "job 8 broke\n");

        Poll[] poll = new Poll[1];
        String log = StandardOutput.of(() -> poll[0] = h.poll());

        assertThat(poll[0].failure()).isEmpty();
        assertThat(poll[0].silencedBySink()).containsExactlyEntriesOf(java.util.Map.of("email", 1));
        assertThat(poll[0].deliveredBySink()).containsEntry("file", 2).containsEntry("email", 1);
        // the file sink, which the silence does not name, has both
        assertThat(h.alerts()).extracting(alert -> alert.get("jobId").asLong()).containsExactlyInAnyOrder(7L, 8L);
        // the mailbox has job 8 only
        assertThat(mailTexts()).hasSize(1).allSatisfy(text -> assertThat(text).contains("job 8 broke").doesNotContain("job 7 broke"));
        assertThat(h.watermark()).as("the silenced failure is done for email: the window closes")
                .contains(poll[0].windowEnd().toString());
        assertThat(log).contains("silenced email=1");
        assertThat(silencedMetric(h, "email")).isEqualTo(1.0);

        // recorded as delivered for email: the next window (reaching back the overlap) sends it to nobody
        Poll next = h.poll();
        assertThat(next.silencedBySink()).isEmpty();
        assertThat(next.deliveredBySink()).isEmpty();
        assertThat(mailTexts()).hasSize(1);
        assertThat(silencedMetric(h, "email")).isEqualTo(1.0);
    }

    /**
     * The digest of a poll says what a silence hid from the mailbox (the silence's line, author,
     * reason and end), so the reader knows the mailbox is not the whole story.
     */
    @Test
    void theDigestOfThePollSaysWhichSilenceHidWhatFromTheMailbox() throws Exception {
        MonitorHarness h = fileAndEmail("digest");
        write(h, silenceOfJob(7, "[email]", Instant.parse("2099-01-01T00:00:00Z")));
        Instant recent = Instant.now().minusSeconds(60);
        h.simulator.addFailed(7, recent, "job 7 broke\n");
        h.simulator.addFailed(7, recent.plusSeconds(1), "job 7 broke again\n");
        h.simulator.addFailed(8, recent.plusSeconds(2), "job 8 broke\n");

        assertThat(h.poll().failure()).isEmpty();

        assertThat(mailTexts()).singleElement().satisfies(text -> assertThat(text)
                .contains("job 8 broke").doesNotContain("job 7 broke")
                .contains("2 failures of job 7 hidden by the silence at line 2 (alice: feed vendor outage, ticket OPS-1234)"
                        + " until 2099-01-01T00:00:00Z"));
    }

    /**
     * A silence applies to the failures found while it is active (the monitor's clock at the poll
     * that finds them): once it ended, a new failure of the job reaches every sink again, and
     * what it hid while active stays hidden.
     */
    @Test
    void anExpiredSilenceNoLongerApplies() throws Exception {
        MonitorHarness h = fileAndEmail();
        ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        h.monitor("default").setClock(clock);
        write(h, silenceOfJob(7, "[email]", clock.instant().plus(Duration.ofMinutes(10))));
        h.simulator.addFailed(7, clock.instant().minusSeconds(60), "job 7 broke while silenced\n");
        Poll whileSilenced = h.poll();
        assertThat(whileSilenced.silencedBySink()).containsEntry("email", 1);

        clock.advance(Duration.ofMinutes(11));
        h.simulator.addFailed(7, clock.instant().minusSeconds(60), "job 7 broke after the silence\n");
        Poll afterwards = h.poll();

        assertThat(afterwards.failure()).isEmpty();
        assertThat(afterwards.silencedBySink()).isEmpty();
        assertThat(afterwards.deliveredBySink()).containsEntry("file", 1).containsEntry("email", 1);
        assertThat(mailTexts()).hasSize(1).allSatisfy(text ->
                assertThat(text).contains("job 7 broke after the silence").doesNotContain("while silenced"));
        assertThat(silencedMetric(h, "email")).isEqualTo(1.0);
    }

    @Test
    void aSilencesFileEditedBetweenPollsTakesEffectAtTheNextPoll() throws Exception {
        MonitorHarness h = monitors.harness().set("sinks", "file").start();
        h.simulator.addFailed(7, Instant.now().minusSeconds(120), "first\n");
        assertThat(h.poll().deliveredBySink()).containsEntry("file", 1);

        // silenced on every sink (no sinks named) from the next poll on, without a restart
        write(h, """
                silences:
                  - exitMessageContains: VENDOR TIMEOUT
                    ends: %s
                    reason: vendor maintenance window
                    author: bob
                """.formatted(Instant.now().plus(Duration.ofHours(2))));
        h.simulator.addFailed(7, Instant.now().minusSeconds(90), "Failed: vendor timeout after 30 s\n");
        h.simulator.addFailed(9, Instant.now().minusSeconds(90), "Failed: status 500\n");
        Poll silenced = h.poll();
        assertThat(silenced.silencedBySink()).containsEntry("file", 1);
        assertThat(silenced.failure()).isEmpty();
        assertThat(h.alerts()).extracting(alert -> alert.get("exitMessage").asText())
                .containsExactlyInAnyOrder("first\n", "Failed: status 500\n");

        // the silence removed: the next failure of the text reaches the sink again
        write(h, "silences: []\n");
        h.simulator.addFailed(7, Instant.now().minusSeconds(60), "Failed: vendor timeout again\n");
        Poll lifted = h.poll();
        assertThat(lifted.silencedBySink()).isEmpty();
        assertThat(lifted.deliveredBySink()).containsEntry("file", 1);
        assertThat(h.alerts()).extracting(alert -> alert.get("exitMessage").asText()).contains("Failed: vendor timeout again\n")
                .doesNotContain("Failed: vendor timeout after 30 s\n");
    }

    @Test
    void aMalformedSilencesFileIsRejectedInOneLineNamingItsLineAndThePreviousSilencesStayActive() throws Exception {
        MonitorHarness h = monitors.harness().set("sinks", "file").start();
        Instant ends = Instant.now().plus(Duration.ofHours(1));
        write(h, silenceOfJob(7, "all", ends));
        h.simulator.addFailed(7, Instant.now().minusSeconds(120), "job 7 broke\n");
        assertThat(h.poll().silencedBySink()).containsEntry("file", 1);

        // line 5: a silence that ends before it starts
        write(h, """
                silences:
                  - job: 7
                    starts: 2026-12-01T10:00:00Z
                    author: alice
                    ends: 2026-12-01T09:00:00Z
                    reason: typo in the date
                """);
        h.simulator.addFailed(7, Instant.now().minusSeconds(60), "job 7 broke again\n");
        Poll[] poll = new Poll[1];
        String log = StandardOutput.of(() -> poll[0] = h.poll());

        List<String> warnings = log.lines().filter(line -> line.contains("Silences file")).toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("WARN").contains("rejected, line 5").contains("ends").contains("before it starts")
                .contains("1 silence(s) read before stay active");
        assertThat(poll[0].silencedBySink()).as("the previous silence still applies").containsEntry("file", 1);
        assertThat(h.alerts()).isEmpty();

        // said once: the same rejected file is not reported at every poll
        String again = StandardOutput.of(h::poll);
        assertThat(again).doesNotContain("Silences file");
    }

    /** --dry-run says which sink a silence would keep a failure from, and records nothing (no delivered id). */
    @Test
    void aDryRunSaysWhatASilenceWouldHideAndRecordsNothing() throws Exception {
        MonitorHarness h = monitors.harness().set("sinks", "file").set("monitor.dry-run", "true").start();
        write(h, silenceOfJob(7, "[file]", Instant.now().plus(Duration.ofHours(1))));
        h.simulator.addFailed(7, Instant.now().minusSeconds(60), "job 7 broke\n");

        Poll[] poll = new Poll[1];
        String log = StandardOutput.of(() -> poll[0] = h.poll());

        assertThat(log).contains("Would not deliver to file (silence at line 2 by alice: feed vendor outage, ticket OPS-1234)");
        assertThat(poll[0].silencedBySink()).isEmpty();
        assertThat(h.alerts()).isEmpty();

        // the same failure, polled for real once the silence is gone, reaches the file sink: the dry run recorded nothing
        write(h, "silences: []\n");
        h.set("monitor.dry-run", "false").restart();
        assertThat(h.poll().deliveredBySink()).containsEntry("file", 1);
    }

    /** A silence without an end never stops applying on its own: the file is rejected, naming the silence's line. */
    @Test
    void aSilenceWithoutAnEndIsRejectedNamingItsLine() throws Exception {
        MonitorHarness h = monitors.harness().set("sinks", "file").start();
        write(h, """
                silences:
                  - job: 7
                    reason: forever
                    author: alice
                """);
        h.simulator.addFailed(7, Instant.now().minusSeconds(60), "job 7 broke\n");

        Poll[] poll = new Poll[1];
        String log = StandardOutput.of(() -> poll[0] = h.poll());

        assertThat(log).contains("rejected, line 2: the silence has no 'ends'");
        assertThat(poll[0].silencedBySink()).isEmpty();
        assertThat(h.alertedIds()).hasSize(1);
    }

    /** A job ThreatConnect does not know (yet) may be silenced; the monitor says so once, not at every poll. */
    @Test
    void aSilenceOfAJobThreatConnectDoesNotKnowIsAcceptedAndSaidOnce() throws Exception {
        MonitorHarness h = monitors.harness().set("sinks", "file").start();
        h.simulator.addJob(100, "feed-import", "Feed import (prod)");
        write(h, """
                silences:
                  - job: 100
                    ends: %1$s
                    reason: known
                    author: alice
                  - job: 4242
                    ends: %1$s
                    reason: not created yet
                    author: alice
                """.formatted(Instant.now().plus(Duration.ofHours(1))));

        String first = StandardOutput.of(h::poll);
        h.simulator.addFailed(4242, Instant.now().minusSeconds(60), "the new job broke\n");
        Poll[] second = new Poll[1];
        String later = StandardOutput.of(() -> second[0] = h.poll());

        assertThat(first.lines().filter(line -> line.contains("names job"))).hasSize(1)
                .allSatisfy(line -> assertThat(line).contains("job 4242"));
        assertThat(later).doesNotContain("names job");
        assertThat(second[0].silencedBySink()).as("accepted: it applies once the job fails").containsEntry("file", 1);
    }

    /** A sink name the monitor does not deliver to (a typo: "emial") silences nothing; the monitor says so, once. */
    @Test
    void aSilenceNamingASinkTheMonitorDoesNotHaveIsSaidOnce() throws Exception {
        MonitorHarness h = monitors.harness().set("sinks", "file").start();
        write(h, silenceOfJob(7, "[emial]", Instant.now().plus(Duration.ofHours(1))));
        h.simulator.addFailed(7, Instant.now().minusSeconds(60), "job 7 broke\n");

        Poll[] poll = new Poll[1];
        String first = StandardOutput.of(() -> poll[0] = h.poll());
        String later = StandardOutput.of(h::poll);

        assertThat(first.lines().filter(line -> line.contains("names sink 'emial'"))).hasSize(1)
                .allSatisfy(line -> assertThat(line).contains("WARN").contains("line 2").contains("silences nothing there"));
        assertThat(later).doesNotContain("names sink");
        assertThat(poll[0].deliveredBySink()).containsEntry("file", 1);
    }

    private List<String> mailTexts() {
        return Arrays.stream(smtp.getReceivedMessages()).map(Mails::text).toList();
    }

    /** tc_monitor_alerts_silenced_total{monitor="default",sink=...}, scraped over HTTP as an operator would. */
    private double silencedMetric(MonitorHarness h, String sink) throws Exception {
        int port = VertxPlatformHttpRouter.lookup(h.context(), VertxPlatformHttpRouter.getRouterNameFromPort(0)).getServer().getPort();
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String labels = "monitor=\"default\",sink=\"" + sink + "\"";
        Matcher sample = Pattern.compile("(?m)^" + Pattern.quote("tc_monitor_alerts_silenced_total{" + labels) + "[^}]*\\} (\\S+)$")
                .matcher(metrics);
        assertThat(sample.find()).as("tc_monitor_alerts_silenced_total{%s} in the scrape", labels).isTrue();
        return Double.parseDouble(sample.group(1));
    }
}

package dev.tcjobmonitor.e2e;

import dev.tcjobmonitor.support.Mails;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.simulator.Fault;
import dev.tcjobmonitor.simulator.RecordedRequest;
import dev.tcjobmonitor.support.EmbeddedPostgresServer;
import dev.tcjobmonitor.support.ManualClock;
import jakarta.mail.internet.MimeMessage;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * "Job recovered" notices (README "Job recovered"): when a job whose failures a sink got has a
 * Completed execution after its last failure, that sink gets one {@code "status":"JobRecovered"}
 * notice, found with one more query per poll (only while some job is failing), delivered as any
 * alert is: a sink that refuses it keeps it pending, and gets it once, later.
 */
class JobRecoveredEndToEndTest {

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();

    private static List<JsonNode> notices(List<JsonNode> alerts) {
        return alerts.stream().filter(alert -> "JobRecovered".equals(alert.path("status").asText())).toList();
    }

    /** The TQL of the recovery queries the simulator received (those that ask for completedTime). */
    private static List<String> recoveryQueries(MonitorHarness h) {
        return h.simulator.requests().stream().map(RecordedRequest::target)
                .filter(target -> target.contains("tql="))
                .map(target -> URLDecoder.decode(target.substring(target.indexOf("tql=") + 4).replaceAll("&.*", ""),
                        StandardCharsets.UTF_8))
                .filter(tql -> tql.contains("completedTime"))
                .toList();
    }

    @Test
    void aJobThatCompletesAfterItsFailuresGetsOneRecoveredNoticeWithItsFailuresAndTheCompletion() throws Exception {
        MonitorHarness h = monitors.harness().set("sinks", "file").start();
        h.simulator.addJob(7, "Feed import", null);
        Instant first = Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS);
        h.simulator.addFailed(7, first, "Failed for status (404)\n");
        h.simulator.addFailed(7, first.plusSeconds(60), "Failed for status (404)\n");
        h.simulator.addFailed(8, first.plusSeconds(60), "another job, still broken\n");
        assertThat(h.poll().deliveredBySink()).containsEntry("file", 3);
        assertThat(notices(h.alerts())).as("nothing has completed yet").isEmpty();

        long completed = h.simulator.addCompleted(7, first.plusSeconds(120));
        Poll recovered = h.poll();

        assertThat(recovered.failure()).isEmpty();
        List<JsonNode> notices = notices(h.alerts());
        assertThat(notices).hasSize(1);
        JsonNode notice = notices.get(0);
        assertThat(notice.path("notice").asText()).isEqualTo("Job 7 (Feed import) recovered");
        assertThat(notice.path("jobId").asLong()).isEqualTo(7);
        assertThat(notice.path("jobName").asText()).isEqualTo("Feed import");
        assertThat(notice.path("firstFailure").asText()).isEqualTo(first.toString());
        assertThat(notice.path("lastFailure").asText()).isEqualTo(first.plusSeconds(60).toString());
        assertThat(notice.path("failureCount").asInt()).isEqualTo(2);
        assertThat(notice.path("completedExecutionId").asLong()).isEqualTo(completed);
        assertThat(notice.path("completedTime").asText()).isEqualTo(first.plusSeconds(120).toString());
        assertThat(notice.path("monitor").path("instance").asText()).isEqualTo("default");
        // one query, for the jobs failing now, with documented TQL fields only
        assertThat(recoveryQueries(h)).last().asString()
                .isEqualTo("jobId IN (7, 8) AND completedTime > \"" + first.plusSeconds(60) + "\"");

        // job 7 left the failing set: no second notice; job 8 is still asked about
        h.simulator.clearRequests();
        h.poll();
        assertThat(notices(h.alerts())).hasSize(1);
        assertThat(recoveryQueries(h)).containsExactly("jobId IN (8) AND completedTime > \"" + first.plusSeconds(60) + "\"");
    }

    @Test
    void noJobIsFailingNoRecoveryQueryIsMade() throws Exception {
        MonitorHarness h = monitors.harness().set("sinks", "file").start();
        h.simulator.addCompleted(7, Instant.now().minusSeconds(60));
        h.poll();
        h.poll();
        assertThat(recoveryQueries(h)).isEmpty();
        assertThat(notices(h.alerts())).isEmpty();
    }

    @Test
    void aJobThatFailedAgainAfterItCompletedHasNotRecovered() throws Exception {
        MonitorHarness h = monitors.harness().set("sinks", "file").start();
        Instant first = Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS);
        h.simulator.addFailed(7, first, "broken\n");
        h.poll();

        // both found by the same poll: the failure after the success is what counts
        h.simulator.addCompleted(7, first.plusSeconds(60));
        h.simulator.addFailed(7, first.plusSeconds(120), "broken again\n");
        assertThat(h.poll().deliveredBySink()).containsEntry("file", 1);
        assertThat(notices(h.alerts())).isEmpty();

        h.simulator.addCompleted(7, first.plusSeconds(180));
        h.poll();
        assertThat(notices(h.alerts())).singleElement().satisfies(notice -> {
            assertThat(notice.path("failureCount").asInt()).isEqualTo(2);
            assertThat(notice.path("completedTime").asText()).isEqualTo(first.plusSeconds(180).toString());
        });
    }

    /**
     * The notice goes as any alert: a sink that refuses it keeps it pending (its job stays in its
     * failing set), the other sinks have it once, and the refusing sink gets it once it takes it.
     */
    @Test
    void aSinkThatRefusesTheNoticeKeepsItPendingAndGetsItOnceWhileTheOthersGetItOnce() throws Exception {
        WebhookReceiver webhook = monitors.closeFirst(WebhookReceiver.down()).comeUp();
        webhook.answer(503, "JobRecovered");
        MonitorHarness h = monitors.harness()
                .set("sinks", "file,custom")
                .set("sink.custom.uri", webhook.uri())
                .set("sink.custom.max-redeliveries", "0")
                .start();
        Instant first = Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS);
        h.simulator.addFailed(7, first, "broken\n");
        h.poll();
        assertThat(webhook.received()).hasSize(1);

        h.simulator.addCompleted(7, first.plusSeconds(60));
        Poll refused = h.poll();
        assertThat(notices(h.alerts())).hasSize(1);
        assertThat(webhook.refused()).hasSize(1);
        assertThat(h.watermark()).as("a notice holds no window open: its failing set keeps it")
                .contains(refused.windowEnd().toString());

        Poll stillRefused = h.poll();
        assertThat(webhook.refused()).as("offered again at the next poll").hasSize(2);
        assertThat(notices(h.alerts())).as("the file sink has it already").hasSize(1);

        webhook.accept();
        h.poll();
        h.poll();
        assertThat(webhook.received()).extracting(WebhookReceiver.Received::body)
                .filteredOn(body -> body.contains("\"status\":\"JobRecovered\"")).hasSize(1);
        assertThat(notices(h.alerts())).hasSize(1);
        assertThat(stillRefused.failure()).isEmpty();
    }

    /**
     * The recovery query failing (here HTTP 500) fails neither the poll nor its delivery of
     * failures: one line says so, nothing moves, and the next poll asks again.
     */
    @Test
    void aFailedRecoveryQueryIsSaidInOneLineAndAskedAgainAtTheNextPoll() throws Exception {
        MonitorHarness h = monitors.harness().set("sinks", "file").start();
        Instant first = Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS);
        h.simulator.addFailed(7, first, "broken\n");
        h.poll();

        h.simulator.addCompleted(7, first.plusSeconds(60));
        h.simulator.addFailed(8, first.plusSeconds(90), "another job broke\n");
        // the poll's page passes, the recovery query after it gets HTTP 500
        h.simulator.enqueueFault(new Fault("none", Duration.ZERO, normal -> normal));
        h.simulator.enqueueFault(Fault.error(500, "Internal Server Error"));
        Poll[] poll = new Poll[1];
        String log = StandardOutput.of(() -> poll[0] = h.poll());

        assertThat(poll[0].failure()).isEmpty();
        assertThat(poll[0].deliveredBySink()).containsEntry("file", 1);
        assertThat(h.watermark()).contains(poll[0].windowEnd().toString());
        List<String> lines = log.lines().filter(line -> line.contains("Recovery check")).toList();
        assertThat(lines).singleElement().asString().contains("WARN").contains("Recovery check of 'default' failed")
                .contains("asked about again at the next poll").contains("HTTP 500").doesNotContain(MonitorHarness.SECRET_KEY);
        assertThat(notices(h.alerts())).isEmpty();

        h.poll();
        assertThat(notices(h.alerts())).singleElement()
                .satisfies(notice -> assertThat(notice.path("jobId").asLong()).isEqualTo(7));
    }

    @Test
    void aJobWhoseLastFailureIsOlderThanTheRecoveryWindowIsForgottenWithoutANotice() throws Exception {
        MonitorHarness h = monitors.harness().set("sinks", "file").set("monitor.recovery-window", "PT1H").start();
        ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        h.monitor("default").setClock(clock);
        h.simulator.addFailed(7, clock.instant().minusSeconds(60), "broken\n");
        h.poll();
        h.poll();
        assertThat(recoveryQueries(h)).as("job 7 is failing: asked about").hasSize(1);

        clock.advance(Duration.ofMinutes(61));
        h.simulator.addCompleted(7, clock.instant().minusSeconds(30));
        h.simulator.clearRequests();
        h.poll();
        assertThat(notices(h.alerts())).isEmpty();
        assertThat(recoveryQueries(h)).as("nothing is failing any more: no query").isEmpty();
    }

    @Test
    void recoveryNoticesOffMeansNoQueryAndNoNotice() throws Exception {
        MonitorHarness h = monitors.harness().set("sinks", "file").set("monitor.recovery-notices", "false").start();
        Instant first = Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS);
        h.simulator.addFailed(7, first, "broken\n");
        h.poll();
        h.simulator.addCompleted(7, first.plusSeconds(60));
        h.poll();
        assertThat(recoveryQueries(h)).isEmpty();
        assertThat(notices(h.alerts())).isEmpty();
    }

    /** In a cluster the failing sets are the PostgreSQL's, as the delivered ids are: a restarted node goes on. */
    @Test
    void theClusterKeepsTheFailingSetsInPostgres() throws Exception {
        EmbeddedPostgresServer postgres = monitors.closeLast(new EmbeddedPostgresServer(monitors.tempDir().resolve("pg"))).start();
        MonitorHarness h = monitors.harness("node").set("sinks", "file")
                .set("monitor.cluster.enabled", "true")
                .set("monitor.cluster.jdbc-url", postgres.jdbcUrl())
                .set("monitor.cluster.user", postgres.user())
                .set("monitor.cluster.password", "")
                .start();
        Instant first = Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS);
        h.simulator.addFailed(7, first, "broken\n");
        h.simulator.addFailed(7, first.plusSeconds(30), "broken\n");
        h.poll();
        assertThat(java.nio.file.Files.exists(h.stateDir.resolve("default").resolve("failing-jobs.tsv")))
                .as("not in the node's folder").isFalse();

        h.restart();
        h.simulator.addCompleted(7, first.plusSeconds(60));
        h.poll();
        assertThat(notices(h.alerts())).singleElement()
                .satisfies(notice -> assertThat(notice.path("failureCount").asInt()).isEqualTo(2));
        h.poll();
        assertThat(notices(h.alerts())).hasSize(1);
    }

    /**
     * The email digest of the poll that finds the recovery shows it beside that poll's new failures:
     * one mail, with the recovered job in its own section.
     */
    @Test
    void theEmailDigestShowsTheRecoveredJobBesideThePollsNewFailures() throws Exception {
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", "smtp").dynamicPort());
        monitors.closeLast(smtp::stop);
        smtp.start();
        MonitorHarness h = monitors.harness()
                .set("sinks", "file,email")
                .set("sink.email.host", "127.0.0.1")
                .set("sink.email.port", String.valueOf(smtp.getSmtp().getPort()))
                .set("sink.email.from", "monitor@example.org")
                .set("sink.email.to", "oncall@example.org")
                .set("sink.email.max-redeliveries", "0")
                .start();
        h.simulator.addJob(7, "Feed import", null);
        Instant first = Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS);
        h.simulator.addFailed(7, first, "Failed for status (404)\n");
        h.poll();
        assertThat(smtp.getReceivedMessages()).hasSize(1);

        h.simulator.addCompleted(7, first.plusSeconds(60));
        h.simulator.addFailed(8, first.plusSeconds(90), "another job broke\n");
        h.poll();

        MimeMessage[] mails = smtp.getReceivedMessages();
        assertThat(mails).as("one digest for the poll").hasSize(2);
        assertThat(mails[1].getSubject()).isEqualTo("[ThreatConnect] Job 8 failed; 1 job recovered on monitor 'default'");
        String body = Mails.text(mails[1]);
        assertThat(body).contains("another job broke").contains("Feed import (job 7)")
                .contains("Completed at: " + first.plusSeconds(60)).contains("Failures:     1, from " + first);
        assertThat(notices(h.alerts())).hasSize(1);
    }

    /** --dry-run says which notice each sink would get, and sends and changes nothing. */
    @Test
    void aDryRunSaysWhichRecoveredNoticeItWouldSendAndKeepsTheFailingSet() throws Exception {
        MonitorHarness h = monitors.harness().set("sinks", "file").start();
        Instant first = Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS);
        h.simulator.addFailed(7, first, "broken\n");
        h.poll();
        h.simulator.addCompleted(7, first.plusSeconds(60));

        h.set("monitor.dry-run", "true").restart();
        String log = StandardOutput.of(h::poll);
        assertThat(log.lines().filter(line -> line.contains("Would deliver to file:") && line.contains("\"status\":\"JobRecovered\"")))
                .hasSize(1);
        assertThat(notices(h.alerts())).isEmpty();

        h.set("monitor.dry-run", "false").restart();
        h.poll();
        assertThat(notices(h.alerts())).as("the dry run left the failing set as it was").hasSize(1);
    }

    @Test
    void theFailingSetSurvivesARestart() throws Exception {
        MonitorHarness h = monitors.harness().set("sinks", "file").start();
        Instant first = Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS);
        h.simulator.addFailed(7, first, "broken\n");
        h.poll();

        h.restart();
        h.simulator.addCompleted(7, first.plusSeconds(60));
        h.poll();
        assertThat(notices(h.alerts())).singleElement()
                .satisfies(notice -> assertThat(notice.path("failureCount").asInt()).isEqualTo(1));
    }
}

package dev.tcjobmonitor.e2e;

import dev.tcjobmonitor.support.Docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.simulator.Fault;
import dev.tcjobmonitor.support.EmbeddedKafka;
import dev.tcjobmonitor.support.FreePorts;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The email sink against a real SMTP server (GreenMail). */
class EmailSinkEndToEndTest {

    private static final String HOSTILE = "<script>alert('x')</script>\r\nBcc: victim@example.com\n";

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private MonitorHarness harness;
    private GreenMail smtp;
    private EmbeddedKafka kafka;
    /** 0 until a server is up or a test reserves one for a server that comes up later. */
    private int smtpPort;

    private MonitorHarness harness(String sinks, String mode) {
        harness = monitors.harness("monitor")
                .set("sinks", sinks)
                .set("sink.email.host", "127.0.0.1")
                .set("sink.email.port", String.valueOf(smtpPort))
                .set("sink.email.from", "monitor@example.org")
                .set("sink.email.to", "soc@example.org,oncall@example.org")
                .set("sink.email.subject-prefix", "[TC]")
                .set("sink.email.mode", mode)
                .set("sink.email.max-redeliveries", "0")
                .set("sink.email.timeout-ms", "2000");
        return harness;
    }

    /**
     * Starts GreenMail: on the port reserved for it, or, when none is, on one the system picks as
     * it binds (port 0), read back for the monitor's settings.
     */
    private void smtpUp() {
        ServerSetup setup = new ServerSetup(smtpPort, "127.0.0.1", "smtp");
        smtp = new GreenMail(smtpPort == 0 ? setup.dynamicPort() : setup);
        monitors.closeLast(smtp::stop);
        smtp.start();
        smtpPort = smtp.getSmtp().getPort();
    }

    @Test
    void aDigestGroupsThePollsFailuresByJobInOneMultipartMail() throws Exception {
        smtpUp();
        MonitorHarness h = harness("email", "digest").start();
        h.simulator.addJob(100, "feed-import", "Feed import (prod)");
        Instant recent = Instant.now().minusSeconds(120);
        h.simulator.addFailed(100, recent, "Failed for status (404)\n");
        h.simulator.addFailed(100, recent.plusSeconds(10), "Failed for status (500)\n");
        h.simulator.addFailed(174, recent.plusSeconds(20), HOSTILE);

        assertThat(h.poll().failure()).isEmpty();
        assertThat(h.poll().failure()).isEmpty();

        MimeMessage[] mails = smtp.getReceivedMessages();
        // one digest, one copy per recipient
        assertThat(mails).hasSize(2);
        MimeMessage mail = mails[0];
        assertThat(Arrays.stream(mail.getRecipients(Message.RecipientType.TO)).map(Object::toString))
                .containsExactlyInAnyOrder("soc@example.org", "oncall@example.org");
        assertThat(mail.getRecipients(Message.RecipientType.BCC)).isNull();
        assertThat(mail.getHeader("Bcc")).isNull();
        assertThat(mail.getSubject()).startsWith("[TC]").contains("2 jobs").doesNotContain("\r").doesNotContain("\n");
        String text = part(mail, "text/plain");
        String html = part(mail, "text/html");
        assertThat(text).contains("Feed import (prod)").contains("Failed for status (404)").contains("Job 174");
        assertThat(html).contains("Feed import (prod)").contains("&lt;script&gt;").doesNotContain("<script>");
        assertThat(java.util.Collections.list(mail.getAllHeaderLines()))
                .as("no header of ours or ThreatConnect's reaches the mail").noneMatch(line -> line.toLowerCase().startsWith("tc"));
    }

    /**
     * Sixty jobs failed and ThreatConnect's /v3/jobs does not answer: the digest waits for the
     * names once, all together (one lookup timeout, 5 s), not one after another (60 x 5 s, five
     * minutes, while the other sinks wait for the poll's next page), and shows each job by its id.
     */
    @Test
    void aDigestOfSixtyJobsWhoseNamesDoNotComeIsSentAfterOneLookupTimeoutNotSixty() throws Exception {
        smtpUp();
        MonitorHarness h = harness("file,email", "digest").set("sink.email.to", "soc@example.org").start();
        Instant recent = Instant.now().minusSeconds(60);
        for (int job = 1; job <= 60; job++) {
            h.simulator.addJob(job, "Name of " + job, null);
            h.simulator.addFailed(job, recent, "failure " + job + "\n");
        }
        h.simulator.delayJobLookups(Duration.ofMinutes(2));

        // waited for at most a fifth of the serial five minutes, so that a regression fails here
        // rather than after them
        Poll poll = CompletableFuture.supplyAsync(() -> pollOf(h)).get(60, TimeUnit.SECONDS);

        assertThat(poll.failure()).isEmpty();
        assertThat(poll.deliveredBySink()).containsEntry("file", 60).containsEntry("email", 60);
        assertThat(poll.elapsed()).as("one lookup timeout (5 s) and the rest of the poll").isLessThan(Duration.ofSeconds(60));
        assertThat(smtp.getReceivedMessages()).hasSize(1);
        assertThat(part(smtp.getReceivedMessages()[0], "text/plain"))
                .contains("== Job 1: 1 failed execution ==").contains("== Job 60: 1 failed execution ==")
                .doesNotContain("Name of");
    }

    private static Poll pollOf(MonitorHarness h) {
        try {
            return h.poll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theBlindNoticesMailIsSubjectedWithThePrefixTheNoticeAndTheMonitor() throws Exception {
        // docs/operations.md "The monitor watching itself" quotes this subject with the default prefix
        smtpUp();
        MonitorHarness h = harness("email", "digest").set("monitor.health.max-failed-polls", "1").start();
        h.simulator.enqueueFault(Fault.error(403, "Access Denied"));

        h.poll();

        await().atMost(Duration.ofSeconds(20)).until(() -> smtp.getReceivedMessages().length == 2);
        assertThat(smtp.getReceivedMessages()[0].getSubject())
                .isEqualTo("[TC] Monitor 'default' cannot see ThreatConnect on monitor 'default'");
        assertThat(Docs.section("The monitor watching itself"))
                .contains("`[ThreatConnect] Monitor 'default' cannot see ThreatConnect on monitor 'default'`");
    }

    @Test
    void eachModeSendsOneMailPerFailureAndNothingTwice() throws Exception {
        smtpUp();
        MonitorHarness h = harness("email", "each").set("sink.email.to", "soc@example.org").start();
        Instant recent = Instant.now().minusSeconds(60);
        h.simulator.addFailed(1, recent, "one\n");
        h.simulator.addFailed(2, recent, "two\n");

        h.poll();
        h.poll();

        assertThat(smtp.getReceivedMessages()).hasSize(2);
    }

    @Test
    void smtpDownHoldsBackNeitherKafkaNorFileAndEmailGetsEverythingOnceWhenItReturns() throws Exception {
        // the monitor is given the SMTP address before any server is there: a port reserved now
        smtpPort = FreePorts.freePort();
        Files.createDirectories(monitors.tempDir().resolve("kafka"));
        kafka = monitors.closeLast(new EmbeddedKafka(monitors.tempDir().resolve("kafka"))).start();
        MonitorHarness h = harness("file,kafka,email", "digest")
                .set("sink.email.to", "soc@example.org")
                .set("sink.kafka.brokers", kafka.bootstrapServers())
                .start();
        Instant recent = Instant.now().minusSeconds(60);
        for (int job = 1; job <= 4; job++) {
            h.simulator.addFailed(job, recent, "failure " + job + "\n");
        }

        Poll whileDown = h.poll();

        assertThat(whileDown.failure()).hasValueSatisfying(reason -> assertThat(reason).contains("sink 'email' refused 4"));
        assertThat(whileDown.deliveredBySink()).containsEntry("file", 4).containsEntry("kafka", 4);
        assertThat(h.alertedIds()).hasSize(4);

        smtpUp();
        Poll afterReturn = h.poll();
        h.poll();

        assertThat(afterReturn.failure()).isEmpty();
        assertThat(afterReturn.deliveredBySink()).containsOnlyKeys("email");
        assertThat(smtp.getReceivedMessages()).hasSize(1);
        assertThat(part(smtp.getReceivedMessages()[0], "text/plain"))
                .contains("failure 1").contains("failure 4");
        assertThat(h.alertedIds()).hasSize(4);
        assertThat(kafka.consume("tc.job.failures", 4, Duration.ofSeconds(20))).hasSize(4);
    }

    @Test
    void aPollOfThreePagesSendsOneDigestWithEveryFailureOfThePoll() throws Exception {
        smtpUp();
        MonitorHarness h = harness("email", "digest").set("sink.email.to", "soc@example.org")
                .set("monitor.page-size", "2").start();
        Instant recent = Instant.now().minusSeconds(120);
        for (int i = 1; i <= 6; i++) {
            h.simulator.addFailed(i % 3 + 1, recent.plusSeconds(i), "failure " + i + "\n");
        }

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(poll.pages()).isEqualTo(3);
        assertThat(poll.deliveredBySink()).containsEntry("email", 6);
        // a digest per poll, however many pages it read
        MimeMessage[] mails = smtp.getReceivedMessages();
        assertThat(mails).hasSize(1);
        String text = part(mails[0], "text/plain");
        assertThat(text).contains("3 jobs failed, 6 failed executions");
        for (int i = 1; i <= 6; i++) {
            assertThat(text).contains("failure " + i);
        }
    }

    @Test
    void aDigestIsSentEvenWhenThePollsLastPageHoldsNothingNewForEmail() throws Exception {
        smtpUp();
        MonitorHarness h = harness("email", "digest").set("sink.email.to", "soc@example.org")
                .set("monitor.page-size", "2").start();
        Instant recent = Instant.now().minusSeconds(300);
        h.simulator.addFailed(1, recent, "already mailed 1\n");
        h.simulator.addFailed(1, recent.plusSeconds(1), "already mailed 2\n");
        assertThat(h.poll().failure()).isEmpty();
        // newer executions come first: the next poll's last page holds only the two mailed already
        for (int i = 3; i <= 6; i++) {
            h.simulator.addFailed(2, recent.plusSeconds(i), "new failure " + i + "\n");
        }

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(poll.pages()).isEqualTo(3);
        MimeMessage[] mails = smtp.getReceivedMessages();
        assertThat(mails).hasSize(2);
        String text = part(mails[1], "text/plain");
        assertThat(text).contains("1 job failed, 4 failed executions").doesNotContain("already mailed");
    }

    @Test
    void aDigestPastMaxRowsListsThatManyAndStillCountsEveryFailureOfEachJob() throws Exception {
        smtpUp();
        MonitorHarness h = harness("file,email", "digest").set("sink.email.to", "soc@example.org")
                .set("monitor.page-size", "2")
                .set("sink.email.max-rows", "3").start();
        h.simulator.addJob(100, "feed-import", "Feed import");
        Instant recent = Instant.now().minusSeconds(120);
        for (int i = 1; i <= 5; i++) {
            h.simulator.addFailed(100, recent.plusSeconds(i), "import failure " + i + "\n");
        }
        h.simulator.addFailed(200, recent.plusSeconds(6), "export failure 6\n");
        h.simulator.addFailed(200, recent.plusSeconds(7), "export failure 7\n");

        Poll poll = h.poll();

        assertThat(poll.failure()).isEmpty();
        assertThat(poll.deliveredBySink()).containsEntry("email", 7).containsEntry("file", 7);
        MimeMessage[] mails = smtp.getReceivedMessages();
        assertThat(mails).hasSize(1);
        assertThat(mails[0].getSubject()).contains("2 jobs failed: 7 failed executions");
        String text = part(mails[0], "text/plain");
        String html = part(mails[0], "text/html");
        for (String part : List.of(text, html)) {
            // three rows, whichever they are; the counts of both jobs whole
            assertThat(java.util.regex.Pattern.compile("(import|export) failure [1-7]").matcher(part).results().count())
                    .as("failures listed").isEqualTo(3);
            assertThat(part).contains("2 jobs failed, 7 failed executions")
                    .contains("and 4 more, see the file sink")
                    .containsPattern("Feed import \\(job 100\\)(:| <span[^>]*>) ?5 failed executions")
                    .containsPattern("Job 200(:| <span[^>]*>) ?2 failed executions");
        }
    }

    @Test
    void aRefusedDigestKeepsEveryFailureOfThePollPendingForEmailOnly() throws Exception {
        smtpPort = FreePorts.freePort();
        MonitorHarness h = harness("file,email", "digest").set("sink.email.to", "soc@example.org")
                .set("monitor.page-size", "2").start();
        Instant recent = Instant.now().minusSeconds(60);
        for (int i = 1; i <= 5; i++) {
            h.simulator.addFailed(i, recent.plusSeconds(i), "failure " + i + "\n");
        }

        Poll whileDown = h.poll();

        assertThat(whileDown.failure()).hasValueSatisfying(reason -> assertThat(reason).contains("sink 'email' refused 5"));
        assertThat(whileDown.deliveredBySink()).containsOnlyKeys("file").containsEntry("file", 5);
        assertThat(h.watermark()).isEmpty();

        smtpUp();
        Poll afterReturn = h.poll();

        assertThat(afterReturn.failure()).isEmpty();
        assertThat(afterReturn.deliveredBySink()).containsOnlyKeys("email").containsEntry("email", 5);
        assertThat(smtp.getReceivedMessages()).hasSize(1);
        assertThat(part(smtp.getReceivedMessages()[0], "text/plain")).contains("5 jobs failed, 5 failed executions");
        assertThat(h.alertedIds()).hasSize(5);
        assertThat(h.watermark()).isPresent();
    }

    @Test
    void aPollThatFailsPartWayStillMailsWhatItReadInOneDigest() throws Exception {
        smtpUp();
        // four pages of two; the third page's next link is one page too many: the poll fails there,
        // after delivering the first two pages
        MonitorHarness h = harness("email", "digest").set("sink.email.to", "soc@example.org")
                .set("monitor.page-size", "2").set("monitor.max-pages", "3").start();
        Instant recent = Instant.now().minusSeconds(60);
        for (int i = 1; i <= 8; i++) {
            h.simulator.addFailed(7, recent.plusSeconds(i), "failure " + i + "\n");
        }

        Poll poll = h.poll();

        assertThat(poll.failure()).hasValueSatisfying(reason -> assertThat(reason).contains("monitor.max-pages"));
        // the digest goes as the failed poll ends
        await().atMost(Duration.ofSeconds(20)).until(() -> smtp.getReceivedMessages().length >= 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> h.context().getInflightRepository().size() == 0);
        assertThat(smtp.getReceivedMessages()).hasSize(1);
        assertThat(part(smtp.getReceivedMessages()[0], "text/plain")).contains("1 job failed, 4 failed executions")
                .contains("failure 8").contains("failure 5").doesNotContain("failure 4");
    }

    @Test
    void recipientsAndSenderWithPlusAndAmpersandArriveExactlyAsConfigured() throws Exception {
        // '+' and '&' are legal in a mailbox name; put into an endpoint URI as they are, '+' is
        // decoded to a space and '&' starts another URI option
        smtpUp();
        MonitorHarness h = harness("email", "digest")
                .set("sink.email.from", "tc+monitor@example.org")
                .set("sink.email.to", "soc+tc@example.org,team&x@example.org")
                .start();
        h.simulator.addFailed(1, Instant.now().minusSeconds(60), "one\n");

        assertThat(h.poll().failure()).isEmpty();

        MimeMessage[] mails = smtp.getReceivedMessages();
        assertThat(mails).hasSize(2);
        assertThat(Arrays.stream(mails[0].getRecipients(Message.RecipientType.TO)).map(Object::toString))
                .containsExactlyInAnyOrder("soc+tc@example.org", "team&x@example.org");
        assertThat(Arrays.stream(mails[0].getFrom()).map(Object::toString)).containsExactly("tc+monitor@example.org");
        // the envelope: GreenMail files a copy in one mailbox per RCPT TO
        assertThat(smtp.getUserManager().listUser().stream().map(user -> user.getEmail()))
                .containsExactlyInAnyOrder("soc+tc@example.org", "team&x@example.org");
    }

    /** The decoded text of the first part of that MIME type, however deep it is nested. */
    static String part(MimeMessage mail, String mimeType) throws Exception {
        List<BodyPart> parts = new ArrayList<>();
        collect(mail.getContent(), parts);
        for (BodyPart part : parts) {
            if (part.isMimeType(mimeType)) {
                return part.getContent().toString();
            }
        }
        throw new AssertionError("no " + mimeType + " part in " + mail.getContentType());
    }

    private static void collect(Object content, List<BodyPart> parts) throws Exception {
        if (content instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart part = multipart.getBodyPart(i);
                parts.add(part);
                collect(part.getContent(), parts);
            }
        }
    }

}

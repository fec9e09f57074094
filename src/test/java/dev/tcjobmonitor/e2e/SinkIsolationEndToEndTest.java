package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.simulator.Fault;
import dev.tcjobmonitor.support.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each sink delivers on its own: one that is down holds back no other, keeps the window open,
 * and gets what it missed, once, when it returns; what it refuses for longer than
 * monitor.dead-letter-after since its first refusal goes to its dead letter.
 */
class SinkIsolationEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();
    private MonitorHarness harness;
    private WebhookReceiver webhook;
    private GreenMail smtp;

    private MonitorHarness startWithDownWebhook(String deadLetterAfter) throws Exception {
        webhook = monitors.closeFirst(WebhookReceiver.down());
        harness = monitors.harness()
                .set("sinks", "file,custom")
                .set("sink.custom.uri", webhook.uri())
                .set("sink.custom.max-redeliveries", "1")
                .set("sink.custom.redelivery-delay", "50")
                .set("monitor.dead-letter-after", deadLetterAfter)
                .start();
        return harness;
    }

    @Test
    void aSinkThatIsDownHoldsBackNoOtherAndGetsEverythingOnceWhenItReturns() throws Exception {
        MonitorHarness h = startWithDownWebhook("PT24H");
        Instant recent = Instant.now().minusSeconds(60);
        for (int job = 1; job <= 3; job++) {
            h.simulator.addFailed(job, recent, "failure of job " + job + "\n");
        }

        Poll whileDown = h.poll();

        assertThat(h.alertedIds()).hasSize(3);
        assertThat(whileDown.failure()).hasValueSatisfying(reason ->
                assertThat(reason).contains("sink 'custom' refused 3 alert(s)").containsIgnoringCase("refused"));
        assertThat(h.watermark()).as("the window stays open for the webhook").isEmpty();

        webhook.comeUp();
        Poll afterReturn = h.poll();
        Poll next = h.poll();

        assertThat(afterReturn.failure()).isEmpty();
        assertThat(afterReturn.deliveredBySink()).containsOnlyKeys("custom").containsEntry("custom", 3);
        assertThat(webhook.received()).extracting(r -> JSON.readTree(r.body()).get("id").asLong())
                .containsExactlyInAnyOrderElementsOf(h.alertedIds());
        assertThat(h.alertedIds()).hasSize(3);
        assertThat(webhook.received().get(0).headers()).containsKeys("Tcexecutionid", "Tcjobid", "Tcstatus", "Tcmonitor");
        assertThat(h.watermark()).contains(next.windowEnd().toString());
    }

    @Test
    void aSinkThatHangsHoldsBackNoOtherAndLosesNothingWhenTheHangEnds() throws Exception {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        monitors.closeLast(smtp::stop);
        smtp.start();
        webhook = monitors.closeFirst(WebhookReceiver.hanging());
        // sinks are offered a page in name order, custom first: one after the other, the hanging
        // webhook would hold the file and the mail back until it is released
        MonitorHarness h = harness = monitors.harness()
                .set("sinks", "file,email,custom")
                .set("sink.custom.uri", webhook.uri())
                .set("sink.custom.max-redeliveries", "1")
                .set("sink.custom.redelivery-delay", "50")
                .set("sink.email.host", "127.0.0.1")
                .set("sink.email.port", String.valueOf(smtp.getSmtp().getPort()))
                .set("sink.email.to", "soc@example.org")
                .set("sink.email.max-redeliveries", "0")
                .start();
        Instant recent = Instant.now().minusSeconds(60);
        for (int job = 1; job <= 3; job++) {
            h.simulator.addFailed(job, recent, "failure of job " + job + "\n");
        }

        CompletableFuture<Poll> polling = CompletableFuture.supplyAsync(() -> {
            try {
                return h.poll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            }
        });

        // the file's lines and the mail arrive while the webhook holds the first alert, unanswered
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(webhook.held()).as("requests the webhook holds unanswered").hasSize(1);
            assertThat(h.alerts()).as("alert lines in the file").hasSize(3);
            assertThat(smtp.getReceivedMessages()).as("mails").hasSize(1);
        });
        assertThat(polling).as("the poll waits for the hanging sink").isNotDone();
        assertThat(Files.readAllLines(h.stateDir.resolve("default/delivered-file.tsv"))).hasSize(3);
        assertThat(h.watermark()).isEmpty();

        // the held connection is dropped unanswered; the redelivery is refused with a 503
        webhook.endHang();
        Poll whileRefusing = polling.get(60, TimeUnit.SECONDS);

        assertThat(whileRefusing.failure()).hasValueSatisfying(reason -> assertThat(reason).contains("sink 'custom' refused 3 alert(s)"));
        assertThat(whileRefusing.deliveredBySink()).containsOnlyKeys("file", "email").containsEntry("file", 3).containsEntry("email", 3);
        assertThat(webhook.refused()).hasSize(1);
        assertThat(webhook.received()).isEmpty();
        assertThat(h.watermark()).as("the window stays open for the webhook").isEmpty();

        webhook.accept();
        Poll afterReturn = h.poll();

        assertThat(afterReturn.failure()).isEmpty();
        assertThat(afterReturn.deliveredBySink()).containsExactly(Map.entry("custom", 3));
        assertThat(webhook.received()).as("each alert accepted once")
                .extracting(r -> JSON.readTree(r.body()).get("id").asLong())
                .containsExactlyInAnyOrderElementsOf(h.alertedIds());
        assertThat(h.alertedIds()).hasSize(3).doesNotHaveDuplicates();
        assertThat(smtp.getReceivedMessages()).hasSize(1);
        assertThat(h.watermark()).contains(afterReturn.windowEnd().toString());
    }

    @Test
    void aFileSinkThatFailsMidPollKeepsThePagesItWroteTriesNoMoreAndGetsTheRestOnceWhenItWorksAgain() throws Exception {
        MonitorHarness h = harness = monitors.harness()
                .set("monitor.page-size", "2")
                .set("sink.file.max-redeliveries", "0")
                .start();
        Instant recent = Instant.now().minusSeconds(60);
        for (int job = 1; job <= 6; job++) {
            h.simulator.addFailed(job, recent.plusSeconds(job), "failure of job " + job + "\n");
        }
        // the first page reaches the file; then, before the second page is answered, the alert
        // folder is moved away and a plain file takes its place, so the file sink refuses from the
        // second page on (the second page is asked for while the first is delivered: its answer
        // waits for the first page's lines)
        Path firstFolder = monitors.tempDir().resolve("alerts-before-the-failure");
        h.simulator.enqueueFault(Fault.delay(Duration.ZERO));
        h.simulator.enqueueFault(new Fault("alert folder unusable", Duration.ZERO, page -> {
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> h.alertedIds().size() == 2);
                Files.move(h.alertDir, firstFolder);
                Files.writeString(h.alertDir, "not a folder");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return page;
        }));

        Poll failing = h.poll();

        assertThat(failing.pages()).isEqualTo(3);
        assertThat(failing.deliveredBySink()).containsExactly(Map.entry("file", 2));
        assertThat(failing.undeliveredBySink()).as("the refused page and the one not tried after it")
                .containsExactly(Map.entry("file", 4));
        assertThat(failing.failure()).hasValueSatisfying(reason -> assertThat(reason).contains("sink 'file' refused 4 alert(s)"));
        assertThat(h.watermark()).as("the window stays open").isEmpty();
        assertThat(alertedIdsIn(firstFolder)).hasSize(2);

        Files.delete(h.alertDir);
        Poll recovered = h.poll();

        assertThat(recovered.failure()).isEmpty();
        assertThat(recovered.deliveredBySink()).containsExactly(Map.entry("file", 4));
        List<Long> all = new java.util.ArrayList<>(alertedIdsIn(firstFolder));
        all.addAll(h.alertedIds());
        assertThat(all).as("every failure once").hasSize(6).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(h.simulator.executions().stream().map(e -> e.get("id").asLong()).toList());
        assertThat(h.watermark()).contains(recovered.windowEnd().toString());
    }

    private static List<Long> alertedIdsIn(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            List<Long> ids = new java.util.ArrayList<>();
            for (Path file : files.toList()) {
                for (String line : Files.readAllLines(file)) {
                    ids.add(JSON.readTree(line).get("id").asLong());
                }
            }
            return ids;
        }
    }

    /** The monitor's clock, moved by hand: minutes of refusals pass without waiting (ThreatConnect keeps the real time). */
    private ManualClock manualClock(MonitorHarness h) {
        ManualClock clock = new ManualClock(Instant.now());
        h.monitor("default").setClock(clock);
        return clock;
    }

    @Test
    void anAlertRefusedLongerThanDeadLetterAfterGoesToTheDeadLetterAndTheWindowCloses() throws Exception {
        MonitorHarness h = startWithDownWebhook("PT2M");
        ManualClock clock = manualClock(h);
        long old = h.simulator.addFailed(9, Instant.now().minus(Duration.ofMinutes(5)), "old failure\n");
        h.poll();
        // three minutes of refusals later (dead-letter-after counts from the first), a new failure
        clock.advance(Duration.ofMinutes(3));
        long fresh = h.simulator.addFailed(9, Instant.now().minusSeconds(10), "fresh failure\n");

        Poll poll = h.poll();

        Path deadLetter = h.stateDir.resolve("default/dead-letter-custom.jsonl");
        List<String> lines = Files.readAllLines(deadLetter);
        assertThat(lines).singleElement().satisfies(line -> {
            JsonNode entry = JSON.readTree(line);
            assertThat(entry.get("sink").asText()).isEqualTo("custom");
            assertThat(entry.get("error").asText()).contains("Connection refused");
            assertThat(entry.get("alert").get("id").asLong()).isEqualTo(old);
        });
        assertThat(poll.deadLetteredBySink()).containsEntry("custom", 1);
        assertThat(poll.undeliveredBySink()).containsEntry("custom", 1);
        assertThat(h.alertedIds()).containsExactlyInAnyOrder(old, fresh);

        webhook.comeUp();
        Poll afterReturn = h.poll();

        assertThat(webhook.received()).extracting(r -> JSON.readTree(r.body()).get("id").asLong()).containsExactly(fresh);
        assertThat(Files.readAllLines(deadLetter)).hasSize(1);
        assertThat(h.watermark()).contains(afterReturn.windowEnd().toString());
    }
    @Test
    void anAlertWhoseDeadLetterCannotBeWrittenKeepsTheWindowOpenAndReachesTheSinkWhenItReturns() throws Exception {
        MonitorHarness h = startWithDownWebhook("PT2M");
        ManualClock clock = manualClock(h);
        // older than the overlap: a watermark moved past it would never bring it back
        long old = h.simulator.addFailed(9, Instant.now().minus(Duration.ofMinutes(15)), "old failure\n");
        h.poll();
        // refused for longer than dead-letter-after, but the dead letter cannot be written (as in a
        // read-only state folder): a folder stands where its file goes
        clock.advance(Duration.ofMinutes(3));
        Path deadLetter = h.stateDir.resolve("default/dead-letter-custom.jsonl");
        Files.createDirectories(deadLetter);

        Poll refused = h.poll();

        assertThat(refused.failure()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("sink 'custom'").contains("dead letter").contains("dead-letter-custom.jsonl"));
        assertThat(refused.deadLetteredBySink()).as("nothing reached a dead letter").isEmpty();
        assertThat(h.watermark()).as("the window stays open: the alert is neither delivered nor dead-lettered").isEmpty();

        Files.delete(deadLetter);
        webhook.comeUp();
        Poll afterReturn = h.poll();

        assertThat(afterReturn.failure()).isEmpty();
        assertThat(webhook.received()).extracting(r -> JSON.readTree(r.body()).get("id").asLong()).containsExactly(old);
        assertThat(deadLetter).doesNotExist();
        assertThat(h.watermark()).contains(afterReturn.windowEnd().toString());
    }
}

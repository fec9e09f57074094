package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.monitor.StateCommands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --replay-dead-letter}: the runbook's answer to dead letters piling up once the sink is
 * fixed. The alerts go through the sink's own route (its retries, its error handling) as a page
 * would, once each; the dead letter keeps exactly what the sink did not accept. The sink is a real
 * webhook that refuses some alerts for good (HTTP 400) and is then told to take them.
 */
class DeadLetterReplayEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();

    private static List<Long> deadLetteredIds(MonitorHarness h) throws IOException {
        Path file = h.stateDir.resolve("default/dead-letter-custom.jsonl");
        List<Long> ids = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                ids.add(JSON.readTree(line).get("alert").get("id").asLong());
            }
        }
        return ids;
    }

    private static List<Long> ids(WebhookReceiver webhook) {
        return webhook.received().stream().map(request -> {
            try {
                return JSON.readTree(request.body()).get("id").asLong();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
    }

    private MonitorHarness monitorWith(WebhookReceiver webhook) throws Exception {
        return monitors.harness()
                .set("sinks", "file,custom")
                .set("sink.custom.uri", webhook.uri())
                .set("sink.custom.max-redeliveries", "2")
                .set("sink.custom.redelivery-delay", "10")
                .start();
    }

    /** A sink that takes no retry: a refusal dead-letters the alert in the poll. */
    private MonitorHarness monitorRefusingOnce(WebhookReceiver webhook) throws Exception {
        return monitors.harness()
                .set("sinks", "file,custom")
                .set("sink.custom.uri", webhook.uri())
                .set("sink.custom.max-redeliveries", "0")
                .start();
    }

    @Test
    void aReplaySendsWhatTheSinkNowAcceptsOnceAndKeepsWhatItRefusesAgainInTheDeadLetter() throws Exception {
        WebhookReceiver webhook = monitors.closeFirst(WebhookReceiver.down().comeUp()).answer(400, "poison");
        MonitorHarness h = monitorWith(webhook);
        Instant recent = Instant.now().minusSeconds(60);
        long first = h.simulator.addFailed(1, recent, "poison one\n");
        long second = h.simulator.addFailed(2, recent.plusSeconds(1), "poison two\n");
        long fine = h.simulator.addFailed(3, recent.plusSeconds(2), "fine\n");
        Poll[] poll = new Poll[1];
        String log = StandardOutput.of(() -> poll[0] = h.poll());
        assertThat(poll[0].deadLetteredBySink()).containsEntry("custom", 2);
        // the line docs/runbook.md quotes for dead letters piling up (RunbookTest)
        assertThat(log).contains("Sink 'custom' of monitor 'default' gave up on 2 alert(s); they went to its dead letter: "
                + "2 refused for good (no retry changes it)");
        assertThat(deadLetteredIds(h)).containsExactlyInAnyOrder(first, second);
        assertThat(ids(webhook)).containsExactly(fine);

        // the endpoint is fixed for one of the two
        webhook.answer(400, "poison one");
        StateCommands.Replay partly = StateCommands.replayDeadLetter(h.context(), h.monitor("default"), "custom");

        assertThat(partly.replayed()).isEqualTo(2);
        assertThat(partly.accepted()).isEqualTo(1);
        assertThat(partly.kept()).isEqualTo(1);
        assertThat(partly.allAccepted()).isFalse();
        assertThat(partly.error()).hasValueSatisfying(error -> assertThat(error).contains("400"));
        assertThat(ids(webhook)).containsExactly(fine, second);
        assertThat(deadLetteredIds(h)).as("refused again: kept, once").containsExactly(first);

        webhook.accept();
        StateCommands.Replay rest = StateCommands.replayDeadLetter(h.context(), h.monitor("default"), "custom");

        assertThat(rest.accepted()).isEqualTo(1);
        assertThat(rest.allAccepted()).isTrue();
        assertThat(ids(webhook)).containsExactly(fine, second, first);
        assertThat(h.stateDir.resolve("default/dead-letter-custom.jsonl")).as("nothing is left to replay").doesNotExist();

        StateCommands.Replay nothing = StateCommands.replayDeadLetter(h.context(), h.monitor("default"), "custom");
        Poll next = h.poll();

        assertThat(nothing.replayed()).isZero();
        assertThat(next.deliveredBySink()).as("what the dead letter held was recorded as delivered all along").isEmpty();
        assertThat(ids(webhook)).as("each sent once").containsExactly(fine, second, first);
        assertThat(h.alertedIds()).as("the other sink is not touched by the replay").containsExactly(first, second, fine);
    }

    @Test
    void aReplayToASinkThatIsStillDownGoesThroughItsRetriesAndKeepsEveryAlert() throws Exception {
        WebhookReceiver webhook = monitors.closeFirst(WebhookReceiver.down().comeUp()).answer(400, "poison");
        MonitorHarness h = monitorWith(webhook);
        Instant recent = Instant.now().minusSeconds(60);
        long first = h.simulator.addFailed(1, recent, "poison one\n");
        long second = h.simulator.addFailed(2, recent.plusSeconds(1), "poison two\n");
        h.poll();
        String before = Files.readString(h.stateDir.resolve("default/dead-letter-custom.jsonl"));

        webhook.refuse(503);
        StateCommands.Replay refused = StateCommands.replayDeadLetter(h.context(), h.monitor("default"), "custom");

        // the sink's route as in a poll: the first alert tried and retried (max-redeliveries 2), the
        // second not tried after that refusal, which may pass
        assertThat(webhook.refused()).hasSize(2 + 3);
        assertThat(refused.accepted()).isZero();
        assertThat(refused.kept()).isEqualTo(2);
        assertThat(refused.error()).hasValueSatisfying(error -> assertThat(error).contains("503"));
        assertThat(Files.readString(h.stateDir.resolve("default/dead-letter-custom.jsonl")))
                .as("kept as it was: no line twice, no line lost").isEqualTo(before);
        assertThat(deadLetteredIds(h)).containsExactlyInAnyOrder(first, second);
    }

    /**
     * A crash cut the last append of the dead letter inside a multi-byte character (a job's
     * message in German, say): the file's last line is not valid UTF-8. That line is one
     * unreadable line, kept; every readable alert is still sent.
     */
    @Test
    void aLastLineTornInsideAMultiByteCharacterIsKeptAndTheReadableAlertsAreSent() throws Exception {
        WebhookReceiver webhook = monitors.closeFirst(WebhookReceiver.down().comeUp()).answer(400, "poison");
        MonitorHarness h = monitorRefusingOnce(webhook);
        long poisoned = h.simulator.addFailed(1, Instant.now().minusSeconds(60), "poison: Verbindung getrennt\n");
        h.poll();
        Path deadLetter = h.stateDir.resolve("default/dead-letter-custom.jsonl");
        assertThat(deadLetter).exists();
        // what a crash in the middle of the next append leaves: a line cut after the first byte of "ü"
        byte[] torn = "{\"deadLetteredAt\":\"2026-11-30T00:00:00Z\",\"sink\":\"custom\",\"error\":\"Fehler f\u00fc"
                .getBytes(StandardCharsets.UTF_8);
        byte[] tornLine = Arrays.copyOf(torn, torn.length - 1);
        Files.write(deadLetter, tornLine, StandardOpenOption.APPEND);

        webhook.accept();
        StateCommands.Replay[] replay = new StateCommands.Replay[1];
        assertThatCode(() -> replay[0] = StateCommands.replayDeadLetter(h.context(), h.monitor("default"), "custom"))
                .as("a torn line is one unreadable line, not an unreadable dead letter").doesNotThrowAnyException();

        assertThat(replay[0].accepted()).isEqualTo(1);
        assertThat(replay[0].kept()).as("the torn line only").isEqualTo(1);
        assertThat(ids(webhook)).containsExactly(poisoned);
        byte[] tornLineKept = Arrays.copyOf(tornLine, tornLine.length + 1);
        tornLineKept[tornLine.length] = '\n';
        assertThat(Files.readAllBytes(deadLetter)).as("the torn line kept byte for byte").isEqualTo(tornLineKept);
    }

    /**
     * A crash left the dead letter's last line torn (no newline). The next dead-lettered alert
     * goes on a line of its own (glued onto the torn one it would be a line that is not JSON: an
     * alert recorded as delivered that no replay could ever send).
     */
    @Test
    void anAlertDeadLetteredAfterATornLastLineCanStillBeReplayed() throws Exception {
        WebhookReceiver webhook = monitors.closeFirst(WebhookReceiver.down().comeUp()).answer(400, "poison");
        MonitorHarness h = monitorRefusingOnce(webhook);
        Path deadLetter = h.stateDir.resolve("default/dead-letter-custom.jsonl");
        Files.createDirectories(deadLetter.getParent());
        String tornLine = "{\"deadLetteredAt\":\"2026-11-30T00:00:00Z\",\"sink\":\"cus";
        Files.writeString(deadLetter, tornLine);
        long poisoned = h.simulator.addFailed(1, Instant.now().minusSeconds(60), "poison\n");
        h.poll();

        webhook.accept();
        StateCommands.Replay replay = StateCommands.replayDeadLetter(h.context(), h.monitor("default"), "custom");

        assertThat(ids(webhook)).as("the alert dead-lettered after the torn line is sent").containsExactly(poisoned);
        assertThat(replay.accepted()).isEqualTo(1);
        assertThat(Files.readString(deadLetter)).as("the torn line stays, on its own").isEqualTo(tornLine + "\n");
    }

    /**
     * The dead letter is the operator's record, read in order: what a replay keeps stays where it
     * was, whether a line it could not read or an alert the sink refused again.
     */
    @Test
    void aReplayKeepsTheLinesItKeepsInTheirOrder() throws Exception {
        WebhookReceiver webhook = monitors.closeFirst(WebhookReceiver.down().comeUp()).answer(400, "poison");
        MonitorHarness h = monitorRefusingOnce(webhook);
        Instant recent = Instant.now().minusSeconds(60);
        h.simulator.addFailed(1, recent, "poison one\n");
        h.poll();
        Path deadLetter = h.stateDir.resolve("default/dead-letter-custom.jsonl");
        Files.writeString(deadLetter, "an operator's note, not an alert\n", StandardOpenOption.APPEND);
        h.simulator.addFailed(2, recent.plusSeconds(1), "poison two\n");
        h.poll();
        List<String> before = Files.readAllLines(deadLetter);
        assertThat(before).hasSize(3);

        StateCommands.Replay refused = StateCommands.replayDeadLetter(h.context(), h.monitor("default"), "custom");

        assertThat(refused.kept()).isEqualTo(3);
        assertThat(Files.readAllLines(deadLetter)).as("alert, note, alert: as they were").isEqualTo(before);
    }
}

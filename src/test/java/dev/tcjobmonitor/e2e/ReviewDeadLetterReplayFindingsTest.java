package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.monitor.StateCommands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * REVIEW FINDINGS (h-review): failing tests that show defects of --replay-dead-letter found in the
 * adversarial review of 718423b..main. They are expected to FAIL until the defects are fixed.
 *
 * <p>The dead letter is appended to without fsync and without cutting a torn last line (a crash
 * in the middle of {@code DeadLetterFile.append}); the replay must then still send every alert it
 * can read and keep only what it cannot.
 */
class ReviewDeadLetterReplayFindingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final MonitorHarnessExtension monitors = new MonitorHarnessExtension();

    private MonitorHarness monitorWith(WebhookReceiver webhook) throws Exception {
        return monitors.harness()
                .set("sinks", "file,custom")
                .set("sink.custom.uri", webhook.uri())
                .set("sink.custom.max-redeliveries", "0")
                .start();
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

    /**
     * A crash cut the last append of the dead letter inside a multi-byte character (a job's
     * message in German, say): the file's last line is not valid UTF-8. The replay reads the file
     * with Files.readAllLines, which throws MalformedInputException: the whole replay fails with
     * "cannot read the dead letter", and not one of the readable alerts can ever be replayed until
     * the operator repairs the file by hand. StateCommands' contract: "lines that are not a
     * readable alert" are kept, the rest is sent.
     */
    @Test
    void aReplayOfADeadLetterWhoseLastLineWasTornInsideAMultiByteCharacterSendsTheReadableAlerts() throws Exception {
        WebhookReceiver webhook = monitors.closeFirst(WebhookReceiver.down().comeUp()).answer(400, "poison");
        MonitorHarness h = monitorWith(webhook);
        long poisoned = h.simulator.addFailed(1, Instant.now().minusSeconds(60), "poison: Verbindung getrennt\n");
        h.poll();
        Path deadLetter = h.stateDir.resolve("default/dead-letter-custom.jsonl");
        assertThat(deadLetter).exists();
        // what a crash in the middle of the next append leaves: a line cut after the first byte of "ü"
        byte[] torn = "{\"deadLetteredAt\":\"2026-11-30T00:00:00Z\",\"sink\":\"custom\",\"error\":\"Fehler f\u00fc"
                .getBytes(StandardCharsets.UTF_8);
        Files.write(deadLetter, Arrays.copyOf(torn, torn.length - 1), StandardOpenOption.APPEND);

        webhook.accept();
        StateCommands.Replay[] replay = new StateCommands.Replay[1];
        assertThatCode(() -> replay[0] = StateCommands.replayDeadLetter(h.context(), h.monitor("default"), "custom"))
                .as("a torn line is one unreadable line, not an unreadable dead letter").doesNotThrowAnyException();

        assertThat(replay[0].accepted()).isEqualTo(1);
        assertThat(replay[0].kept()).as("the torn line only").isEqualTo(1);
        assertThat(ids(webhook)).containsExactly(poisoned);
    }

    /**
     * A crash left the dead letter's last line torn (no newline). DeadLetterFile.append does not
     * cut it (KeyTimeFiles does, for the same reason: "or the next append would be glued onto
     * it"), so the next dead-lettered alert is glued onto the torn line: one line that is not JSON.
     * The replay then counts it among "lines that are not an alert" and never sends that alert:
     * a dead-lettered alert that can never be replayed.
     */
    @Test
    void anAlertDeadLetteredAfterATornLastLineCanStillBeReplayed() throws Exception {
        WebhookReceiver webhook = monitors.closeFirst(WebhookReceiver.down().comeUp()).answer(400, "poison");
        MonitorHarness h = monitorWith(webhook);
        Path deadLetter = h.stateDir.resolve("default/dead-letter-custom.jsonl");
        Files.createDirectories(deadLetter.getParent());
        // a crash cut the previous append short: no newline at the end
        Files.writeString(deadLetter, "{\"deadLetteredAt\":\"2026-11-30T00:00:00Z\",\"sink\":\"cus");
        long poisoned = h.simulator.addFailed(1, Instant.now().minusSeconds(60), "poison\n");
        h.poll();

        webhook.accept();
        StateCommands.Replay replay = StateCommands.replayDeadLetter(h.context(), h.monitor("default"), "custom");

        assertThat(ids(webhook)).as("the alert dead-lettered after the torn line is sent").containsExactly(poisoned);
        assertThat(replay.accepted()).isEqualTo(1);
    }
}

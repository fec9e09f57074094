package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.monitor.Poll;
import dev.tcjobmonitor.monitor.StateCommands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
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
}

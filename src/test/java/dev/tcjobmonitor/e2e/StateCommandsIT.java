package dev.tcjobmonitor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcjobmonitor.simulator.ThreatConnectSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The runbook's two commands as an operator runs them, the packaged jar in an install folder:
 * {@code --replay-dead-letter SINK} sends a sink's dead-lettered alerts again and
 * {@code --rewind WHEN} moves a monitor's watermark back. Both work on the state a daemon uses, so
 * beside a running daemon on the same folder they are refused before they touch anything.
 */
class StateCommandsIT {

    private static final String SECRET = "Commands-Test-S3cr3t/+=";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path workDir;

    private ThreatConnectSimulator tc;
    private InstalledJar jar;

    @BeforeEach
    void startThreatConnect() {
        tc = ThreatConnectSimulator.start().withHmacUser("jar-user", SECRET);
        jar = new InstalledJar(workDir, tc, "jar-user", SECRET);
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        jar.close();
        tc.close();
    }

    private Path monitorState() throws IOException {
        return Files.createDirectories(workDir.resolve("data/state/default"));
    }

    /** A dead letter of the file sink holding these executions, as the monitor writes one. */
    private Path deadLetterOfFileSink(long... ids) throws IOException {
        return deadLetterOf("file", ids);
    }

    /** A dead letter of {@code sink} holding these executions, as the monitor writes one. */
    private Path deadLetterOf(String sink, long... ids) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (long id : ids) {
            var alert = JSON.createObjectNode().put("id", id).put("jobId", 7).put("status", "Failed")
                    .put("completedTime", Instant.now().minus(Duration.ofHours(30)).truncatedTo(ChronoUnit.SECONDS).toString());
            alert.putObject("monitor").put("instance", "default").put("baseUrl", tc.baseUrl())
                    .put("detectedAt", Instant.now().minus(Duration.ofHours(30)).toString());
            var line = JSON.createObjectNode().put("deadLetteredAt", Instant.now().minus(Duration.ofHours(6)).toString())
                    .put("sink", sink).put("error", "cannot write /data/alerts: No space left on device");
            line.set("alert", alert);
            lines.append(JSON.writeValueAsString(line)).append('\n');
        }
        return Files.writeString(monitorState().resolve("dead-letter-" + sink + ".jsonl"), lines);
    }

    private List<Long> alertedIds() throws IOException {
        Path dir = workDir.resolve("data/alerts");
        List<Long> ids = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                for (Path file : files.sorted().toList()) {
                    for (String line : Files.readAllLines(file)) {
                        ids.add(JSON.readTree(line).get("id").asLong());
                    }
                }
            }
        }
        return ids;
    }

    @Test
    void replayDeadLetterSendsEachDeadLetteredAlertOnceThroughTheSinkAndEmptiesTheDeadLetter() throws Exception {
        Path deadLetter = deadLetterOfFileSink(101, 102);

        InstalledJar.Run replay = jar.run("--replay-dead-letter", "file");

        assertThat(replay.exitCode()).as(replay.stderr()).isZero();
        assertThat(replay.stdout()).contains("Replayed 2 dead-lettered alert(s) of sink 'file' of monitor 'default': 2 accepted");
        assertThat(alertedIds()).containsExactly(101L, 102L);
        assertThat(deadLetter).as("nothing is left to replay").doesNotExist();
        // ThreatConnect is not asked: a replay sends what the dead letter holds
        assertThat(tc.requests()).isEmpty();

        InstalledJar.Run again = jar.run("--replay-dead-letter", "file", "--monitor", "default");

        assertThat(again.exitCode()).as(again.stderr()).isZero();
        assertThat(again.stdout()).contains("no dead-lettered alert of sink 'file' of monitor 'default'");
        assertThat(alertedIds()).as("sent once each").containsExactly(101L, 102L);
    }

    @Test
    void aReplayTheSinkStillRefusesExits1AndKeepsTheDeadLetterAsItWas() throws Exception {
        Path deadLetter = deadLetterOf("custom", 201);
        String before = Files.readString(deadLetter);
        try (WebhookReceiver webhook = WebhookReceiver.down().comeUp()) {
            webhook.refuse(400);

            InstalledJar.Run replay = jar.run(Map.of("SINKS", "file,custom", "SINK_CUSTOM_URI", webhook.uri()), "--replay-dead-letter", "custom");

            assertThat(replay.exitCode()).as(replay.stderr()).isEqualTo(1);
            // as docs/runbook.md quotes it (RunbookTest)
            // the file's absolute path, as docs/runbook.md quotes it (RunbookTest): the operator
            // reads it with no need to know where the state folder is
            assertThat(replay.stderr()).contains("sink 'custom' of monitor 'default' did not accept 1"
                    + " dead-lettered alert(s), kept in " + deadLetter.toAbsolutePath() + ": ").contains("statusCode: 400");
            assertThat(webhook.refused()).as("asked once: a 400 is not retried").hasSize(1);
        }
        assertThat(Files.readString(deadLetter)).isEqualTo(before);
    }

    @Test
    void rewindMovesTheWatermarkBackAndPrintsTheOldAndTheNewOne() throws Exception {
        Instant old = Instant.now().minus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.SECONDS);
        Files.writeString(monitorState().resolve("watermark"), old + "\n");
        Instant to = old.minus(Duration.ofHours(3));

        InstalledJar.Run rewind = jar.run("--rewind", to.toString());

        assertThat(rewind.exitCode()).as(rewind.stderr()).isZero();
        assertThat(rewind.stdout()).contains("Watermark of monitor 'default' moved back from " + old + " to " + to);
        assertThat(Files.readString(monitorState().resolve("watermark")).strip()).isEqualTo(to.toString());
        assertThat(rewind.stdout()).contains("what a sink already had is not sent again");
        assertThat(rewind.stderr()).doesNotContain("monitor.delivered-retention");
        assertThat(tc.requests()).as("a rewind polls nothing: the next poll reads from there").isEmpty();
    }

    @Test
    void aRewindPastTheDeliveredRetentionWarnsThatOlderFailuresCannotBeChecked() throws Exception {
        Files.writeString(monitorState().resolve("watermark"), Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n");
        Files.writeString(workDir.resolve("application.properties"), "monitor.delivered-retention=P2D\n");

        InstalledJar.Run rewind = jar.run("--rewind", "P5D");

        assertThat(rewind.exitCode()).as(rewind.stderr()).isZero();
        assertThat(rewind.stdout() + rewind.stderr()).contains("reaches past monitor.delivered-retention (P2D)")
                .contains("could not be checked against what was already sent");
        // past the retention, stdout must not promise what the warning takes back
        assertThat(rewind.stdout()).doesNotContain("what a sink already had is not sent again")
                .contains("a failure a sink already had is sent to it again if it failed before ");
    }

    @Test
    void bothCommandsAreRefusedBesideARunningDaemonOnTheSameStateAndTouchNothing() throws Exception {
        Path deadLetter = deadLetterOfFileSink(101);
        Instant watermark = Instant.now().minus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.SECONDS);
        Files.writeString(monitorState().resolve("watermark"), watermark + "\n");
        String deadLetterBefore = Files.readString(deadLetter);
        Process daemon = jar.startDaemon();

        for (List<String> command : List.of(List.of("--replay-dead-letter", "file"), List.of("--rewind", "PT2H"))) {
            InstalledJar.Run refused = jar.run(command.toArray(String[]::new));

            assertThat(refused.exitCode()).as("%s beside the daemon: %s", command, refused.stderr()).isEqualTo(2);
            assertThat(refused.stderr()).as("%s beside the daemon", command).contains("is in use by process " + daemon.pid())
                    .contains("two processes on one state folder would corrupt it (stop that one first, or wait until it ends)");
        }
        assertThat(Files.readString(deadLetter)).isEqualTo(deadLetterBefore);
        assertThat(Files.readString(monitorState().resolve("watermark")).strip()).isEqualTo(watermark.toString());
        assertThat(alertedIds()).isEmpty();
        assertThat(daemon.isAlive()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--replay-dead-letter                   | --replay-dead-letter needs a sink",
            "--rewind                               | --rewind needs an instant or a duration",
            "--rewind yesterday                     | '--rewind yesterday' is neither an ISO-8601 instant",
            "--monitor default --once               | --monitor goes with --replay-dead-letter or --rewind",
            "--rewind PT1H --replay-dead-letter file | --rewind and --replay-dead-letter are separate commands",
            "--replay-dead-letter kafka             | monitor 'default' has no sink 'kafka' (its sinks: file)",
            "--rewind PT1H --monitor second         | no monitor 'second' (monitors: default)"})
    void aBadCommandLineExits2WithOneLineSayingWhy(String arguments, String said) throws Exception {
        InstalledJar.Run run = jar.run(arguments.strip().split(" +"));

        assertThat(run.exitCode()).as(run.stderr()).isEqualTo(2);
        assertThat(run.stderr()).contains(said);
    }
}

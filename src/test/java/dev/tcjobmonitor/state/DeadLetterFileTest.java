package dev.tcjobmonitor.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.support.RecordingChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dead letter's file on the disk: what survives a crash or a power loss. */
class DeadLetterFileTest {

    private static final Instant T = Instant.parse("2026-11-30T00:00:00Z");

    @TempDir
    Path dir;

    /**
     * A replay replaces the dead letter by what it keeps. The new content reaches the disk before
     * it takes the old one's name: a power loss right after the replay must not leave an empty
     * (or a half-written) dead letter, where the alerts it kept were the only record.
     */
    @Test
    void whatAReplayKeepsIsForcedToTheDiskBeforeItReplacesTheDeadLetter() throws Exception {
        List<String> events = new ArrayList<>();
        DeadLetterFile deadLetters = new DeadLetterFile(dir);
        deadLetters.setOpener((file, options) -> new RecordingChannel(FileChannel.open(file, options), file, events));
        deadLetters.append("m1", "custom", "{\"id\":1}", "HTTP 400", T);
        deadLetters.append("m1", "custom", "{\"id\":2}", "HTTP 400", T);
        List<DeadLetterFile.Line> lines = deadLetters.lines("m1", "custom");
        events.clear();

        deadLetters.keepOnly("m1", "custom", lines.subList(1, 2));

        assertThat(events).containsExactly("write dead-letter-custom.jsonl.tmp", "force dead-letter-custom.jsonl.tmp");
        assertThat(deadLetters.lines("m1", "custom")).singleElement()
                .satisfies(line -> assertThat(line.text()).hasValueSatisfying(text -> assertThat(text).contains("\"id\":2")));
        assertThat(dir.resolve("m1")).isDirectoryNotContaining("glob:**.tmp");
    }

    /**
     * A dead-lettered alert is recorded as delivered right after (SinkLedger): its line reaches the
     * disk first, or a power loss could keep the record and lose the only copy of the alert.
     */
    @Test
    void aDeadLetteredAlertIsOnTheDiskBeforeAppendReturns() throws Exception {
        List<String> events = new ArrayList<>();
        DeadLetterFile deadLetters = new DeadLetterFile(dir);
        deadLetters.setOpener((file, options) -> new RecordingChannel(FileChannel.open(file, options), file, events));

        deadLetters.append("m1", "custom", "{\"id\":1}", "HTTP 400", T);

        assertThat(events).containsExactly("write dead-letter-custom.jsonl", "force dead-letter-custom.jsonl");
        assertThat(deadLetters.lines("m1", "custom")).hasSize(1);
    }

    /** A line that is not UTF-8 (torn inside a character) is kept as it was, byte for byte. */
    @Test
    void aLineThatIsNotUtf8IsReadAsItsBytesAndKeptByteForByte() throws Exception {
        DeadLetterFile deadLetters = new DeadLetterFile(dir);
        deadLetters.append("m1", "custom", "{\"id\":1}", "HTTP 400", T);
        Path file = deadLetters.file("m1", "custom");
        byte[] torn = {'{', '"', 'e', '"', ':', '"', 'f', (byte) 0xC3};
        Files.write(file, torn, java.nio.file.StandardOpenOption.APPEND);
        Files.write(file, new byte[] {'\n'}, java.nio.file.StandardOpenOption.APPEND);
        byte[] before = Files.readAllBytes(file);

        List<DeadLetterFile.Line> lines = deadLetters.lines("m1", "custom");

        assertThat(lines).hasSize(2);
        assertThat(lines.get(1).text()).isEmpty();
        assertThat(lines.get(1).bytes()).isEqualTo(torn);
        deadLetters.keepOnly("m1", "custom", lines);
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }
}

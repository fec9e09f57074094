package dev.tcjobmonitor.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcjobmonitor.state.RepeatState.HeldFailure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The held failures of a sink with a repeat interval, in repeats-<sink>.jsonl: read back by the next process. */
class RepeatStateFileTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void heldFailuresAreReadBackByTheNextProcessAndALineCutShortByACrashIsIgnored() throws Exception {
        RepeatStateFile first = new RepeatStateFile(dir);
        first.opened("default", "email", "174", T0, "101");
        first.held("default", "email", "174", List.of(new HeldFailure("102", "102", T0.plusSeconds(900), "multi\nline \"quoted\"\n")));
        // a crash in the middle of the next append
        Files.writeString(dir.resolve("default/repeats-email.jsonl"), "{\"job\":\"174\",\"held\":\"10", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);

        RepeatStateFile next = new RepeatStateFile(dir);
        RepeatState.JobRepeats job = next.jobs("default", "email").get("174");

        assertThat(job.since()).isEqualTo(T0);
        assertThat(job.opener()).isEqualTo("101");
        assertThat(job.held()).containsExactly(new HeldFailure("102", "102", T0.plusSeconds(900), "multi\nline \"quoted\"\n"));
        // the torn line is cut before the next append, which is read back whole
        next.held("default", "email", "174", List.of(new HeldFailure("103", "103", T0.plusSeconds(1800), null)));
        assertThat(new RepeatStateFile(dir).jobs("default", "email").get("174").held()).extracting(HeldFailure::key)
                .containsExactly("102", "103");
    }

    @Test
    void anAcceptedReminderLeavesOnlyWhatItDidNotCount() throws Exception {
        RepeatStateFile state = new RepeatStateFile(dir);
        state.opened("default", "email", "174", T0, "101");
        state.held("default", "email", "174", List.of(new HeldFailure("102", "102", T0.plusSeconds(900), "a"),
                new HeldFailure("103", "103", T0.plusSeconds(1800), "b")));

        state.reminded("default", "email", "174", List.of("102"), T0.plusSeconds(3600));

        RepeatState.JobRepeats job = new RepeatStateFile(dir).jobs("default", "email").get("174");
        assertThat(job.since()).isEqualTo(T0.plusSeconds(3600));
        assertThat(job.opener()).isNull();
        assertThat(job.held()).extracting(HeldFailure::key).containsExactly("103");
        assertThat(Files.readAllLines(dir.resolve("default/repeats-email.jsonl"))).hasSize(2);
    }
}

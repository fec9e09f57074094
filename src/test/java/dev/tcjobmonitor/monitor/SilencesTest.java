package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.support.Docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.alert.FailedExecution;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How silences.yaml is read: what a silence is, and the line an operator is sent to when it is not one. */
class SilencesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSilenceNamesAJobOrAnExitTextSomeSinksOrAllAndATime() throws Exception {
        List<Silences.Silence> silences = Silences.parse("""
                silences:
                  - job: 7
                    sinks: [email, custom]
                    starts: 2026-11-30T08:00:00+01:00
                    ends: 2026-11-30T18:00:00Z
                    reason: vendor outage
                    author: alice
                  - exitMessageContains: Timeout
                    ends: 2026-12-01T00:00:00Z
                    reason: flaky proxy
                    author: bob
                """);

        assertThat(silences).hasSize(2);
        Silences.Silence job7 = silences.get(0);
        assertThat(job7.line()).isEqualTo(2);
        assertThat(job7.jobId()).contains(7L);
        assertThat(job7.sinks()).containsExactlyInAnyOrder("email", "custom");
        assertThat(job7.starts()).contains(Instant.parse("2026-11-30T07:00:00Z"));
        assertThat(job7.activeAt(Instant.parse("2026-11-30T06:59:59Z"))).isFalse();
        assertThat(job7.activeAt(Instant.parse("2026-11-30T07:00:00Z"))).isTrue();
        assertThat(job7.activeAt(Instant.parse("2026-11-30T18:00:00Z"))).as("the end is not part of it").isFalse();
        assertThat(job7.silences(execution(7, "x"), "email")).isTrue();
        assertThat(job7.silences(execution(7, "x"), "file")).as("a sink it does not name").isFalse();
        assertThat(job7.silences(execution(8, "x"), "email")).isFalse();

        Silences.Silence text = silences.get(1);
        assertThat(text.sinks()).as("no sinks named: all of them").isEmpty();
        assertThat(text.starts()).isEmpty();
        assertThat(text.silences(execution(1, "Failed: read TIMEOUT after 30 s"), "file")).as("case-insensitive").isTrue();
        assertThat(text.silences(execution(1, "Failed: 500"), "file")).isFalse();
    }

    /** The README's example is a silences file as it stands. */
    @Test
    void theReadmeExampleIsASilencesFile() throws Exception {
        String yaml = Docs.firstBlock(Docs.section("Silences"), "yaml");

        List<Silences.Silence> silences = Silences.parse(yaml);

        assertThat(silences).hasSize(1);
        assertThat(silences.get(0).jobId()).contains(7L);
        assertThat(silences.get(0).sinks()).containsExactly("email");
        assertThat(silences.get(0).author()).isEqualTo("alice");
    }

    @Test
    void anEmptyFileOrAnEmptyListIsNoSilences() throws Exception {
        assertThat(Silences.parse("")).isEmpty();
        assertThat(Silences.parse("silences:\n")).isEmpty();
        assertThat(Silences.parse("silences: []\n")).isEmpty();
    }

    @Test
    void whatIsNotASilenceIsRejectedWithTheLineItIsOn() {
        assertRejected("silences:\n  - job: 7\n   ends: x\n", 3, "not YAML");
        assertRejected("silences:\n  - job: 7\n    reason: r\n    author: a\n", 2, "has no 'ends'");
        assertRejected("silences:\n  - job: 7\n    starts: 2026-11-30T10:00:00Z\n    ends: 2026-11-30T10:00:00Z\n    reason: r\n    author: a\n",
                4, "before it starts");
        assertRejected("silences:\n  - job: 7\n    ends: 2026-11-30T10:00:00Z\n    reason: r\n    author: a\n    sink: email\n",
                6, "unknown key 'sink'");
        assertRejected("silences:\n  - job: 7\n    ends: tomorrow\n    reason: r\n    author: a\n", 3, "not a time");
        assertRejected("silences:\n  - job: seven\n    ends: 2026-11-30T10:00:00Z\n    reason: r\n    author: a\n", 2, "not a job id");
        assertRejected("silences:\n  - ends: 2026-11-30T10:00:00Z\n    reason: r\n    author: a\n", 2, "would silence every failure");
        assertRejected("silences:\n  - job: 7\n    ends: 2026-11-30T10:00:00Z\n    author: a\n", 2, "no 'reason'");
        assertRejected("silences:\n  - job: 7\n    ends: 2026-11-30T10:00:00Z\n    reason: r\n", 2, "no 'author'");
        assertRejected("- job: 7\n", 1, "expected a mapping");
    }

    private static void assertRejected(String yaml, int line, String why) {
        assertThatThrownBy(() -> Silences.parse(yaml)).isInstanceOfSatisfying(Silences.Malformed.class, malformed -> {
            assertThat(malformed.line).as("line of %s", why).isEqualTo(line);
            assertThat(malformed.getMessage()).contains(why);
        });
    }

    private static FailedExecution execution(long job, String exitMessage) {
        ObjectNode fields = JSON.createObjectNode().put("id", 1).put("jobId", job).put("status", "Failed").put("exitMessage", exitMessage);
        return new FailedExecution(fields);
    }
}

package dev.tcjobmonitor.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.alert.AlertDocument;
import dev.tcjobmonitor.alert.FailedExecution;
import dev.tcjobmonitor.support.RecordingChannel;
import dev.tcjobmonitor.threatconnect.ExecutionPageReader;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesFileTest {

    @TempDir
    Path dir;

    private JsonLinesFile writer(String instant) {
        JsonLinesFile writer = new JsonLinesFile();
        writer.setDirectory(dir.toString());
        writer.setClock(Clock.fixed(Instant.parse(instant), ZoneOffset.UTC));
        return writer;
    }

    @Test
    void appendsOneLinePerDocumentToTheFileOfTheUtcDay() throws Exception {
        JsonLinesFile writer = writer("2026-11-28T23:59:59Z");
        writer.appendAll(List.of("{\"id\":1}"));
        writer.appendAll(List.of("{\"id\":2}"));
        writer(("2026-11-29T00:00:00Z")).appendAll(List.of("{\"id\":3}"));

        assertThat(Files.readString(dir.resolve("failures-2026-11-28.jsonl"))).isEqualTo("{\"id\":1}\n{\"id\":2}\n");
        assertThat(Files.readString(dir.resolve("failures-2026-11-29.jsonl"))).isEqualTo("{\"id\":3}\n");
    }

    @Test
    void aBatchBecomesOneLinePerDocumentInItsOrder() throws Exception {
        JsonLinesFile writer = writer("2026-11-28T10:00:00Z");
        writer.appendAll(List.of("{\"id\":1}"));

        Path file = writer.appendAll(List.of("{\"id\":3}", "{\"id\":2}", "{\"id\":4}"));

        assertThat(file).isEqualTo(dir.resolve("failures-2026-11-28.jsonl"));
        assertThat(Files.readString(file)).isEqualTo("{\"id\":1}\n{\"id\":3}\n{\"id\":2}\n{\"id\":4}\n");
    }

    @Test
    void aBatchLargerThanTheWriteBufferAndALineLargerThanItStayWholeAndInOrder() throws Exception {
        // the writer sends a page out in pieces of its buffer (256 KiB): lines on both sides of a
        // piece's end, and a line (a huge exit message) longer than a piece, must come out whole
        JsonLinesFile writer = writer("2026-11-28T10:00:00Z");
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            batch.add("{\"id\":" + i + ",\"exitMessage\":\"" + "\u00e9chec ".repeat(20) + "\"}");
            if (i == 1500) {
                batch.add("{\"id\":\"huge\",\"exitMessage\":\"" + "x".repeat(600_000) + "\"}");
            }
        }

        Path file = writer.appendAll(batch);

        assertThat(Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8)).containsExactlyElementsOf(batch);
    }

    @Test
    void alertsAreWrittenAsTheBytesOfTheirDocumentsTexts() throws Exception {
        // appendAlerts writes each document straight into the buffer, never as a string: its bytes
        // must be those of String.getBytes(UTF_8) of the document's text, whatever the characters
        // (two- and three-byte ones, a surrogate pair, which may fall across the end of the buffer,
        // and a surrogate without its pair, which getBytes writes as '?'), and whatever the length
        List<Alert> alerts = new ArrayList<>();
        StringBuilder page = new StringBuilder("{\"status\":\"Success\",\"data\":[");
        for (int i = 0; i < 3000; i++) {
            String message = i % 7 == 0 ? "lone \\ud800 and \\udc00 ends \\ud83d"
                    : "\u00e9chec \u2013 \ud834\udd1e ".repeat(i % 13) + "x".repeat(i % 3);
            page.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"exitMessage\":\"").append(message)
                    .append("\",\"ratio\":1.5e1,\"custom\":{\"a\":[1,{\"b\":null}]}}");
            if (i == 1500) {
                page.append(",{\"id\":\"huge\",\"exitMessage\":\"").append("\ud834\udd1e".repeat(200_000)).append("\"}");
                page.append(",{\"id\":\"huge-ascii\",\"exitMessage\":\"").append("ascii ".repeat(100_000)).append("\"}");
            }
        }
        page.append("]}");
        // the monitor member too, ASCII or not (a page's alerts share one)
        ObjectNode about = AlertDocument.about("default", "https://tc.example/api", Instant.parse("2026-11-28T10:00:00Z"));
        ObjectNode accented = AlertDocument.about("m\u00fcnchen", "https://tc.example/api", Instant.parse("2026-11-28T10:00:00Z"));
        List<FailedExecution> executions = new ExecutionPageReader()
                .read(200, new java.io.ByteArrayInputStream(page.toString().getBytes(StandardCharsets.UTF_8))).executions();
        for (int i = 0; i < executions.size(); i++) {
            FailedExecution execution = executions.get(i);
            ObjectNode monitor = i < executions.size() / 2 ? about : accented;
            alerts.add(new Alert(execution, execution.deliveryKey(), Instant.EPOCH,
                    AlertDocument.of(execution, monitor, AlertDocument.json(monitor)), java.util.Set.of("file"), "default"));
        }
        // and a document given as text (an operator's route changed it), with a lone surrogate of its own
        alerts.add(new Alert(alerts.get(0).execution(), "changed", Instant.EPOCH, "{\"changed\":\"\ud800\"}",
                java.util.Set.of("file"), "default"));

        Path file = writer("2026-11-28T10:00:00Z").appendAlerts(alerts);

        // the texts only now (rendering them first would have the writer write those instead)
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (Alert alert : alerts) {
            expected.write((alert.document() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(expected.toByteArray());
        assertThat(alerts.get(7).document()).as("surrogates without their pair reach the writer").contains("lone \ud800 and \udc00");
    }

    @Test
    void aBatchIsForcedToTheDiskOnceBeforeAppendAllReturns() throws Exception {
        // the route records the batch as delivered (and the watermark moves after it) only once
        // appendAll returns: lines still in the page cache then would be lost to a power cut while
        // the ledger and the watermark say they were delivered
        List<String> events = new ArrayList<>();
        JsonLinesFile writer = writer("2026-11-28T10:00:00Z");
        writer.setOpener(file -> new RecordingChannel(FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE), file, events));

        writer.appendAll(List.of("{\"id\":1}", "{\"id\":2}", "{\"id\":3}"));
        assertThat(events).as("the batch's write, then one force").endsWith("write failures-2026-11-28.jsonl",
                "force failures-2026-11-28.jsonl").containsOnlyOnce("force failures-2026-11-28.jsonl");

        events.clear();
        writer.appendAll(List.of("{\"id\":4}", "{\"id\":5}"));
        assertThat(events).as("one force per batch, not per line")
                .containsExactly("write failures-2026-11-28.jsonl", "force failures-2026-11-28.jsonl");
    }

    @Test
    void anEmptyBatchWritesNothingAndCreatesNoFile() throws Exception {
        assertThat(writer("2026-11-28T10:00:00Z").appendAll(List.of())).isNull();

        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aLineCutShortByACrashIsReplacedNotGluedOnto() throws Exception {
        Path file = dir.resolve("failures-2026-11-28.jsonl");
        Files.writeString(file, "{\"id\":1}\n{\"id\":2,\"exitMes");

        writer("2026-11-28T10:00:00Z").appendAll(List.of("{\"id\":2}"));

        assertThat(Files.readString(file)).isEqualTo("{\"id\":1}\n{\"id\":2}\n");
    }

    @Test
    void aBatchCutShortByACrashKeepsItsWholeLinesAndTheNextBatchStartsOnALineOfItsOwn() throws Exception {
        Path file = dir.resolve("failures-2026-11-28.jsonl");
        // the crash came in the middle of a batch's write: two of its lines whole, the third torn
        Files.writeString(file, "{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n{\"id\":4,\"exi");

        writer("2026-11-28T10:00:00Z").appendAll(List.of("{\"id\":4}", "{\"id\":5}"));

        assertThat(Files.readAllLines(file)).containsExactly("{\"id\":1}", "{\"id\":2}", "{\"id\":3}", "{\"id\":4}", "{\"id\":5}");
    }

    @Test
    void aFileHoldingOnlyACutLineIsEmptiedFirst() throws Exception {
        Path file = dir.resolve("failures-2026-11-28.jsonl");
        Files.writeString(file, "x".repeat(20_000));

        writer("2026-11-28T10:00:00Z").appendAll(List.of("{\"id\":9}"));

        assertThat(Files.readString(file)).isEqualTo("{\"id\":9}\n");
    }

    @Test
    void aBatchTheDiskRefusesPartWayLeavesNoneOfItsLinesAndCanBeWrittenAgainWhole() throws Exception {
        JsonLinesFile writer = writer("2026-11-28T10:00:00Z");
        writer.appendAll(List.of("{\"id\":1}"));
        writer.close();
        // room for the first line of the batch and half of the second
        FailingDisk disk = FailingDisk.fullAfter(9 + 4);
        writer.setOpener(disk);
        List<String> batch = List.of("{\"id\":2}", "{\"id\":3}", "{\"id\":4}");

        assertThatThrownBy(() -> writer.appendAll(batch)).isInstanceOf(IOException.class).hasMessageContaining("No space left");
        Path file = dir.resolve("failures-2026-11-28.jsonl");
        assertThat(Files.readString(file)).as("the refused batch is taken back whole").isEqualTo("{\"id\":1}\n");

        disk.repair();
        writer.appendAll(batch);

        assertThat(Files.readAllLines(file)).containsExactly("{\"id\":1}", "{\"id\":2}", "{\"id\":3}", "{\"id\":4}");
    }

    @Test
    void whatARefusedBatchLeftIsCutWhenTheFileIsReopenedIfTheDiskRefusedToTakeItBackAtOnce() throws Exception {
        JsonLinesFile writer = writer("2026-11-28T10:00:00Z");
        writer.appendAll(List.of("{\"id\":1}"));
        writer.close();
        FailingDisk disk = FailingDisk.brokenAfter(9 + 4);
        writer.setOpener(disk);
        List<String> batch = List.of("{\"id\":2}", "{\"id\":3}");

        assertThatThrownBy(() -> writer.appendAll(batch)).isInstanceOf(IOException.class);
        Path file = dir.resolve("failures-2026-11-28.jsonl");
        assertThat(Files.readString(file)).as("left on the broken disk").isEqualTo("{\"id\":1}\n{\"id\":2}\n{\"id");

        disk.repair();
        writer.appendAll(batch);

        assertThat(Files.readAllLines(file)).containsExactly("{\"id\":1}", "{\"id\":2}", "{\"id\":3}");
    }
}

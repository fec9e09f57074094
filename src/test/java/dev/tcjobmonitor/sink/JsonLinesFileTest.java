package dev.tcjobmonitor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
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
        writer.append("{\"id\":1}");
        writer.append("{\"id\":2}");
        writer(("2026-11-29T00:00:00Z")).append("{\"id\":3}");

        assertThat(Files.readString(dir.resolve("failures-2026-11-28.jsonl"))).isEqualTo("{\"id\":1}\n{\"id\":2}\n");
        assertThat(Files.readString(dir.resolve("failures-2026-11-29.jsonl"))).isEqualTo("{\"id\":3}\n");
    }

    @Test
    void aLineCutShortByACrashIsReplacedNotGluedOnto() throws Exception {
        Path file = dir.resolve("failures-2026-11-28.jsonl");
        Files.writeString(file, "{\"id\":1}\n{\"id\":2,\"exitMes");

        writer("2026-11-28T10:00:00Z").append("{\"id\":2}");

        assertThat(Files.readString(file)).isEqualTo("{\"id\":1}\n{\"id\":2}\n");
    }

    @Test
    void aFileHoldingOnlyACutLineIsEmptiedFirst() throws Exception {
        Path file = dir.resolve("failures-2026-11-28.jsonl");
        Files.writeString(file, "x".repeat(20_000));

        writer("2026-11-28T10:00:00Z").append("{\"id\":9}");

        assertThat(Files.readString(file)).isEqualTo("{\"id\":9}\n");
    }
}

package dev.tcjobmonitor.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.threatconnect.ExecutionPageReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * A sink's dead letter: {@code <state-dir>/<monitor>/dead-letter-<sink>.jsonl}, one JSON line per
 * alert the sink could not take before the monitor gave up on it, with the error.
 */
public final class DeadLetterFile {

    private static final ObjectMapper JSON = ExecutionPageReader.JSON;

    private final Path directory;

    public DeadLetterFile(Path directory) {
        this.directory = directory;
    }

    public synchronized Path append(String monitor, String sink, String alertDocument, String error, Instant at) {
        Path file = directory.resolve(monitor).resolve("dead-letter-" + sink + ".jsonl");
        ObjectNode line = JSON.createObjectNode().put("deadLetteredAt", at.toString()).put("sink", sink).put("error", error);
        try {
            line.set("alert", JSON.readTree(alertDocument));
            Files.createDirectories(file.getParent());
            Files.writeString(file, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return file;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a dead letter", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the dead letter " + file, e);
        }
    }
}

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
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

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

    /** Where {@code sink}'s dead letter of {@code monitor} is (it may not exist). */
    public Path file(String monitor, String sink) {
        return directory.resolve(monitor).resolve("dead-letter-" + sink + ".jsonl");
    }

    /** The lines of the dead letter, in the order they were written; none when there is no file. */
    public synchronized List<String> lines(String monitor, String sink) {
        Path file = file(monitor, sink);
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(line -> !line.isBlank()).toList() : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dead letter " + file, e);
        }
    }

    /**
     * Leaves only {@code kept} in the dead letter (written to a new file that then takes its place,
     * so a crash leaves the old or the new one whole); with none kept, the file is removed.
     */
    public synchronized void keepOnly(String monitor, String sink, List<String> kept) {
        Path file = file(monitor, sink);
        try {
            if (kept.isEmpty()) {
                Files.deleteIfExists(file);
                return;
            }
            Path next = file.resolveSibling(file.getFileName() + ".next");
            Files.write(next, kept, StandardCharsets.UTF_8);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite the dead letter " + file, e);
        }
    }

    public synchronized Path append(String monitor, String sink, String alertDocument, String error, Instant at) {
        Path file = file(monitor, sink);
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

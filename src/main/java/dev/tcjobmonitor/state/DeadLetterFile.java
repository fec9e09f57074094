package dev.tcjobmonitor.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.threatconnect.ExecutionPageReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A sink's dead letter: {@code <state-dir>/<monitor>/dead-letter-<sink>.jsonl}, one JSON line per
 * alert the sink could not take before the monitor gave up on it, with the error.
 */
public final class DeadLetterFile {

    private static final ObjectMapper JSON = ExecutionPageReader.JSON;

    /**
     * One line of a dead letter, as its bytes (without the '\n'): a line a crash cut short may
     * not be UTF-8, and is then kept as it is, byte for byte.
     */
    public record Line(byte[] bytes) {

        /** The line's text, or none when its bytes are not UTF-8 (a line torn inside a character). */
        public Optional<String> text() {
            try {
                return Optional.of(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
            } catch (CharacterCodingException notUtf8) {
                return Optional.empty();
            }
        }

        private boolean isBlank() {
            return text().map(String::isBlank).orElse(false);
        }
    }

    private final Path directory;
    /** Replaces the file durably (a seam for tests: they see each write and force). */
    private final StateFileWriter writer = new StateFileWriter();

    public DeadLetterFile(Path directory) {
        this.directory = directory;
    }

    void setOpener(StateFileWriter.Opener opener) {
        writer.setOpener(opener);
    }

    /** Where {@code sink}'s dead letter of {@code monitor} is (it may not exist). */
    public Path file(String monitor, String sink) {
        return directory.resolve(monitor).resolve("dead-letter-" + sink + ".jsonl");
    }

    /**
     * The lines of the dead letter, in the order they were written, each decoded on its own (one
     * line that is not UTF-8 leaves the others readable); none when there is no file.
     */
    public synchronized List<Line> lines(String monitor, String sink) {
        Path file = file(monitor, sink);
        try {
            if (!Files.exists(file)) {
                return List.of();
            }
            byte[] content = Files.readAllBytes(file);
            List<Line> lines = new ArrayList<>();
            int start = 0;
            for (int i = 0; i <= content.length; i++) {
                if (i == content.length || content[i] == '\n') {
                    Line line = new Line(Arrays.copyOfRange(content, start, i));
                    if (line.bytes().length > 0 && !line.isBlank()) {
                        lines.add(line);
                    }
                    start = i + 1;
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dead letter " + file, e);
        }
    }

    /**
     * Leaves only {@code kept} in the dead letter, in the order given, each line byte for byte:
     * written to a new file, forced to the disk, that then takes its place (so a crash or a power
     * loss leaves the old or the new one whole); with none kept, the file is removed.
     */
    public synchronized void keepOnly(String monitor, String sink, List<Line> kept) {
        Path file = file(monitor, sink);
        if (kept.isEmpty()) {
            writer.delete(file);
            return;
        }
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (Line line : kept) {
            content.writeBytes(line.bytes());
            content.write('\n');
        }
        writer.replace(file, content.toByteArray());
    }

    /**
     * Appends one line for the alert. A last line a crash left without its '\n' is ended first:
     * it stays a line of its own (unreadable), and the new one stays readable.
     */
    public synchronized Path append(String monitor, String sink, String alertDocument, String error, Instant at) {
        Path file = file(monitor, sink);
        ObjectNode line = JSON.createObjectNode().put("deadLetteredAt", at.toString()).put("sink", sink).put("error", error);
        try {
            line.set("alert", JSON.readTree(alertDocument));
            Files.createDirectories(file.getParent());
            String text = (endsTorn(file) ? "\n" : "") + JSON.writeValueAsString(line) + "\n";
            writer.append(file, text.getBytes(StandardCharsets.UTF_8));
            // on the disk before the alert is recorded as delivered (SinkLedger): a power loss must
            // not keep that record and lose the only copy of the alert
            writer.force(file);
            return file;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a dead letter", e);
        } catch (IOException e) {
            // the file named in the message, the cause left out: a poll's line says the innermost cause
            // (ErrorText), and a channel's own message ("Is a directory") names no file
            throw new IllegalStateException("cannot write the dead letter " + file + " (" + e.getMessage() + ")");
        }
    }

    /** Whether {@code file} is not empty and its last byte is not '\n' (a torn last line). */
    private static boolean endsTorn(Path file) throws IOException {
        if (!Files.exists(file)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                return false;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            channel.read(last, size - 1);
            return last.get(0) != '\n';
        }
    }
}

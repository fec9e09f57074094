package dev.tcjobmonitor.sink;

import dev.tcjobmonitor.alert.Alert;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The file sink's writer (bean {@code tcJsonLines}): one JSON document per line in
 * {@code failures-YYYY-MM-DD.jsonl} (UTC day), the lines of a batch written together in one
 * write, straight to the operating system (no buffer in this process to lose), then forced to the
 * disk (fsync) once per batch: the batch's delivered ids, recorded only when this returns, and the
 * watermark after them never reach the disk before its lines (a power loss would lose them).
 *
 * <p>A process killed in the middle of a write leaves a line without its newline; the next append
 * would glue the re-delivered document onto it and both would be unreadable as JSON Lines. So
 * when a file is opened, an unterminated last line is cut off: that alert was never recorded as
 * delivered (the record is written only after the append), so it is on its way again. A write
 * that fails while the process lives is taken back whole: the file keeps none of that batch's
 * lines, so the batch can be written again without doubling the ones that had made it. The file
 * of the day stays open between batches; it is closed when the day changes and when Camel stops.
 */
public class JsonLinesFile implements AutoCloseable {

    /** How the file of the day is opened; tests put a disk that fails part-way in its place. */
    @FunctionalInterface
    interface Opener {
        FileChannel open(Path file) throws IOException;
    }

    private Path directory;
    private Clock clock = Clock.systemUTC();
    // READ to find a cut last line; one writer per file (this bean, synchronized), so no APPEND mode is needed
    private Opener opener = file -> FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    private Path openFile;
    private FileChannel channel;
    /** Where a failed write began when it could not be taken back at once: the file is cut there when reopened. */
    /** Bytes written out at a time: one buffer for every page, so a page costs its lines' bytes and no more. */
    private static final int BUFFER_BYTES = 256 * 1024;
    private ByteBuffer buffer;
    private char[] chars;
    private Path cutFile;
    private long cutAt;

    public void setDirectory(String directory) {
        this.directory = Path.of(directory);
    }

    public void setClock(Clock clock) {
        this.clock = clock;
    }

    void setOpener(Opener opener) {
        this.opener = opener;
    }

    /**
     * Appends the documents, one line each and in order, forced to disk once. Either every line is
     * in the file afterwards, or (an exception) none of them.
     *
     * @return the file written, or null when there was nothing to write
     */
    public synchronized Path appendAll(List<String> documents) throws IOException {
        if (documents.isEmpty()) {
            return null;
        }
        return append(lines -> {
            for (String document : documents) {
                lines.write(document);
                lines.write('\n');
            }
        });
    }

    /**
     * Appends the alerts' documents, one line each and in order, forced to disk once, as
     * {@link #appendAll} appends their texts: each document is written straight into the output
     * buffer (no string per alert, no byte array per line). Either every line is in the file
     * afterwards, or (an exception) none of them.
     *
     * @return the file written, or null when there was nothing to write
     */
    public synchronized Path appendAlerts(List<Alert> alerts) throws IOException {
        if (alerts.isEmpty()) {
            return null;
        }
        return append(lines -> {
            for (Alert alert : alerts) {
                alert.rendered().writeTo(lines);
                lines.write('\n');
            }
        });
    }

    /** What a batch writes: its lines' characters, in order. */
    @FunctionalInterface
    private interface Batch {
        void writeTo(Writer lines) throws IOException;
    }

    private Path append(Batch batch) throws IOException {
        Path file = directory.resolve("failures-" + LocalDate.now(clock.withZone(ZoneOffset.UTC)) + ".jsonl");
        FileChannel out = channelFor(file);
        long start = out.position();
        try {
            // the lines' characters are encoded into one reused buffer, written out whenever it is
            // full: a page of 10,000 lines is encoded once, never gathered into strings or one
            // byte array per line first
            Utf8Lines lines = new Utf8Lines(buffer(), chars(), out);
            batch.writeTo(lines);
            lines.writeOut();
            // once per batch (a page), not per line: durable before anything records it as delivered
            out.force(false);
        } catch (IOException e) {
            takeBack(file, out, start);
            throw e;
        }
        return file;
    }

    private char[] chars() {
        if (chars == null) {
            chars = new char[8192];
        }
        return chars;
    }

    private ByteBuffer buffer() {
        if (buffer == null) {
            buffer = ByteBuffer.allocate(BUFFER_BYTES);
        }
        buffer.clear();
        return buffer;
    }

    static void writeFully(ByteBuffer bytes, FileChannel out) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    /** Removes what a failed write left of its batch, now or, if the disk refuses that too, at the next open. */
    private void takeBack(Path file, FileChannel out, long start) throws IOException {
        try {
            out.truncate(start);
        } catch (IOException e) {
            cutFile = file;
            cutAt = start;
        } finally {
            close();
        }
    }

    private FileChannel channelFor(Path file) throws IOException {
        if (channel != null && file.equals(openFile) && Files.exists(file)) {
            return channel;
        }
        close();
        Files.createDirectories(directory);
        FileChannel opened = opener.open(file);
        try {
            if (file.equals(cutFile)) {
                if (opened.size() > cutAt) {
                    opened.truncate(cutAt);
                }
                cutFile = null;
            }
            cutUnterminatedLastLine(opened);
            opened.position(opened.size());
        } catch (IOException e) {
            opened.close();
            throw e;
        }
        channel = opened;
        openFile = file;
        return channel;
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            try {
                channel.close();
            } finally {
                channel = null;
                openFile = null;
            }
        }
    }

    private static void cutUnterminatedLastLine(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size == 0 || lastByte(channel, size) == '\n') {
            return;
        }
        ByteBuffer chunk = ByteBuffer.allocate(8192);
        for (long end = size; end > 0; ) {
            long start = Math.max(0, end - chunk.capacity());
            chunk.clear().limit((int) (end - start));
            channel.read(chunk, start);
            for (int i = chunk.position() - 1; i >= 0; i--) {
                if (chunk.get(i) == '\n') {
                    channel.truncate(start + i + 1);
                    return;
                }
            }
            end = start;
        }
        channel.truncate(0);
    }

    private static byte lastByte(FileChannel channel, long size) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        channel.read(one, size - 1);
        return one.get(0);
    }
}

package dev.tcjobmonitor.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The file sink's writer (bean {@code tcJsonLines}): one JSON document per line in
 * {@code failures-YYYY-MM-DD.jsonl} (UTC day), each line written whole in one write, straight to
 * the operating system (no buffer in this process to lose).
 *
 * <p>A process killed in the middle of a write leaves a line without its newline; the next append
 * would glue the re-delivered document onto it and both would be unreadable as JSON Lines. So
 * when a file is opened, an unterminated last line is cut off: that alert was never recorded as
 * delivered (the record is written only after the append), so it is on its way again. The file of
 * the day stays open between lines; it is closed when the day changes and when Camel stops.
 */
public class JsonLinesFile implements AutoCloseable {

    private Path directory;
    private Clock clock = Clock.systemUTC();
    private Path openFile;
    private FileChannel channel;

    public void setDirectory(String directory) {
        this.directory = Path.of(directory);
    }

    public void setClock(Clock clock) {
        this.clock = clock;
    }

    public synchronized Path append(String document) throws IOException {
        Path file = directory.resolve("failures-" + LocalDate.now(clock.withZone(ZoneOffset.UTC)) + ".jsonl");
        ByteBuffer line = ByteBuffer.wrap((document + "\n").getBytes(StandardCharsets.UTF_8));
        FileChannel out = channelFor(file);
        try {
            while (line.hasRemaining()) {
                out.write(line);
            }
        } catch (IOException e) {
            close(); // reopened, and a torn line cut off, at the next append
            throw e;
        }
        return file;
    }

    private FileChannel channelFor(Path file) throws IOException {
        if (channel != null && file.equals(openFile) && Files.exists(file)) {
            return channel;
        }
        close();
        Files.createDirectories(directory);
        // READ to find a cut last line; one writer per file (this bean, synchronized), so no APPEND mode is needed
        FileChannel opened = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        cutUnterminatedLastLine(opened);
        opened.position(opened.size());
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

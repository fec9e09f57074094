package dev.tcjobmonitor.support;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * A real file's channel that notes, in a list shared by every channel of a test, each write and
 * each force (fsync) as {@code "write <file name>"} or {@code "force <file name>"}: the order in
 * which things are made durable is what a power loss keeps or loses.
 */
public final class RecordingChannel extends DelegatingFileChannel {

    private final String name;
    private final List<String> events;

    public RecordingChannel(FileChannel file, Path path, List<String> events) {
        super(file);
        this.name = path.getFileName().toString();
        this.events = events;
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
        events.add("write " + name);
        return super.write(source);
    }

    @Override
    public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
        events.add("write " + name);
        return super.write(sources, offset, length);
    }

    @Override
    public int write(ByteBuffer source, long position) throws IOException {
        events.add("write " + name);
        return super.write(source, position);
    }

    @Override
    public void force(boolean metaData) throws IOException {
        events.add("force " + name);
        super.force(metaData);
    }
}

package dev.tcjobmonitor.sink;

import dev.tcjobmonitor.support.DelegatingFileChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A real file on a disk that fails after {@code room} more bytes: a write takes what fits, then
 * the next write fails, as a full disk does; a broken disk also refuses to truncate.
 * {@link #repair} makes it work again.
 */
final class FailingDisk implements JsonLinesFile.Opener {

    private long room;
    private boolean refusesTruncation;

    private FailingDisk(long room, boolean refusesTruncation) {
        this.room = room;
        this.refusesTruncation = refusesTruncation;
    }

    static FailingDisk fullAfter(long bytes) {
        return new FailingDisk(bytes, false);
    }

    static FailingDisk brokenAfter(long bytes) {
        return new FailingDisk(bytes, true);
    }

    void repair() {
        room = Long.MAX_VALUE;
        refusesTruncation = false;
    }

    @Override
    public FileChannel open(Path file) throws IOException {
        return new Channel(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    /** The file, with less room than it seems (and, when broken, no truncating either). */
    private final class Channel extends DelegatingFileChannel {

        Channel(FileChannel file) {
            super(file);
        }

        @Override
        public int write(ByteBuffer source) throws IOException {
            if (room <= 0) {
                throw new IOException(refusesTruncation ? "Input/output error" : "No space left on device");
            }
            int fits = (int) Math.min(room, source.remaining());
            ByteBuffer part = source.slice().limit(fits);
            int written = file.write(part);
            source.position(source.position() + written);
            room -= written;
            return written;
        }

        @Override
        public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer source, long position) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            if (refusesTruncation && room <= 0) {
                throw new IOException("Input/output error");
            }
            file.truncate(size);
            return this;
        }
    }
}

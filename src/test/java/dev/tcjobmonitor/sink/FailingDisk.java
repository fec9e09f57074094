package dev.tcjobmonitor.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
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

    private final class Channel extends FileChannel {

        private final FileChannel file;

        Channel(FileChannel file) {
            this.file = file;
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
        public int read(ByteBuffer target) throws IOException {
            return file.read(target);
        }

        @Override
        public long read(ByteBuffer[] targets, int offset, int length) throws IOException {
            return file.read(targets, offset, length);
        }

        @Override
        public int read(ByteBuffer target, long position) throws IOException {
            return file.read(target, position);
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            file.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            if (refusesTruncation && room <= 0) {
                throw new IOException("Input/output error");
            }
            file.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            file.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(ReadableByteChannel source, long position, long count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }
    }
}

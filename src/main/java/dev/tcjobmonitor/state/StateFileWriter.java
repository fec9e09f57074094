package dev.tcjobmonitor.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes the state folder's files durably: appends through channels kept open between writes,
 * forces what was appended to the disk, and replaces a whole file atomically (temp file, fsync,
 * rename). Used under the lock of its {@link FileStateStore}.
 */
final class StateFileWriter {

    /** Opens a file for writing (a seam for tests: the channel they get sees every write and force). */
    @FunctionalInterface
    interface Opener {
        FileChannel open(Path file, OpenOption... options) throws IOException;
    }

    /** Files kept open for appending between writes (closed before a rewrite). */
    private final Map<Path, FileChannel> appenders = new HashMap<>();
    /** How the files are opened; tests watch what reaches the disk, and in what order. */
    private Opener opener = FileChannel::open;

    void setOpener(Opener opener) {
        this.opener = opener;
    }

    /**
     * Appends {@code content} in one write through the file's kept-open channel. A failed write
     * closes the channel: the next append opens the file again.
     */
    void append(Path file, byte[] content) throws IOException {
        try {
            FileChannel channel = appenders.get(file);
            if (channel == null) {
                channel = opener.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                appenders.put(file, channel);
            }
            writeFully(channel, content);
        } catch (IOException e) {
            close(file);
            throw e;
        }
    }

    /**
     * Forces what was appended to {@code file} to the disk, through its channel or, when a failed
     * write closed that, through the file opened again: what earlier writes left is forced all the same.
     */
    void force(Path file) throws IOException {
        FileChannel channel = appenders.get(file);
        if (channel != null) {
            channel.force(false);
        } else if (Files.exists(file)) {
            try (FileChannel reopened = opener.open(file, StandardOpenOption.READ)) {
                reopened.force(false);
            }
        }
    }

    /**
     * Replaces {@code target} by {@code content}: a kill at any moment leaves either the old or the
     * new content. A channel kept open for appending to it is closed first.
     */
    void replace(Path target, byte[] content) {
        close(target);
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel channel = opener.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(channel, content);
            channel.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + temp, e);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IllegalStateException("the state folder's file system cannot rename atomically: " + target, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + target, e);
        }
    }

    /** Deletes {@code file}, closing a channel kept open for appending to it first. */
    void delete(Path file) {
        close(file);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
    }

    /** Closes every channel kept open for appending. */
    void closeAll() {
        new ArrayList<>(appenders.keySet()).forEach(this::close);
    }

    private void close(Path file) {
        FileChannel channel = appenders.remove(file);
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // every byte was written by write() already; a failing close loses nothing
            }
        }
    }

    private static void writeFully(FileChannel channel, byte[] content) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}

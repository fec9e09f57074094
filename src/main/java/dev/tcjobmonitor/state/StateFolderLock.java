package dev.tcjobmonitor.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process per state folder: an exclusive lock on {@code <state-dir>/.lock} (the operating
 * system's file lock, dropped when the process ends, however it ends), with the holder's pid in
 * the file. A second process on the folder would corrupt it: the delivered ids are rewritten from
 * one process's memory when old ones are forgotten, and the file sink writes at its own position.
 * So a process that finds the folder locked is refused ({@link StateFolderInUse}, naming the
 * holder's pid); it neither waits nor shares.
 *
 * <p>Within one JVM the lock is shared: the monitors of a Camel context (and the contexts of one
 * host) each keep their own sub-folder, and the operating system's lock belongs to the process
 * anyway. It is released when the last holder in the JVM closes its handle.
 *
 * <p>A folder that cannot be locked for another reason (read-only, a file system without locks)
 * is used as before, with one warning: the lock only ever refuses a second process, it never
 * stops a monitor that could run.
 */
public final class StateFolderLock implements AutoCloseable {

    /** The lock file, in the state folder; no monitor is called that (a monitor's name starts with a letter or digit). */
    public static final String FILE = ".lock";

    private static final Logger LOG = LoggerFactory.getLogger(StateFolderLock.class);
    /** The folders this JVM holds, by real path. */
    private static final Map<Path, Held> HELD = new HashMap<>();

    private final Path folder;
    private boolean closed;

    private StateFolderLock(Path folder) {
        this.folder = folder;
    }

    /** The operating system's lock on one folder and how many handles of this JVM share it. */
    private static final class Held {
        private final FileChannel channel;
        private final FileLock lock;
        private int handles;

        Held(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }
    }

    /**
     * Locks {@code folder} for this process (creating it if needed) until the handle is closed.
     *
     * @throws StateFolderInUse when another process holds it
     */
    public static StateFolderLock acquire(Path folder) {
        Path key;
        try {
            Files.createDirectories(folder);
            key = folder.toRealPath();
        } catch (IOException e) {
            return unlocked(folder, e);
        }
        synchronized (HELD) {
            Held held = HELD.get(key);
            if (held == null) {
                try {
                    held = lock(key);
                } catch (IOException e) {
                    return unlocked(key, e);
                }
                HELD.put(key, held);
            }
            held.handles++;
            return new StateFolderLock(key);
        }
    }

    private static Held lock(Path folder) throws IOException {
        Path file = folder.resolve(FILE);
        // never truncated before it is ours: until then it names the holder
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameJvm) {
            // another class loader of this JVM holds it: a second copy of the module in one host
            lock = null;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = holder(channel);
            channel.close();
            throw new StateFolderInUse("the state folder " + folder + " is in use by " + holder
                    + ": two processes on one state folder would corrupt it (stop that one first, or wait until it ends)");
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
        } catch (IOException e) {
            // the lock is what counts; the pid is only for the message of the process refused
            LOG.debug("cannot write the pid into {}", file, e);
        }
        return new Held(channel, lock);
    }

    /** "process 1234" as the holder wrote it, or a vaguer phrase when it has not yet written it. */
    private static String holder(FileChannel channel) {
        try {
            ByteBuffer content = ByteBuffer.allocate(32);
            channel.read(content, 0);
            String pid = new String(content.array(), 0, content.position(), StandardCharsets.US_ASCII).strip();
            if (pid.matches("[0-9]{1,19}")) {
                return "process " + pid;
            }
        } catch (IOException unreadable) {
            // said below
        }
        return "another process";
    }

    private static StateFolderLock unlocked(Path folder, IOException why) {
        LOG.warn("The state folder {} cannot be locked ({}): nothing stops a second process from using it at the same time",
                folder, why.getMessage() == null ? why.getClass().getSimpleName() : why.getMessage());
        StateFolderLock none = new StateFolderLock(folder);
        none.closed = true;
        return none;
    }

    public Path folder() {
        return folder;
    }

    /** Gives up this handle; the last one of the JVM releases the folder. Closing twice is harmless. */
    @Override
    public void close() {
        synchronized (HELD) {
            if (closed) {
                return;
            }
            closed = true;
            Held held = HELD.get(folder);
            if (held == null || --held.handles > 0) {
                return;
            }
            HELD.remove(folder);
            try {
                held.lock.release();
                held.channel.close();
            } catch (IOException e) {
                // closing the channel releases the lock in any case; the process's end would too
                LOG.debug("cannot release the lock of {}", folder, e);
            }
        }
    }

    /** Another process holds the state folder; the message names it and says what to do. */
    public static final class StateFolderInUse extends StateStoreException {

        StateFolderInUse(String message) {
            super(message, null);
        }
    }

    @Override
    public String toString() {
        return "StateFolderLock[" + folder + "]";
    }
}

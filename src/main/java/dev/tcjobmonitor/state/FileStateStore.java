package dev.tcjobmonitor.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The embedded default store: plain files under {@code monitor.state-dir}, one folder per monitor.
 * <ul>
 * <li>{@code watermark}: one ISO-8601 instant, replaced atomically (temp file, fsync, rename).</li>
 * <li>{@code delivered-<sink>.tsv}: one {@code key<TAB>epochSeconds} line per delivery (the
 * failure's time), appended with a single write per batch of deliveries (a page's); a torn last
 * line (no newline) is ignored on load. Old entries are forgotten in batches, once they are a
 * quarter of the rest: the ledgers are then rewritten atomically, about every quarter of the
 * retention rather than at every poll, and hold at most a quarter more than the retention's ids.</li>
 * <li>{@code forgotten-before}: the latest cutoff entries were forgotten before (ISO-8601), absent
 * while none was; replaced atomically before the ledgers are rewritten.</li>
 * <li>{@code refused-<sink>.tsv}: one {@code key<TAB>epochSeconds} line per alert the sink refused
 * and has not had since, with the time of its first refusal ({@code monitor.dead-letter-after}
 * counts from it); same format and append as the delivered ids, not forced (a refusal lost to a
 * power loss only starts its count again). Rewritten without the alerts the sink has had since
 * when a window closes.</li>
 * </ul>
 * A kill at any moment leaves either the old or the new watermark, and delivered entries that are
 * all real deliveries. The delivered ids appended since the last watermark are forced to the disk
 * (fsync) before the next watermark is written, once per ledger, not once per line: after a power
 * loss a watermark never survives the record of what its window delivered.
 */
public final class FileStateStore implements MonitorStateStore, AutoCloseable {

    private static final String LEDGER_PREFIX = "delivered-";
    private static final String LEDGER_SUFFIX = ".tsv";
    private static final String FORGOTTEN = "forgotten-before";
    private static final String REFUSED_PREFIX = "refused-";
    /** Old entries are forgotten once there are at least one for every this many kept. */
    private static final int FORGET_ONE_IN = 4;

    private static final java.util.regex.Pattern SAFE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private Path directory;
    private final Map<Path, Map<String, Long>> ledgers = new HashMap<>();
    /** Delivered-id files kept open for appending between deliveries (closed before a rewrite). */
    private final Map<Path, FileChannel> appenders = new HashMap<>();
    /** Delivered-id files appended to since they were last forced to the disk. */
    private final java.util.Set<Path> unforced = new java.util.HashSet<>();
    /** How the store opens the files it writes; tests watch what reaches the disk, and in what order. */
    private Opener opener = FileChannel::open;

    /** Opens a file for writing (a seam for tests: the channel they get sees every write and force). */
    @FunctionalInterface
    interface Opener {
        FileChannel open(Path file, java.nio.file.OpenOption... options) throws IOException;
    }
    /** Each monitor's and sink's ledger file, its names checked once: isDelivered runs for every failure of a page. */
    private final Map<String, Map<String, Path>> ledgerFiles = new HashMap<>();
    /** This process's hold on the folder (see {@link StateFolderLock}), from the first use of a file in it. */
    private StateFolderLock lock;
    /** Folders known to exist: checked once, not on every lookup. */
    private final java.util.Set<Path> created = new java.util.HashSet<>();
    private FailingJobsFile failingJobs;

    public FileStateStore() {
    }

    public FileStateStore(Path directory) {
        this.directory = directory;
    }

    public synchronized void setDirectory(String directory) {
        if (lock != null) {
            lock.close();
            lock = null;
        }
        this.directory = Path.of(directory);
        ledgerFiles.clear();
    }

    void setOpener(Opener opener) {
        this.opener = opener;
    }

    public Path getDirectory() {
        return directory;
    }

    @Override
    public synchronized Optional<Instant> watermark(String monitor) {
        Path file = monitorDir(monitor).resolve("watermark");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(Files.readString(file, StandardCharsets.UTF_8).strip()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the watermark " + file, e);
        } catch (DateTimeParseException e) {
            throw new IllegalStateException("the watermark file " + file + " is corrupt (" + e.getMessage()
                    + "); delete it to restart from monitor.lookback", e);
        }
    }

    @Override
    public synchronized void saveWatermark(String monitor, Instant watermark) {
        forceDeliveredIds();
        writeAtomically(monitorDir(monitor).resolve("watermark"), watermark.toString() + "\n");
    }

    @Override
    public synchronized Optional<Instant> forgottenBefore(String monitor) {
        Path file = monitorDir(monitor).resolve(FORGOTTEN);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(Files.readString(file, StandardCharsets.UTF_8).strip()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (DateTimeParseException e) {
            throw new IllegalStateException("the file " + file + " is corrupt (" + e.getMessage() + "); write into it"
                    + " the time monitor.delivered-retention before the watermark, e.g. 2026-01-01T00:00:00Z", e);
        }
    }

    @Override
    public synchronized boolean isDelivered(String monitor, String sink, String executionKey) {
        return ledger(ledgerFile(monitor, sink)).containsKey(executionKey);
    }

    /**
     * Appends the entries not recorded yet, all in one write. When the write fails, the ledger is
     * read again from disk at the next lookup: whatever complete lines reached it are real
     * deliveries, and a torn last line is cut before anything is appended after it.
     */
    @Override
    public synchronized void recordDelivered(String monitor, String sink, List<Delivery> deliveries) {
        if (deliveries.isEmpty()) {
            return;
        }
        deliveries.forEach(delivery -> requireSafeKey(delivery.executionKey()));
        Path file = ledgerFile(monitor, sink);
        Map<String, Long> entries = ledger(file);
        StringBuilder lines = new StringBuilder(deliveries.size() * 24);
        for (Delivery delivery : deliveries) {
            long epochSecond = delivery.eventTime().getEpochSecond();
            if (entries.putIfAbsent(delivery.executionKey(), epochSecond) == null) {
                lines.append(delivery.executionKey()).append('\t').append(epochSecond).append('\n');
            }
        }
        if (lines.isEmpty()) {
            return;
        }
        append(file, lines, "cannot record a delivery in ");
        unforced.add(file);
    }

    /**
     * Appends {@code lines} in one write. When the write fails, the file's entries are read again
     * from disk at the next lookup (complete lines count, a torn last one is cut).
     */
    private void append(Path file, CharSequence lines, String failure) {
        try {
            FileChannel channel = appenders.get(file);
            if (channel == null) {
                channel = opener.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                appenders.put(file, channel);
            }
            ByteBuffer buffer = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            ledgers.remove(file);
            closeAppender(file);
            throw new UncheckedIOException(failure + file, e);
        }
    }

    /**
     * The recorded first refusal of each key, recording {@code now} (to the second) for those
     * without one, in one write.
     */
    @Override
    public synchronized Map<String, Instant> refusedSince(String monitor, String sink, List<String> executionKeys, Instant now) {
        Map<String, Instant> since = new HashMap<>();
        if (executionKeys.isEmpty()) {
            return since;
        }
        executionKeys.forEach(FileStateStore::requireSafeKey);
        Path file = refusalFile(monitor, sink);
        Map<String, Long> entries = ledger(file);
        long nowSecond = now.getEpochSecond();
        StringBuilder lines = new StringBuilder();
        for (String key : executionKeys) {
            Long first = entries.putIfAbsent(key, nowSecond);
            if (first == null) {
                lines.append(key).append('\t').append(nowSecond).append('\n');
            }
            since.put(key, Instant.ofEpochSecond(first == null ? nowSecond : first));
        }
        if (!lines.isEmpty()) {
            append(file, lines, "cannot record a refusal in ");
        }
        return since;
    }

    /**
     * Rewrites each sink's refusals without the alerts it has had since (in its delivered ids) and
     * those first refused before {@code cutoff}; a file left empty is deleted. A file with nothing
     * to drop is left alone.
     */
    @Override
    public synchronized void forgetRefusals(String monitor, Instant cutoff) {
        Path dir = monitorDir(monitor);
        List<Path> files;
        try (var listing = Files.list(dir)) {
            files = listing.filter(file -> sinkOfRefusals(file) != null).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the state folder " + dir, e);
        }
        long before = cutoff.getEpochSecond();
        for (Path file : files) {
            Map<String, Long> delivered = ledger(ledgerFile(monitor, sinkOfRefusals(file)));
            Map<String, Long> refusals = ledger(file);
            if (refusals.entrySet().removeIf(entry -> entry.getValue() < before || delivered.containsKey(entry.getKey()))) {
                closeAppender(file);
                if (refusals.isEmpty()) {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot delete " + file, e);
                    }
                } else {
                    writeAtomically(file, lines(refusals));
                }
            }
        }
    }

    /** The sink whose refusals {@code file} holds, or null when it holds none. */
    private static String sinkOfRefusals(Path file) {
        String name = file.getFileName().toString();
        if (!name.startsWith(REFUSED_PREFIX) || !name.endsWith(LEDGER_SUFFIX)) {
            return null;
        }
        String sink = name.substring(REFUSED_PREFIX.length(), name.length() - LEDGER_SUFFIX.length());
        return SAFE_NAME.matcher(sink).matches() ? sink : null;
    }

    private Path refusalFile(String monitor, String sink) {
        return monitorDir(monitor).resolve(REFUSED_PREFIX + requireSafeName(sink) + LEDGER_SUFFIX);
    }

    /**
     * Forgets, in every ledger of the monitor, the entries of executions that failed before
     * {@code cutoff}, once they are at least a quarter of the entries kept: rewriting a ledger of
     * a month of ids at every poll to drop a few minutes' worth would cost more than keeping them
     * a few days longer. {@code forgotten-before} moves first: a crash in between has forgotten
     * nothing it does not own up to.
     */
    @Override
    public synchronized void forgetDeliveredBefore(String monitor, Instant cutoff) {
        Path dir = monitorDir(monitor);
        long before = cutoff.getEpochSecond();
        List<Path> files;
        try (var listing = Files.list(dir)) {
            files = listing.filter(FileStateStore::isLedger).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the state folder " + dir, e);
        }
        long old = 0;
        long kept = 0;
        for (Path file : files) {
            for (long epochSecond : ledger(file).values()) {
                if (epochSecond < before) {
                    old++;
                } else {
                    kept++;
                }
            }
        }
        if (old == 0 || old * FORGET_ONE_IN < kept) {
            return;
        }
        Instant forgotten = forgottenBefore(monitor).filter(previous -> previous.isAfter(cutoff)).orElse(cutoff);
        writeAtomically(dir.resolve(FORGOTTEN), forgotten + "\n");
        for (Path file : files) {
            Map<String, Long> entries = ledger(file);
            if (entries.values().removeIf(epochSecond -> epochSecond < before)) {
                closeAppender(file);
                writeAtomically(file, lines(entries));
                unforced.remove(file);
            }
        }
    }

    private static byte[] lines(Map<String, Long> entries) {
        java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream(entries.size() * 24);
        entries.forEach((key, epochSecond) -> {
            content.writeBytes(key.getBytes(StandardCharsets.UTF_8));
            content.write('\t');
            content.writeBytes(Long.toString(epochSecond).getBytes(StandardCharsets.US_ASCII));
            content.write('\n');
        });
        return content.toByteArray();
    }

    /**
     * Forces the delivered ids appended since the last watermark to the disk: the watermark that
     * follows must never be on the disk without them (a power loss would then skip the window's
     * failures as if delivered, or, for the alert lines forced before them, send them twice).
     */
    private void forceDeliveredIds() {
        for (java.util.Iterator<Path> files = unforced.iterator(); files.hasNext(); ) {
            Path file = files.next();
            FileChannel channel = appenders.get(file);
            try {
                if (channel != null) {
                    channel.force(false);
                } else if (Files.exists(file)) {
                    // its appender was closed after a failed write: what earlier writes left is forced all the same
                    try (FileChannel reopened = opener.open(file, StandardOpenOption.READ)) {
                        reopened.force(false);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot force the delivered ids in " + file
                        + " to the disk; the watermark stays where it was", e);
            }
            files.remove();
        }
    }

    private void closeAppender(Path file) {
        FileChannel channel = appenders.remove(file);
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // every byte was written by write() already; a failing close loses nothing
            }
        }
    }

    @Override
    public synchronized void close() {
        new java.util.ArrayList<>(appenders.keySet()).forEach(this::closeAppender);
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    private Map<String, Long> ledger(Path file) {
        return ledgers.computeIfAbsent(file, FileStateStore::load);
    }

    /**
     * Reads a ledger straight from its bytes: a month of a busy instance's ids (about 100,000
     * lines) loads in tens of milliseconds, a million in well under a second, with no copy of the
     * file as text.
     */
    private static Map<String, Long> load(Path file) {
        if (!Files.exists(file)) {
            return new HashMap<>();
        }
        try {
            byte[] content = Files.readAllBytes(file);
            int end = content.length;
            while (end > 0 && content[end - 1] != '\n') {
                end--;
            }
            if (end < content.length) {
                // a write cut short by a crash: drop it, or the next append would be glued onto it
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.truncate(end);
                }
            }
            Map<String, Long> entries = new HashMap<>(Math.max(16, end / 12));
            int line = 0;
            for (int i = 0; i < end; i++) {
                if (content[i] == '\n') {
                    addLine(entries, content, line, i);
                    line = i + 1;
                }
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read delivered ids from " + file, e);
        }
    }

    /**
     * The entry of the line {@code content[start, end)}, {@code key<TAB>epochSeconds}. A line
     * damaged on disk proves no delivery: leaving it out can only re-deliver.
     */
    private static void addLine(Map<String, Long> entries, byte[] content, int start, int end) {
        int tab = start;
        while (tab < end && content[tab] != '\t') {
            tab++;
        }
        if (tab == start || tab >= end - 1) {
            return;
        }
        int digit = tab + 1;
        boolean negative = content[digit] == '-';
        if (negative && ++digit == end) {
            return;
        }
        if (end - digit > 18) {
            return; // more than any epoch second a Java Instant holds
        }
        long value = 0;
        for (int i = digit; i < end; i++) {
            int d = content[i] - '0';
            if (d < 0 || d > 9) {
                return;
            }
            value = value * 10 + d;
        }
        entries.put(new String(content, start, tab - start, StandardCharsets.UTF_8), negative ? -value : value);
    }

    private Path monitorDir(String monitor) {
        if (directory == null) {
            throw new IllegalStateException("FileStateStore has no directory (monitor.state-dir)");
        }
        if (lock == null) {
            // another process on this folder: refused, naming it, before anything is read or written
            lock = StateFolderLock.acquire(directory);
        }
        Path dir = directory.resolve(requireSafeName(monitor));
        if (!created.contains(dir)) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the state folder " + dir, e);
            }
            created.add(dir);
        }
        return dir;
    }

    private Path ledgerFile(String monitor, String sink) {
        Map<String, Path> bySink = ledgerFiles.get(monitor);
        Path file = bySink == null ? null : bySink.get(sink);
        if (file == null) {
            file = monitorDir(monitor).resolve(LEDGER_PREFIX + requireSafeName(sink) + LEDGER_SUFFIX);
            ledgerFiles.computeIfAbsent(monitor, checked -> new HashMap<>()).put(sink, file);
        }
        return file;
    }

    private static boolean isLedger(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(LEDGER_PREFIX) && name.endsWith(LEDGER_SUFFIX);
    }

    private void writeAtomically(Path target, String content) {
        writeAtomically(target, content.getBytes(StandardCharsets.UTF_8));
    }

    private void writeAtomically(Path target, byte[] content) {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel channel = opener.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
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

    private static String requireSafeName(String name) {
        if (name == null || !SAFE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' cannot name a state file: use letters, digits, '.', '_' or '-'");
        }
        return name;
    }

    private static void requireSafeKey(String key) {
        if (key.isEmpty() || key.indexOf('\t') >= 0 || key.indexOf('\n') >= 0 || key.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("execution key must be non-empty and single-line");
        }
    }

    /** In {@code <monitor>/failing-jobs.tsv} ({@link FailingJobsFile}). */
    @Override
    public synchronized FailingJobs failingJobs() {
        if (failingJobs == null || !failingJobs.directory().equals(directory)) {
            failingJobs = new FailingJobsFile(directory);
        }
        return failingJobs;
    }

    @Override
    public String toString() {
        return "FileStateStore[" + directory + "]";
    }
}

package dev.tcjobmonitor.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Keeps each sink's delivered ids ({@code delivered-<sink>.tsv}): looks them up, records a batch
 * of deliveries in one append, and forces those appended since the last watermark to the disk
 * before the next one is written. Used under the lock of its {@link FileStateStore}.
 */
final class DeliveredIds {

    private final StateFolder folder;
    private final KeyTimeFiles files;
    private final StateFileWriter writer;
    /** Delivered-id files appended to since they were last forced to the disk. */
    private final Set<Path> unforced = new HashSet<>();

    DeliveredIds(StateFolder folder, KeyTimeFiles files, StateFileWriter writer) {
        this.folder = folder;
        this.files = files;
        this.writer = writer;
    }

    boolean contains(String monitor, String sink, String executionKey) {
        return files.entries(folder.ledgerFile(monitor, sink)).containsKey(executionKey);
    }

    /**
     * Appends the entries not recorded yet, all in one write. When the write fails, the ledger is
     * read again from disk at the next lookup: whatever complete lines reached it are real
     * deliveries, and a torn last line is cut before anything is appended after it.
     */
    void record(String monitor, String sink, List<Delivery> deliveries) {
        if (deliveries.isEmpty()) {
            return;
        }
        deliveries.forEach(delivery -> KeyTimeFiles.requireSafeKey(delivery.executionKey()));
        Path file = folder.ledgerFile(monitor, sink);
        KeyTimes entries = files.entries(file);
        StringBuilder lines = new StringBuilder(deliveries.size() * 24);
        for (Delivery delivery : deliveries) {
            long epochSecond = delivery.eventTime().getEpochSecond();
            if (entries.putIfAbsent(delivery.executionKey(), epochSecond) == null) {
                KeyTimeFiles.addLine(lines, delivery.executionKey(), epochSecond);
            }
        }
        if (lines.isEmpty()) {
            return;
        }
        files.append(file, lines, "cannot record a delivery in ");
        unforced.add(file);
    }

    /**
     * Replaces a ledger by its entries in memory (fewer, once old ones are forgotten); the new file
     * is forced to the disk as it is written.
     */
    void rewrite(Path file) {
        files.rewrite(file);
        unforced.remove(file);
    }

    /**
     * Forces the delivered ids appended since the last watermark to the disk: the watermark that
     * follows must never be on the disk without them (a power loss would then skip the window's
     * failures as if delivered, or, for the alert lines forced before them, send them twice).
     */
    void force() {
        for (Iterator<Path> pending = unforced.iterator(); pending.hasNext(); ) {
            Path file = pending.next();
            try {
                // a ledger whose appender was closed after a failed write is forced all the same
                writer.force(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot force the delivered ids in " + file
                        + " to the disk; the watermark stays where it was", e);
            }
            pending.remove();
        }
    }
}

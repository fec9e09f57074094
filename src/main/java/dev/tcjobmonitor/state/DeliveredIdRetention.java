package dev.tcjobmonitor.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * Forgets a monitor's old delivered ids in batches and owns up to it in {@code forgotten-before}
 * (the latest cutoff entries were forgotten before, ISO-8601, absent while none was). Used under
 * the lock of its {@link FileStateStore}.
 */
final class DeliveredIdRetention {

    /** Old entries are forgotten once there are at least one for every this many kept. */
    private static final int FORGET_ONE_IN = 4;

    private final StateFolder folder;
    private final KeyTimeFiles files;
    private final DeliveredIds deliveredIds;
    private final StateFileWriter writer;

    DeliveredIdRetention(StateFolder folder, KeyTimeFiles files, DeliveredIds deliveredIds, StateFileWriter writer) {
        this.folder = folder;
        this.files = files;
        this.deliveredIds = deliveredIds;
        this.writer = writer;
    }

    Optional<Instant> forgottenBefore(String monitor) {
        Path file = folder.forgottenBeforeFile(monitor);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(Files.readString(file, StandardCharsets.UTF_8).strip()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (DateTimeParseException e) {
            throw new IllegalStateException("the file " + file + " is corrupt (" + e.getMessage() + "); write into it"
                    + " the time monitor.delivered-retention before the watermark, e.g. 2026-01-01T00:00:00Z");
        }
    }

    /**
     * Forgets, in every ledger of the monitor, the entries of executions that failed before
     * {@code cutoff}, once they are at least a quarter of the entries kept: rewriting a ledger of
     * a month of ids at every poll to drop a few minutes' worth would cost more than keeping them
     * a few days longer. {@code forgotten-before} moves first: a crash in between has forgotten
     * nothing it does not own up to.
     */
    void forgetBefore(String monitor, Instant cutoff) {
        long before = cutoff.getEpochSecond();
        List<Path> ledgers = folder.ledgerFiles(monitor);
        long old = 0;
        long kept = 0;
        for (Path file : ledgers) {
            KeyTimes entries = files.entries(file);
            long oldHere = entries.countBefore(before);
            old += oldHere;
            kept += entries.size() - oldHere;
        }
        if (old == 0 || old * FORGET_ONE_IN < kept) {
            return;
        }
        Instant forgotten = forgottenBefore(monitor).filter(previous -> previous.isAfter(cutoff)).orElse(cutoff);
        writer.replace(folder.forgottenBeforeFile(monitor), (forgotten + "\n").getBytes(StandardCharsets.UTF_8));
        for (Path file : ledgers) {
            if (files.entries(file).removeBefore(before)) {
                deliveredIds.rewrite(file);
            }
        }
    }
}

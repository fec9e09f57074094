package dev.tcjobmonitor.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private final StateFolder folder;
    private final StateFileWriter writer = new StateFileWriter();
    /**
     * Each delivered-ids and refusals file's entries, by path, as {@link KeyTimeFiles} keeps them.
     * A field of the store's own: the benchmark empties it by reflection (under the store's lock)
     * when it points the store at a fresh folder.
     */
    private final Map<Path, KeyTimes> ledgers = new HashMap<>();
    private final KeyTimeFiles keyTimeFiles = new KeyTimeFiles(writer, ledgers);
    private final DeliveredIds deliveredIds;
    private final DeliveredIdRetention retention;
    private final FirstRefusals refusals;
    private FailingJobsFile failingJobs;

    public FileStateStore() {
        this(null);
    }

    public FileStateStore(Path directory) {
        this.folder = new StateFolder(directory);
        this.deliveredIds = new DeliveredIds(folder, keyTimeFiles, writer);
        this.retention = new DeliveredIdRetention(folder, keyTimeFiles, deliveredIds, writer);
        this.refusals = new FirstRefusals(folder, keyTimeFiles);
    }

    public synchronized void setDirectory(String directory) {
        folder.moveTo(Path.of(directory));
    }

    /** How the store opens the files it writes; tests watch what reaches the disk, and in what order. */
    void setOpener(StateFileWriter.Opener opener) {
        writer.setOpener(opener);
    }

    public Path getDirectory() {
        return folder.directory();
    }

    @Override
    public synchronized Optional<Instant> watermark(String monitor) {
        Path file = folder.watermarkFile(monitor);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(Files.readString(file, StandardCharsets.UTF_8).strip()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the watermark " + file, e);
        } catch (DateTimeParseException e) {
            // without the parser's exception as cause: a poll's line says the innermost cause
            // (ErrorText), which would be only the parser's complaint, not the file nor what to do
            throw new IllegalStateException("the watermark file " + file + " is corrupt (" + e.getMessage()
                    + "); delete it to restart from monitor.lookback");
        }
    }

    @Override
    public synchronized void saveWatermark(String monitor, Instant watermark) {
        deliveredIds.force();
        writer.replace(folder.watermarkFile(monitor), (watermark.toString() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public synchronized Optional<Instant> forgottenBefore(String monitor) {
        return retention.forgottenBefore(monitor);
    }

    @Override
    public synchronized boolean isDelivered(String monitor, String sink, String executionKey) {
        return deliveredIds.contains(monitor, sink, executionKey);
    }

    @Override
    public synchronized void recordDelivered(String monitor, String sink, List<Delivery> deliveries) {
        deliveredIds.record(monitor, sink, deliveries);
    }

    @Override
    public synchronized Map<String, Instant> refusedSince(String monitor, String sink, List<String> executionKeys, Instant now) {
        return refusals.since(monitor, sink, executionKeys, now);
    }

    @Override
    public synchronized void forgetRefusals(String monitor, Instant cutoff) {
        refusals.forget(monitor, cutoff);
    }

    @Override
    public synchronized void forgetDeliveredBefore(String monitor, Instant cutoff) {
        retention.forgetBefore(monitor, cutoff);
    }

    @Override
    public synchronized void close() {
        writer.closeAll();
        folder.release();
    }

    /** In {@code <monitor>/failing-jobs.tsv} ({@link FailingJobsFile}). */
    @Override
    public synchronized FailingJobs failingJobs() {
        if (failingJobs == null || !failingJobs.directory().equals(folder.directory())) {
            failingJobs = new FailingJobsFile(folder.directory());
        }
        return failingJobs;
    }

    @Override
    public String toString() {
        return "FileStateStore[" + folder.directory() + "]";
    }
}

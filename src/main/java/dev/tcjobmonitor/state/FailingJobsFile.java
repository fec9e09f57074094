package dev.tcjobmonitor.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The failing sets of the file state store: {@code <state-dir>/<monitor>/failing-jobs.tsv}, one
 * {@code sink<TAB>jobId<TAB>firstFailureMillis<TAB>lastFailureMillis<TAB>count} line per sink and
 * job, replaced atomically (temp file, fsync, rename) at each change: a crash leaves the old set or
 * the new one. Small (one line per job that is failing now, per sink), so it is kept in memory and
 * written whole. The store's folder lock keeps other processes out.
 */
final class FailingJobsFile implements FailingJobs {

    static final String FILE = "failing-jobs.tsv";
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final Path directory;
    /** Per monitor, its entries by sink and job, as on the disk. */
    private final Map<String, Map<String, FailingJob>> byMonitor = new HashMap<>();

    FailingJobsFile(Path directory) {
        this.directory = directory;
    }

    Path directory() {
        return directory;
    }

    @Override
    public synchronized void failed(String monitor, String sink, List<Failure> failures) {
        if (failures.isEmpty()) {
            return;
        }
        Map<String, FailingJob> entries = entries(monitor);
        safe(sink);
        for (Failure failure : failures) {
            entries.merge(key(sink, failure.jobId()),
                    new FailingJob(sink, failure.jobId(), failure.failedAt(), failure.failedAt(), 1), FailingJobsFile::add);
        }
        write(monitor, entries);
    }

    static FailingJob add(FailingJob known, FailingJob one) {
        return new FailingJob(known.sink(), known.jobId(),
                one.firstFailure().isBefore(known.firstFailure()) ? one.firstFailure() : known.firstFailure(),
                one.lastFailure().isAfter(known.lastFailure()) ? one.lastFailure() : known.lastFailure(),
                known.failures() + one.failures());
    }

    @Override
    public synchronized List<FailingJob> failing(String monitor) {
        return List.copyOf(entries(monitor).values());
    }

    @Override
    public synchronized void recovered(String monitor, String sink, long jobId, Instant lastFailure) {
        Map<String, FailingJob> entries = entries(monitor);
        FailingJob known = entries.get(key(sink, jobId));
        if (known != null && !known.lastFailure().isAfter(lastFailure)) {
            entries.remove(key(sink, jobId));
            write(monitor, entries);
        }
    }

    @Override
    public synchronized void forgetBefore(String monitor, Instant cutoff) {
        Map<String, FailingJob> entries = entries(monitor);
        if (entries.values().removeIf(job -> job.lastFailure().isBefore(cutoff))) {
            write(monitor, entries);
        }
    }

    private static String key(String sink, long jobId) {
        return sink + '\t' + jobId;
    }

    private Map<String, FailingJob> entries(String monitor) {
        return byMonitor.computeIfAbsent(safe(monitor), this::load);
    }

    private Path file(String monitor) {
        return directory.resolve(monitor).resolve(FILE);
    }

    /** The file's entries; a line that cannot be read (edited by hand) is skipped. */
    private Map<String, FailingJob> load(String monitor) {
        Map<String, FailingJob> entries = new TreeMap<>();
        Path file = file(monitor);
        if (!Files.exists(file)) {
            return entries;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] fields = line.split("\t");
                if (fields.length != 5) {
                    continue;
                }
                try {
                    FailingJob job = new FailingJob(fields[0], Long.parseLong(fields[1]),
                            Instant.ofEpochMilli(Long.parseLong(fields[2])), Instant.ofEpochMilli(Long.parseLong(fields[3])),
                            Integer.parseInt(fields[4]));
                    entries.put(key(job.sink(), job.jobId()), job);
                } catch (NumberFormatException unreadable) {
                    // skipped, as said above
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return entries;
    }

    private void write(String monitor, Map<String, FailingJob> entries) {
        StringBuilder lines = new StringBuilder();
        List<FailingJob> jobs = new ArrayList<>(entries.values());
        for (FailingJob job : jobs) {
            lines.append(job.sink()).append('\t').append(job.jobId()).append('\t')
                    .append(job.firstFailure().toEpochMilli()).append('\t').append(job.lastFailure().toEpochMilli()).append('\t')
                    .append(job.failures()).append('\n');
        }
        Path target = file(monitor);
        Path temp = target.resolveSibling(FILE + ".tmp");
        try {
            Files.createDirectories(target.getParent());
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // what is in memory was not kept: read the file again at the next use
            byMonitor.remove(monitor);
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    private static String safe(String name) {
        if (name == null || !SAFE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' cannot name a state file: use letters, digits, '.', '_' or '-'");
        }
        return name;
    }
}

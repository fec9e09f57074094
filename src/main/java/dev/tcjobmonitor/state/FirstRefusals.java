package dev.tcjobmonitor.state;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps when each sink first refused each alert it has not had since ({@code refused-<sink>.tsv}),
 * the time {@code monitor.dead-letter-after} counts from. Appended like the delivered ids but not
 * forced: a refusal lost to a power loss only starts its count again. Used under the lock of its
 * {@link FileStateStore}.
 */
final class FirstRefusals {

    private final StateFolder folder;
    private final KeyTimeFiles files;

    FirstRefusals(StateFolder folder, KeyTimeFiles files) {
        this.folder = folder;
        this.files = files;
    }

    /**
     * The recorded first refusal of each key, recording {@code now} (to the second) for those
     * without one, in one write.
     */
    Map<String, Instant> since(String monitor, String sink, List<String> executionKeys, Instant now) {
        Map<String, Instant> since = new HashMap<>();
        if (executionKeys.isEmpty()) {
            return since;
        }
        executionKeys.forEach(KeyTimeFiles::requireSafeKey);
        Path file = folder.refusalFile(monitor, sink);
        KeyTimes entries = files.entries(file);
        long nowSecond = now.getEpochSecond();
        StringBuilder lines = new StringBuilder();
        for (String key : executionKeys) {
            Long first = entries.putIfAbsent(key, nowSecond);
            if (first == null) {
                KeyTimeFiles.addLine(lines, key, nowSecond);
            }
            since.put(key, Instant.ofEpochSecond(first == null ? nowSecond : first));
        }
        if (!lines.isEmpty()) {
            files.append(file, lines, "cannot record a refusal in ");
        }
        return since;
    }

    /**
     * Rewrites each sink's refusals without the alerts it has had since (in its delivered ids) and
     * those first refused before {@code cutoff}; a file left empty is deleted. A file with nothing
     * to drop is left alone.
     */
    void forget(String monitor, Instant cutoff) {
        Map<String, Path> refusalFiles = folder.refusalFiles(monitor);
        long before = cutoff.getEpochSecond();
        for (Map.Entry<String, Path> refused : refusalFiles.entrySet()) {
            KeyTimes delivered = files.entries(folder.ledgerFile(monitor, refused.getKey()));
            Path file = refused.getValue();
            KeyTimes refusals = files.entries(file);
            if (refusals.removeIf((key, epochSecond) -> epochSecond < before || delivered.containsKey(key))) {
                if (refusals.isEmpty()) {
                    files.delete(file);
                } else {
                    files.rewrite(file);
                }
            }
        }
    }
}

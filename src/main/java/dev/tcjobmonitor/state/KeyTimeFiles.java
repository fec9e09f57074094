package dev.tcjobmonitor.state;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Keeps the {@code key<TAB>epochSeconds} files (delivered ids, first refusals) in memory in step
 * with the disk: each file's entries are read once, then changed only together with an append to
 * the file or a rewrite of it. A torn last line (no newline) is cut on load; a damaged line is left
 * out. Used under the lock of its {@link FileStateStore}.
 */
final class KeyTimeFiles {

    private final StateFileWriter writer;
    private final Map<Path, KeyTimes> entries;

    /** @param entries where each file's entries are kept, by path (empty at first) */
    KeyTimeFiles(StateFileWriter writer, Map<Path, KeyTimes> entries) {
        this.writer = writer;
        this.entries = entries;
    }

    /** The entries of {@code file}, by key: read from the disk at the first look, live after that. */
    KeyTimes entries(Path file) {
        return entries.computeIfAbsent(file, KeyTimeFiles::load);
    }

    /** Adds the line of one entry to {@code lines}. */
    static void addLine(StringBuilder lines, String key, long epochSecond) {
        lines.append(key).append('\t').append(epochSecond).append('\n');
    }

    /**
     * Appends {@code lines} (entries already added to {@link #entries}) in one write. When the write
     * fails, the file's entries are read again from disk at the next lookup (complete lines count,
     * a torn last one is cut).
     */
    void append(Path file, CharSequence lines, String failure) {
        try {
            writer.append(file, lines.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            entries.remove(file);
            throw new UncheckedIOException(failure + file, e);
        }
    }

    /** Replaces {@code file} atomically by its entries as they are in memory now. */
    void rewrite(Path file) {
        writer.replace(file, lines(entries(file)));
    }

    /** Deletes {@code file}, whose entries have all been removed. */
    void delete(Path file) {
        writer.delete(file);
    }

    private static byte[] lines(KeyTimes entries) {
        ByteArrayOutputStream content = new ByteArrayOutputStream(entries.size() * 24);
        entries.forEach((key, epochSecond) -> {
            content.writeBytes(key.getBytes(StandardCharsets.UTF_8));
            content.write('\t');
            content.writeBytes(Long.toString(epochSecond).getBytes(StandardCharsets.US_ASCII));
            content.write('\n');
        });
        return content.toByteArray();
    }

    /** Refuses a key that would not fit on one line of a file: empty, or with a tab or line break. */
    static void requireSafeKey(String key) {
        if (key.isEmpty() || key.indexOf('\t') >= 0 || key.indexOf('\n') >= 0 || key.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("execution key must be non-empty and single-line");
        }
    }

    /**
     * Reads a ledger straight from its bytes: a month of a busy instance's ids (about 100,000
     * lines) loads in tens of milliseconds, a million in well under a second, with no copy of the
     * file as text.
     */
    private static KeyTimes load(Path file) {
        if (!Files.exists(file)) {
            return new KeyTimes();
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
            KeyTimes entries = new KeyTimes(end / 12);
            int line = 0;
            for (int i = 0; i < end; i++) {
                if (content[i] == '\n') {
                    addEntry(entries, content, line, i);
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
    private static void addEntry(KeyTimes entries, byte[] content, int start, int end) {
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
}

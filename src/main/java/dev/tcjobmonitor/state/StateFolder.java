package dev.tcjobmonitor.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Names the files of the state folder ({@code monitor.state-dir}) and guards the folder: one
 * sub-folder per monitor, created once, held by this process's {@link StateFolderLock} from the
 * first use of a file in it, every monitor and sink name checked to be safe in a file name.
 * Used under the lock of its {@link FileStateStore}.
 */
final class StateFolder {

    private static final String WATERMARK = "watermark";
    private static final String FORGOTTEN = "forgotten-before";
    private static final String LEDGER_PREFIX = "delivered-";
    private static final String LEDGER_SUFFIX = ".tsv";
    private static final String REFUSED_PREFIX = "refused-";

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private Path directory;
    /** This process's hold on the folder (see {@link StateFolderLock}), from the first use of a file in it. */
    private StateFolderLock lock;
    /** Folders known to exist: checked once, not on every lookup. */
    private final Set<Path> created = new HashSet<>();
    /** Each monitor's and sink's ledger file, its names checked once: isDelivered runs for every failure of a page. */
    private final Map<String, Map<String, Path>> ledgerFiles = new HashMap<>();

    StateFolder(Path directory) {
        this.directory = directory;
    }

    Path directory() {
        return directory;
    }

    /** Uses {@code directory} from now on, giving up the hold on the previous one. */
    void moveTo(Path directory) {
        release();
        this.directory = directory;
        ledgerFiles.clear();
    }

    /** Gives up this process's hold on the folder (taken again at the next use of a file). */
    void release() {
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    Path watermarkFile(String monitor) {
        return monitorDir(monitor).resolve(WATERMARK);
    }

    Path forgottenBeforeFile(String monitor) {
        return monitorDir(monitor).resolve(FORGOTTEN);
    }

    /** The delivered ids of {@code sink}: {@code delivered-<sink>.tsv}. */
    Path ledgerFile(String monitor, String sink) {
        Map<String, Path> bySink = ledgerFiles.get(monitor);
        Path file = bySink == null ? null : bySink.get(sink);
        if (file == null) {
            file = monitorDir(monitor).resolve(LEDGER_PREFIX + requireSafeName(sink) + LEDGER_SUFFIX);
            ledgerFiles.computeIfAbsent(monitor, checked -> new HashMap<>()).put(sink, file);
        }
        return file;
    }

    /** The first refusals of {@code sink}: {@code refused-<sink>.tsv}. */
    Path refusalFile(String monitor, String sink) {
        return monitorDir(monitor).resolve(REFUSED_PREFIX + requireSafeName(sink) + LEDGER_SUFFIX);
    }

    /** Every delivered-ids file of the monitor, whichever sink wrote it. */
    List<Path> ledgerFiles(String monitor) {
        return list(monitor, file -> {
            String name = file.getFileName().toString();
            return name.startsWith(LEDGER_PREFIX) && name.endsWith(LEDGER_SUFFIX);
        });
    }

    /** Every first-refusals file of the monitor, by the sink it belongs to. */
    Map<String, Path> refusalFiles(String monitor) {
        Map<String, Path> bySink = new LinkedHashMap<>();
        for (Path file : list(monitor, file -> sinkOfRefusals(file) != null)) {
            bySink.put(sinkOfRefusals(file), file);
        }
        return bySink;
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

    private List<Path> list(String monitor, Predicate<Path> which) {
        Path dir = monitorDir(monitor);
        try (var listing = Files.list(dir)) {
            return listing.filter(which).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the state folder " + dir, e);
        }
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

    private static String requireSafeName(String name) {
        if (name == null || !SAFE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' cannot name a state file: use letters, digits, '.', '_' or '-'");
        }
        return name;
    }
}

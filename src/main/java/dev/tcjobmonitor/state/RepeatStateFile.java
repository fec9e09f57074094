package dev.tcjobmonitor.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.threatconnect.ExecutionPageReader;
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
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link RepeatState} in {@code <state-dir>/<monitor>/repeats-<sink>.jsonl}: one JSON line per
 * event, appended and forced to the disk before the call returns (a held failure is on the disk
 * before its delivered id, so a power loss cannot leave it recorded as delivered and lost):
 * {@code {"job":"174","since":"...","opener":"key"}} when a failure opened an interval,
 * {@code {"job":"174","held":"key","id":"...","failedTime":"...","exitMessage":"..."}} per held
 * failure. A line cut short by a crash is ignored. When a reminder was accepted the file is
 * rewritten (atomically) with only what is still owed.
 */
public final class RepeatStateFile implements RepeatState {

    private static final ObjectMapper JSON = ExecutionPageReader.JSON;
    private final Path directory;
    private final Map<Path, Map<String, Job>> loaded = new HashMap<>();
    /** Intervals opened in each file since this process loaded or rewrote it. */
    private final Map<Path, Integer> opens = new HashMap<>();

    private static final class Job {
        Instant since;
        String opener;
        final LinkedHashMap<String, HeldFailure> held = new LinkedHashMap<>();
    }

    public RepeatStateFile(Path directory) {
        this.directory = directory;
    }

    @Override
    public synchronized Map<String, JobRepeats> jobs(String monitor, String sink) {
        Map<String, JobRepeats> jobs = new LinkedHashMap<>();
        state(file(monitor, sink)).forEach((job, state) ->
                jobs.put(job, new JobRepeats(job, state.since, state.opener, List.copyOf(state.held.values()))));
        return jobs;
    }

    @Override
    public synchronized void opened(String monitor, String sink, String job, Instant since, String opener) {
        Path file = file(monitor, sink);
        Job state = state(file).computeIfAbsent(job, j -> new Job());
        state.since = since;
        state.opener = opener;
        append(file, List.of(JSON.createObjectNode().put("job", job).put("since", since.toString()).put("opener", opener)));
        // a job that fails now and then, never within its interval, only ever opens intervals: the
        // lines it supersedes go once they outnumber what is live
        int lines = opens.merge(file, 1, Integer::sum);
        if (lines > 1_000 && lines > 2 * live(state(file))) {
            rewrite(file, state(file));
            opens.remove(file);
        }
    }

    private static int live(Map<String, Job> jobs) {
        return jobs.values().stream().mapToInt(job -> 1 + job.held.size()).sum();
    }

    @Override
    public synchronized void held(String monitor, String sink, String job, List<HeldFailure> failures) {
        if (failures.isEmpty()) {
            return;
        }
        Path file = file(monitor, sink);
        Job state = state(file).computeIfAbsent(job, j -> new Job());
        List<ObjectNode> lines = new ArrayList<>();
        for (HeldFailure failure : failures) {
            if (state.held.putIfAbsent(failure.key(), failure) == null) {
                lines.add(line(job, failure));
            }
        }
        append(file, lines);
    }

    @Override
    public synchronized void reminded(String monitor, String sink, String job, Collection<String> covered, Instant since) {
        Path file = file(monitor, sink);
        Job state = state(file).computeIfAbsent(job, j -> new Job());
        covered.forEach(state.held::remove);
        state.since = since;
        state.opener = null;
        rewrite(file, state(file));
        opens.remove(file);
    }

    private static ObjectNode line(String job, HeldFailure failure) {
        ObjectNode line = JSON.createObjectNode().put("job", job).put("held", failure.key())
                .put("id", failure.executionId()).put("failedTime", failure.failedTime().toString());
        if (failure.exitMessage() != null) {
            line.put("exitMessage", failure.exitMessage());
        }
        return line;
    }

    private Path file(String monitor, String sink) {
        return directory.resolve(monitor).resolve("repeats-" + sink + ".jsonl");
    }

    private Map<String, Job> state(Path file) {
        return loaded.computeIfAbsent(file, RepeatStateFile::load);
    }

    private static Map<String, Job> load(Path file) {
        Map<String, Job> jobs = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return jobs;
        }
        try {
            for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                JsonNode line;
                try {
                    line = JSON.readTree(text);
                } catch (IOException torn) {
                    continue; // a line cut short by a crash records nothing
                }
                if (line == null || !line.hasNonNull("job")) {
                    continue;
                }
                Job job = jobs.computeIfAbsent(line.get("job").asText(), j -> new Job());
                if (line.hasNonNull("held")) {
                    String key = line.get("held").asText();
                    job.held.put(key, new HeldFailure(key, line.path("id").asText(key),
                            Instant.parse(line.get("failedTime").asText()),
                            line.hasNonNull("exitMessage") ? line.get("exitMessage").asText() : null));
                } else if (line.hasNonNull("since")) {
                    job.since = Instant.parse(line.get("since").asText());
                    job.opener = line.hasNonNull("opener") ? line.get("opener").asText() : null;
                }
            }
            return jobs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void append(Path file, List<ObjectNode> lines) {
        if (lines.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder();
        for (ObjectNode line : lines) {
            text.append(line).append('\n');
        }
        try {
            Files.createDirectories(file.getParent());
            cutTornLine(file);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buffer = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record held repeats in " + file, e);
        }
    }

    /** A last line without its newline (a crash mid-write) is cut, or the next line would be glued onto it. */
    private static void cutTornLine(Path file) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            long end = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (end > 0) {
                one.clear();
                channel.read(one, end - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                end--;
            }
            if (end < size) {
                channel.truncate(end);
            }
        }
    }

    private static void rewrite(Path file, Map<String, Job> jobs) {
        StringBuilder text = new StringBuilder();
        jobs.forEach((job, state) -> {
            if (state.since != null) {
                ObjectNode line = JSON.createObjectNode().put("job", job).put("since", state.since.toString());
                if (state.opener != null) {
                    line.put("opener", state.opener);
                }
                text.append(line).append('\n');
            }
            state.held.values().forEach(failure -> text.append(line(job, failure)).append('\n'));
        });
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + file, e);
        }
    }
}

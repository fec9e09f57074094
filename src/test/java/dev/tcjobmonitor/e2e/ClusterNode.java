package dev.tcjobmonitor.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One monitor node of {@link ClusterIT}: the packaged jar as a daemon in its own working folder,
 * with its own alert folder, its stdout and stderr captured to files, and readers for what it
 * logged and what its file sink holds.
 */
final class ClusterNode {

    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    /** The log layout of tc-job-monitor-logging.properties: time, level, logger, message. */
    private static final Pattern ENTRY = Pattern.compile(
            "^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}) (TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\\s+(\\S+) - (.*)$");
    private static final Pattern POLL_DONE = Pattern.compile(
            "Poll of 'default' done in (\\d+) ms: window (.+?)\\.\\.(\\S+), (\\d+) page\\(s\\), (\\d+) execution\\(s\\),"
                    + " (\\d+) failed, (\\d+) new, delivered (.*)");
    private static final Pattern DATABASE_WORDS = Pattern.compile(
            "(?i)\\b(database|db|connection|connections|postgres|postgresql|jdbc|backend)\\b");

    /** One log entry: its first line, and the lines that follow it (a stack trace). */
    record LogEntry(ClusterNode node, int index, LocalDateTime time, String level, String logger, String message,
                    List<String> continuation) {

        boolean warnOrError() {
            return level.equals("WARN") || level.equals("ERROR") || level.equals("FATAL");
        }

        /** The message and the messages of its exceptions, without stack frames. */
        String text() {
            StringBuilder text = new StringBuilder(message);
            for (String line : continuation) {
                if (!line.startsWith("\tat ") && !line.startsWith("\t... ")) {
                    text.append('\n').append(line);
                }
            }
            return text.toString();
        }

        /** Says something about the database or a connection to it (in the message or an exception's). */
        boolean aboutTheDatabase() {
            return DATABASE_WORDS.matcher(text()).find();
        }

        Instant instant() {
            return time.atZone(ZoneId.systemDefault()).toInstant();
        }

        @Override
        public String toString() {
            return node.name() + " " + LOG_TIME.format(time) + " " + level + " " + logger + " - " + message
                    + (continuation.isEmpty() ? "" : " (+" + continuation.size() + " line(s): "
                    + continuation.stream().filter(line -> !line.startsWith("\tat ")).limit(2).toList() + ")");
        }
    }

    /** A completed poll, from its INFO line. */
    record PollDone(ClusterNode node, int entryIndex, Instant loggedAt, long millis, Instant windowStart, Instant windowEnd,
                    int pages, int executions, int failed, int newFailures, String delivered) {

        /** When the poll began, by this process's clock: the log time minus the poll's duration. */
        Instant startedAt() {
            return loggedAt.minusMillis(millis);
        }

        @Override
        public String toString() {
            return node.name() + ": window .." + windowEnd + " (" + millis + " ms, " + pages + " page(s), " + newFailures
                    + " new, delivered " + delivered + ")";
        }
    }

    /**
     * What the file sink holds: the execution id of every complete line (a cut-off last line, as
     * a SIGKILL may leave it, counts as not delivered), the notices, and the lines that are not
     * one JSON document.
     */
    record Alerts(List<Long> ids, List<JsonNode> notices, List<String> badLines, String tornTail) {
    }

    private final int number;
    private final Path dir;
    private final Path alertDir;
    private final Path stdout;
    private final Path stderr;
    private final Process process;
    private final Instant startedAt;
    private volatile boolean killed;
    private long parsedSize = -1;
    private List<LogEntry> parsed = List.of();

    private ClusterNode(int number, Path dir, Path alertDir, Path stdout, Path stderr, Process process) {
        this.number = number;
        this.dir = dir;
        this.alertDir = alertDir;
        this.stdout = stdout;
        this.stderr = stderr;
        this.process = process;
        this.startedAt = Instant.now();
    }

    /** Starts the packaged jar in {@code root/node-N} with these settings (environment variables). */
    static ClusterNode start(int number, Path root, Map<String, String> settings) throws IOException {
        return start(number, root, settings, new String[0]);
    }

    /**
     * As {@link #start(int, Path, Map)}, with these command-line options (e.g. {@code --once}: a
     * one-shot command on a node, in a folder, state folder and file sink folder of its own).
     */
    static ClusterNode start(int number, Path root, Map<String, String> settings, String... args) throws IOException {
        Path dir = Files.createDirectories(root.resolve("node-" + number));
        Path alertDir = dir.resolve("alerts");
        Path stdout = dir.resolve("stdout.log");
        Path stderr = dir.resolve("stderr.log");
        List<String> command = PackagedJar.command(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(key -> key.startsWith("TC_") || key.startsWith("MONITOR_") || key.startsWith("SINK"));
        environment.putAll(settings);
        // every node its own management server port (health and metrics), one the system picks as
        // it binds: nothing here reads it
        environment.put("CAMEL_MANAGEMENT_PORT", "0");
        environment.put("SINK_FILE_DIRECTORY", alertDir.toString());
        environment.put("MONITOR_STATE_DIR", dir.resolve("state").toString());
        return new ClusterNode(number, dir, alertDir, stdout, stderr, builder.start());
    }

    String name() {
        return "node-" + number;
    }

    Process process() {
        return process;
    }

    boolean alive() {
        return process.isAlive();
    }

    boolean killed() {
        return killed;
    }

    Instant startedAt() {
        return startedAt;
    }

    /** SIGKILL (destroyForcibly on Linux), and waits until the process is gone. */
    boolean kill(Duration wait) throws InterruptedException {
        killed = true;
        process.destroyForcibly();
        return process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    // --- its log ---------------------------------------------------------------------------------

    /** Every complete entry of its stdout so far (a line still being written is left for later). */
    synchronized List<LogEntry> entries() {
        long size = size(stdout);
        if (size == parsedSize) {
            return parsed;
        }
        String content = read(stdout);
        content = content.substring(0, content.lastIndexOf('\n') + 1);
        parsed = parse(content);
        parsedSize = size;
        return parsed;
    }

    private List<LogEntry> parse(String content) {
        List<LogEntry> entries = new ArrayList<>();
        LocalDateTime time = null;
        String level = null;
        String logger = null;
        String message = null;
        List<String> continuation = new ArrayList<>();
        for (String line : content.split("\n", -1)) {
            Matcher matcher = ENTRY.matcher(line);
            if (matcher.matches()) {
                if (message != null) {
                    entries.add(new LogEntry(this, entries.size(), time, level, logger, message, List.copyOf(continuation)));
                }
                time = LocalDateTime.parse(matcher.group(1), LOG_TIME);
                level = matcher.group(2);
                logger = matcher.group(3);
                message = matcher.group(4);
                continuation.clear();
            } else if (message != null && !line.isEmpty()) {
                continuation.add(line);
            }
        }
        if (message != null) {
            entries.add(new LogEntry(this, entries.size(), time, level, logger, message, List.copyOf(continuation)));
        }
        return entries;
    }

    List<PollDone> pollsDone() {
        List<PollDone> polls = new ArrayList<>();
        for (LogEntry entry : entries()) {
            Matcher matcher = POLL_DONE.matcher(entry.message());
            if (matcher.find()) {
                polls.add(new PollDone(this, entry.index(), entry.instant(), Long.parseLong(matcher.group(1)),
                        Instant.parse(matcher.group(2)), Instant.parse(matcher.group(3)), Integer.parseInt(matcher.group(4)),
                        Integer.parseInt(matcher.group(5)), Integer.parseInt(matcher.group(6)), Integer.parseInt(matcher.group(7)),
                        matcher.group(8)));
            }
        }
        return polls;
    }

    /** Poll failures and windows left open: the monitor's own one-line reports of a poll that did not finish. */
    List<LogEntry> pollsNotDone() {
        return entries().stream()
                .filter(entry -> entry.message().startsWith("Poll of 'default' failed")
                        || entry.message().contains("but the window stays open"))
                .toList();
    }

    String log() {
        return read(stdout) + read(stderr);
    }

    String stderr() {
        return read(stderr);
    }

    // --- its file sink ---------------------------------------------------------------------------

    Alerts alerts() throws IOException {
        List<Long> ids = new ArrayList<>();
        List<JsonNode> notices = new ArrayList<>();
        List<String> badLines = new ArrayList<>();
        StringBuilder tornTail = new StringBuilder();
        if (!Files.isDirectory(alertDir)) {
            return new Alerts(ids, notices, badLines, "");
        }
        List<Path> files;
        try (var listing = Files.list(alertDir)) {
            files = listing.filter(file -> file.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
        for (Path file : files) {
            String content = Files.readString(file, StandardCharsets.UTF_8);
            int end = content.lastIndexOf('\n') + 1;
            tornTail.append(content.substring(end));
            if (end == 0) {
                continue;
            }
            for (String line : content.substring(0, end).split("\n")) {
                List<JsonNode> documents = JsonLines.documents(line);
                if (documents.size() != 1) {
                    badLines.add(file.getFileName() + ": " + line);
                }
                for (JsonNode document : documents) {
                    if (document.has("notice")) {
                        notices.add(document);
                    } else if (document.path("id").canConvertToLong()) {
                        ids.add(document.path("id").asLong());
                    } else {
                        badLines.add(file.getFileName() + ": " + line);
                    }
                }
            }
        }
        return new Alerts(ids, notices, badLines, tornTail.toString());
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return -1;
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    @Override
    public String toString() {
        return name() + (killed ? " (killed)" : alive() ? "" : " (exited " + process.exitValue() + ")");
    }
}

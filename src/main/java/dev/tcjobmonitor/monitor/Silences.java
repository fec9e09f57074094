package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.alert.FailedExecution;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * The operators' silences (bean {@code tcSilences}), from {@code monitor.silences-file}
 * ({@code silences.yaml} in the working directory by default), shared by the monitors of the process.
 * The file is read again at each poll (its content compared with the last one read, no file watcher):
 * an edit takes effect at the next poll, without a restart. A file that cannot be read as silences is
 * rejected whole, in one WARN line naming its line, and the silences read before stay active; a
 * file that is gone ends every silence.
 *
 * <p>A silence hides a failure from some sinks (or all) when it is active at the poll that first
 * finds the failure: detection time, the monitor's clock, not the failure's own time (a failure
 * found after a silence ended reaches every sink).
 */
public class Silences {

    private static final Logger LOG = LoggerFactory.getLogger(JobMonitor.class);
    private static final Set<String> KEYS = Set.of("job", "exitMessageContains", "sinks", "starts", "ends", "reason", "author");

    /**
     * One silence, from the line it starts on.
     *
     * @param jobId       the job it silences, or empty: any job
     * @param messageText text the exit message contains (case-insensitive), or empty: any message
     * @param sinks       the sinks it silences; empty: all of them
     * @param starts      when it starts applying, or empty: as soon as it is read
     */
    public record Silence(int line, Optional<Long> jobId, Optional<String> messageText, Set<String> sinks,
                          Optional<Instant> starts, Instant ends, String reason, String author) {

        public boolean activeAt(Instant now) {
            return starts.map(start -> !now.isBefore(start)).orElse(true) && now.isBefore(ends);
        }

        public boolean silences(FailedExecution execution, String sink) {
            if (!sinks.isEmpty() && !sinks.contains(sink)) {
                return false;
            }
            if (jobId.isPresent() && !execution.text("jobId").flatMap(JobIds::parse).equals(jobId)) {
                return false;
            }
            return messageText.isEmpty() || execution.text("exitMessage")
                    .map(message -> message.toLowerCase(Locale.ROOT).contains(messageText.get().toLowerCase(Locale.ROOT)))
                    .orElse(false);
        }
    }

    /** A silences file that is not silences: the line it goes wrong on (1-based) and why. */
    static final class Malformed extends Exception {
        final int line;

        Malformed(int line, String message) {
            super(message);
            this.line = line;
        }
    }

    private Path file = Path.of("silences.yaml");
    private String lastContent;
    private List<Silence> silences = List.of();

    public void setFile(String file) {
        this.file = Path.of(file == null || file.isBlank() ? "silences.yaml" : file.strip());
    }

    /** The silences active at {@code now}, after reading the file again if it changed. */
    public synchronized List<Silence> activeAt(Instant now) {
        reload();
        return silences.stream().filter(silence -> silence.activeAt(now)).toList();
    }

    /** Every silence read (active, to come or ended). */
    public synchronized List<Silence> all() {
        reload();
        return silences;
    }

    /** No silences: a host that declares no {@code tcSilences} (the Kamelet alone). */
    static Silences none() {
        Silences none = new Silences();
        none.file = null;
        return none;
    }

    private void reload() {
        if (file == null) {
            return;
        }
        String content;
        try {
            content = Files.readString(file);
        } catch (NoSuchFileException gone) {
            content = null;
        } catch (IOException e) {
            if (!"unreadable".equals(lastContent)) {
                LOG.warn("Silences file {} cannot be read ({}); the silences read before stay active", file,
                        ErrorText.describe(e));
            }
            lastContent = "unreadable";
            return;
        }
        if (java.util.Objects.equals(content, lastContent)) {
            return;
        }
        lastContent = content;
        if (content == null) {
            if (!silences.isEmpty()) {
                LOG.info("Silences file {} is gone: no silences", file);
            }
            silences = List.of();
            return;
        }
        try {
            silences = parse(content);
            LOG.info("Silences file {} read: {} silence(s)", file, silences.size());
        } catch (Malformed e) {
            LOG.warn("Silences file {} rejected, line {}: {}; the {} silence(s) read before stay active", file, e.line,
                    e.getMessage(), silences.size());
        }
    }

    /**
     * The silences of a file's content: a mapping whose {@code silences} is a list of silences,
     * each with {@code job} and/or {@code exitMessageContains}, {@code ends}, {@code reason},
     * {@code author}, and optionally {@code starts} and {@code sinks}.
     */
    static List<Silence> parse(String content) throws Malformed {
        Optional<Node> document;
        try {
            document = new Compose(LoadSettings.builder().setLabel("silences").build()).composeString(content);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().or(e::getContextMark).map(mark -> mark.getLine() + 1).orElse(1);
            throw new Malformed(line, "not YAML (" + e.getProblem() + ")");
        } catch (YamlEngineException e) {
            throw new Malformed(1, "not YAML (" + e.getMessage() + ")");
        }
        if (document.isEmpty()) {
            return List.of();
        }
        if (!(document.get() instanceof MappingNode top)) {
            throw new Malformed(line(document.get()), "expected a mapping with a list 'silences'");
        }
        List<Silence> silences = new ArrayList<>();
        for (NodeTuple tuple : top.getValue()) {
            String key = scalar(tuple.getKeyNode(), "a key");
            if (!key.equals("silences")) {
                throw new Malformed(line(tuple.getKeyNode()), "unknown key '" + key + "' (expected 'silences')");
            }
            if (tuple.getValueNode() instanceof ScalarNode empty && empty.getValue().isBlank()) {
                continue;
            }
            if (!(tuple.getValueNode() instanceof SequenceNode list)) {
                throw new Malformed(line(tuple.getValueNode()), "'silences' must be a list");
            }
            for (Node item : list.getValue()) {
                silences.add(silence(item));
            }
        }
        return List.copyOf(silences);
    }

    private static Silence silence(Node node) throws Malformed {
        int line = line(node);
        if (!(node instanceof MappingNode mapping)) {
            throw new Malformed(line, "a silence must be a mapping (job or exitMessageContains, ends, reason, author)");
        }
        Map<String, Node> fields = new java.util.LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String key = scalar(tuple.getKeyNode(), "a key");
            if (!KEYS.contains(key)) {
                throw new Malformed(line(tuple.getKeyNode()), "unknown key '" + key + "' (expected one of " + new java.util.TreeSet<>(KEYS) + ")");
            }
            fields.put(key, tuple.getValueNode());
        }
        Optional<Long> jobId = Optional.empty();
        if (fields.containsKey("job")) {
            String text = scalar(fields.get("job"), "job");
            jobId = JobIds.parse(text);
            if (jobId.isEmpty()) {
                throw new Malformed(line(fields.get("job")), "job '" + text + "' is not a job id");
            }
        }
        Optional<String> messageText = fields.containsKey("exitMessageContains")
                ? Optional.of(scalar(fields.get("exitMessageContains"), "exitMessageContains")).filter(text -> !text.isEmpty())
                : Optional.empty();
        if (jobId.isEmpty() && messageText.isEmpty()) {
            throw new Malformed(line, "the silence names no job and no exitMessageContains: it would silence every failure");
        }
        if (!fields.containsKey("ends")) {
            throw new Malformed(line, "the silence has no 'ends' (a silence must end)");
        }
        Instant ends = instant(fields.get("ends"), "ends");
        Optional<Instant> starts = fields.containsKey("starts") ? Optional.of(instant(fields.get("starts"), "starts")) : Optional.empty();
        if (starts.isPresent() && !ends.isAfter(starts.get())) {
            throw new Malformed(line(fields.get("ends")), "the silence ends (" + ends + ") before it starts (" + starts.get() + ")");
        }
        String reason = required(fields, "reason", line);
        String author = required(fields, "author", line);
        return new Silence(line, jobId, messageText, sinks(fields.get("sinks")), starts, ends, reason, author);
    }

    private static Set<String> sinks(Node node) throws Malformed {
        if (node == null) {
            return Set.of();
        }
        List<String> names = new ArrayList<>();
        if (node instanceof SequenceNode list) {
            for (Node item : list.getValue()) {
                names.add(scalar(item, "a sink"));
            }
        } else {
            names.addAll(Arrays.asList(scalar(node, "sinks").split(",")));
        }
        Set<String> sinks = new LinkedHashSet<>();
        for (String name : names) {
            if (!name.isBlank()) {
                sinks.add(name.strip());
            }
        }
        if (sinks.isEmpty() || sinks.contains("all")) {
            return Set.of();
        }
        return Set.copyOf(sinks);
    }

    private static String required(Map<String, Node> fields, String key, int line) throws Malformed {
        Node node = fields.get(key);
        String value = node == null ? "" : scalar(node, key).strip();
        if (value.isEmpty()) {
            throw new Malformed(node == null ? line : line(node), "the silence has no '" + key + "'");
        }
        return value;
    }

    private static Instant instant(Node node, String key) throws Malformed {
        String text = scalar(node, key).strip();
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new Malformed(line(node), key + " '" + text + "' is not a time with its offset, e.g. 2026-11-30T18:00:00Z");
        }
    }

    private static String scalar(Node node, String what) throws Malformed {
        if (!(node instanceof ScalarNode scalar)) {
            throw new Malformed(line(node), what + " must be a single value");
        }
        return scalar.getValue();
    }

    private static int line(Node node) {
        return node.getStartMark().map(Mark::getLine).orElse(0) + 1;
    }

}

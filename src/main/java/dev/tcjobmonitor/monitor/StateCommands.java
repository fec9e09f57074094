package dev.tcjobmonitor.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.alert.AlertBatch;
import dev.tcjobmonitor.alert.FailedExecution;
import dev.tcjobmonitor.state.DeadLetterFile;
import dev.tcjobmonitor.state.PollLock;
import dev.tcjobmonitor.threatconnect.ExecutionPageReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * The operator's commands on one monitor's state (the runbook's {@code --replay-dead-letter} and
 * {@code --rewind}), run in a started Camel context whose monitors do not poll. Each holds the
 * monitor while it works, as a poll does: in a cluster its PostgreSQL advisory lock (no node polls
 * it meanwhile); with files, the process already holds the whole state folder (StateFolderLock),
 * so a daemon on that folder kept the command from starting at all.
 */
public final class StateCommands {

    /** What a replay of a dead letter did, and the dead letter's file (absolute). */
    public record Replay(int replayed, int accepted, int kept, Optional<String> error, Path file) {

        public boolean allAccepted() {
            return kept == 0;
        }
    }

    /**
     * What a rewind did: the watermark before (none: the monitor never polled) and after; when it
     * reaches past monitor.delivered-retention, the instant before which the delivered ids are
     * forgotten (failures from before it a sink had are sent again), and the warning saying so.
     */
    public record Rewind(Optional<Instant> from, Instant to, Optional<Instant> uncheckedBefore, Optional<String> warning) {
    }

    private StateCommands() {
    }

    /**
     * Sends {@code sink}'s dead-lettered alerts of {@code monitor} again, once each, as one page
     * through the sink's own route (its retries, its error configuration); the dead letter keeps
     * only what the sink did not accept (refused again, or not tried after a refusal that may
     * pass) and lines that are not a readable alert.
     *
     * @throws IllegalArgumentException when the monitor has no such sink
     */
    public static Replay replayDeadLetter(CamelContext context, JobMonitor monitor, String sink) {
        MonitorSettings settings = monitor.settings();
        if (!settings.sinks().contains(sink)) {
            throw new IllegalArgumentException("monitor '" + settings.name() + "' has no sink '" + sink + "' (its sinks: "
                    + String.join(", ", settings.sinks()) + ")");
        }
        return holding(monitor, () -> {
            DeadLetterFile deadLetters = monitor.ledger().deadLetters();
            Path file = deadLetters.file(settings.name(), sink).toAbsolutePath();
            List<DeadLetterFile.Line> lines = deadLetters.lines(settings.name(), sink);
            // one alert per execution, even one dead-lettered twice (lines of the same key)
            Map<String, Alert> byKey = new LinkedHashMap<>();
            // each line's key, in the file's order; none for a line that is not a readable alert
            List<Map.Entry<DeadLetterFile.Line, Optional<String>>> keyedLines = new ArrayList<>();
            int unreadable = 0;
            for (DeadLetterFile.Line line : lines) {
                Optional<Alert> alert = line.text().flatMap(text -> alert(text, monitor, sink));
                alert.ifPresent(readable -> byKey.putIfAbsent(readable.key(), readable));
                keyedLines.add(Map.entry(line, alert.map(Alert::key)));
                unreadable += alert.isPresent() ? 0 : 1;
            }
            List<Alert> alerts = List.copyOf(byKey.values());
            if (alerts.isEmpty()) {
                return new Replay(0, 0, unreadable, Optional.empty(), file);
            }
            Poll replay = Poll.replay(monitor, monitor.clock().instant());
            Exchange sent;
            try (ProducerTemplate producer = context.createProducerTemplate()) {
                sent = producer.send("direct:tc-sink-" + sink, exchange -> {
                    exchange.setProperty(MonitorConstants.POLL, replay);
                    exchange.getMessage().setBody(new AlertBatch(alerts));
                });
            } catch (IOException e) {
                throw new IllegalStateException("cannot close the producer of sink '" + sink + "'", e);
            }
            Set<String> accepted = replay.replayAcceptedKeys();
            // what is kept stays in the order the file had it
            List<DeadLetterFile.Line> kept = keyedLines.stream()
                    .filter(line -> line.getValue().isEmpty() || !accepted.contains(line.getValue().get()))
                    .map(Map.Entry::getKey).toList();
            deadLetters.keepOnly(settings.name(), sink, kept);
            Optional<String> error = Optional.ofNullable(replay.lastError(sink));
            if (error.isEmpty() && sent.getException() != null) {
                error = Optional.of(ErrorText.describe(sent.getException()));
            }
            int acceptedAlerts = (int) alerts.stream().filter(alert -> accepted.contains(alert.key())).count();
            return new Replay(alerts.size(), acceptedAlerts, alerts.size() - acceptedAlerts + unreadable, error, file);
        });
    }

    /**
     * The alert of a dead letter's line: its document as the sink first got it, keyed as the poll
     * keyed it (the execution's fields, without the monitor's own object the document adds).
     */
    private static Optional<Alert> alert(String line, JobMonitor monitor, String sink) {
        try {
            JsonNode letter = ExecutionPageReader.JSON.readTree(line);
            if (letter == null || !(letter.get("alert") instanceof ObjectNode document)) {
                return Optional.empty();
            }
            ObjectNode fields = document.deepCopy();
            // AlertDocument puts its object under the first free name of monitor, _monitor, ...
            String about = "monitor";
            while (fields.has("_" + about)) {
                about = "_" + about;
            }
            fields.remove(about);
            FailedExecution execution = new FailedExecution(fields);
            Instant deadLettered = instant(letter.path("deadLetteredAt").asText(null)).orElse(monitor.clock().instant());
            Instant failedAt = execution.instant(monitor.settings().timeField()).orElse(deadLettered);
            return Optional.of(new Alert(execution, execution.deliveryKey(), failedAt,
                    ExecutionPageReader.JSON.writeValueAsString(document), Set.of(sink), monitor.name()));
        } catch (IOException notJson) {
            return Optional.empty();
        }
    }

    private static Optional<Instant> instant(String text) {
        try {
            return text == null ? Optional.empty() : Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * Moves {@code monitor}'s watermark back to {@code when}: its next poll's window starts there
     * (less the overlap), and the delivered ids keep what each sink already had from being sent
     * again, as far back as they reach ({@code monitor.delivered-retention}): a rewind past that
     * says so.
     *
     * @throws IllegalArgumentException when {@code when} is in the future or not before the watermark
     */
    public static Rewind rewind(JobMonitor monitor, Backfill when) {
        MonitorSettings settings = monitor.settings();
        Instant now = monitor.clock().instant().truncatedTo(ChronoUnit.SECONDS);
        Instant to = when.from(now);
        if (to.isAfter(now)) {
            throw new IllegalArgumentException("--rewind " + to + " is in the future: it moves the watermark back only");
        }
        return holding(monitor, () -> {
            Optional<Instant> from = monitor.stateStore().watermark(settings.name());
            if (from.isPresent() && !to.isBefore(from.get())) {
                throw new IllegalArgumentException("--rewind moves the watermark back only: monitor '" + settings.name()
                        + "' is at " + from.get() + ", and " + to + " is not before it");
            }
            monitor.stateStore().saveWatermark(settings.name(), to);
            Instant windowStart = to.minus(settings.overlap());
            Instant remembered = now.minus(settings.deliveredRetention());
            Optional<String> warning = Optional.empty();
            Optional<Instant> uncheckedBefore = Optional.empty();
            if (windowStart.isBefore(remembered)) {
                uncheckedBefore = Optional.of(remembered);
                warning = Optional.of("the rewind of monitor '" + settings.name() + "' reaches past monitor.delivered-retention ("
                        + asWritten(settings.deliveredRetention()) + "): failures from before " + remembered
                        + " could not be checked against what was already sent (delivered ids that old are forgotten);"
                        + " a sink that had one gets it again");
            }
            return new Rewind(from, to, uncheckedBefore, warning);
        });
    }

    /** P30D rather than Duration's PT720H, as the setting is usually written (as Window says it). */
    private static String asWritten(Duration duration) {
        return duration.toSeconds() % 86_400 == 0 && duration.getNano() == 0 ? "P" + duration.toDays() + "D" : duration.toString();
    }

    /**
     * Runs {@code command} holding the monitor, as a poll holds it; refused, naming the holder,
     * while another process polls it (in a cluster).
     */
    private static <T> T holding(JobMonitor monitor, Supplier<T> command) {
        try (PollLock lock = monitor.stateStore().pollLock(monitor.name())) {
            if (!lock.tryTake()) {
                throw new MonitorInUse("monitor '" + monitor.name() + "' is being polled by another process ("
                        + lock.holder() + "): run the command again once that poll is done");
            }
            return command.get();
        }
    }

    /** Another process holds the monitor: the command did nothing. */
    public static final class MonitorInUse extends IllegalStateException {

        MonitorInUse(String message) {
            super(message);
        }
    }

    /** For a caller that lists the monitors: every one of this context's, by name. */
    public static Map<String, JobMonitor> monitors(CamelContext context) {
        PollHistory history = context.getRegistry().lookupByNameAndType(MonitorHealthCheck.POLL_HISTORY, PollHistory.class);
        return history == null ? Map.of() : history.monitors();
    }
}

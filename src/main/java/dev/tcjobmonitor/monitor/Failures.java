package dev.tcjobmonitor.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.alert.AlertBatch;
import dev.tcjobmonitor.alert.AlertDocument;
import dev.tcjobmonitor.alert.FailedExecution;
import dev.tcjobmonitor.state.Delivery;
import dev.tcjobmonitor.threatconnect.ExecutionPage;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which executions of a page are the monitor's failures (the Kamelet's bean {@code tcFailureFilter}): a
 * failure status, a failure time inside the window or unknown, and a watched job or an unknown
 * one. The TQL asks for exactly these; this keeps the promise where an instance ignores part of
 * the query. Each failure that some sink still lacks becomes an alert document.
 */
public class Failures {

    /** The monitor's lines keep the monitor's logger (log configuration, README). */
    private static final Logger LOG = LoggerFactory.getLogger(JobMonitor.class);
    /** What --dry-run prints: a logger of its own so it can go to the console whatever else is configured. */
    private static final Logger DRY_RUN = LoggerFactory.getLogger("dev.tcjobmonitor.DryRun");

    private JobMonitor monitor;
    private HandOver handOver;
    /** The job ids of silences already looked up, each said once at most. */
    private final Set<Long> checkedJobIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The sink names of silences that this monitor does not deliver to, each said once. */
    private final Set<String> checkedSinks = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public void setMonitor(JobMonitor monitor) {
        this.monitor = monitor;
    }

    /** How the new failures go to the consuming route (the Kamelet's bean tcHandOver). */
    public void setHandOver(HandOver handOver) {
        this.handOver = handOver;
    }

    /**
     * The page's failures (the body: its executions) that at least one sink lacks, as the
     * consuming route gets them: the items of the Kamelet's hand-over split ({@link HandOver#items}).
     * The body is the batch every sink receives at once from now on.
     */
    public Iterator<?> newFailures(Exchange exchange) throws InvalidPayloadException {
        exchange.getMessage().setBody(batch(exchange));
        return handOver.items(exchange);
    }

    private AlertBatch batch(Exchange exchange) throws InvalidPayloadException {
        Poll poll = Window.poll(exchange);
        MonitorSettings settings = monitor.settings();
        ExecutionPage page = exchange.getMessage().getMandatoryBody(ExecutionPage.class);
        List<FailedExecution> executions = page.executions();
        Instant now = monitor.clock().instant().truncatedTo(ChronoUnit.MILLIS);
        ObjectNode about = AlertDocument.about(settings.name(), settings.endpoint().baseUrl(), now);
        String aboutJson = AlertDocument.json(about);
        List<Alert> alerts = new ArrayList<>();
        // silences active now, at the poll that finds the failure (Silences)
        List<Silences.Silence> silences = monitor.silences().activeAt(now);
        reportUnknownJobs(silences);
        java.util.Map<String, List<Delivery>> silencedBySink = new java.util.TreeMap<>();
        int failures = 0;
        // an answer can list one execution twice; a sink taking the page at once must get it once
        Set<String> onThisPage = new java.util.HashSet<>(Math.max(16, executions.size() * 4 / 3 + 1));
        // the sets of pending sinks, one instance per distinct set on the page (most alerts share one)
        java.util.Map<String, Set<String>> onlyPendingSets = new java.util.HashMap<>();
        java.util.Map<Set<String>, Set<String>> pendingSets = new java.util.HashMap<>();
        for (JsonNode node : page.notObjects()) {
            LOG.warn("Monitor '{}' skipped a data element that is not an object: {}", settings.name(),
                    node == null ? "null" : node.getNodeType());
        }
        for (FailedExecution execution : executions) {
            Optional<Instant> failedAt = execution.instant(settings.timeField());
            if (!isFailure(execution, failedAt, poll)) {
                continue;
            }
            String key = execution.deliveryKey();
            if (!onThisPage.add(key)) {
                continue;
            }
            failures++;
            if (monitor.jobRecoveries().enabled() && failedAt.isPresent()) {
                execution.text("jobId").flatMap(JobIds::parse).ifPresent(job -> poll.jobFailed(job, failedAt.get()));
            }
            // the one pending sink, or (with more than one) all of them in order
            String onlyPending = null;
            Set<String> pending = null;
            List<String> sinks = settings.sinks();
            for (int k = 0; k < sinks.size(); k++) {
                String sink = sinks.get(k);
                if (!monitor.ledger().isDelivered(sink, key)) {
                    Silences.Silence silence = silence(silences, execution, sink);
                    if (silence != null) {
                        silencedBySink.computeIfAbsent(sink, s -> new ArrayList<>()).add(new Delivery(key, failedAt.orElse(now)));
                        // the email digest says which silence hid what (EmailAlerts)
                        poll.tally().hidden(sink, silence);
                        if (monitor.dryRun()) {
                            DRY_RUN.info("Would not deliver to {} (silence at line {} by {}: {}): {}", sink,
                                    silence.line(), silence.author(), silence.reason(), key);
                        }
                    } else if (monitor.repeats().hold(poll, sink, execution, key, failedAt.orElse(now), now)) {
                        // held for the job's next reminder (Repeats): owed by the repeat state, not by this window
                        if (monitor.dryRun()) {
                            DRY_RUN.info("Would hold for the next reminder to {} (sink.{}.repeat-interval): {}", sink, sink, key);
                        }
                    } else if (onlyPending == null && pending == null) {
                        onlyPending = sink;
                    } else {
                        if (pending == null) {
                            pending = new LinkedHashSet<>();
                            pending.add(onlyPending);
                        }
                        pending.add(sink);
                    }
                }
            }
            if (onlyPending != null) {
                if (failedAt.isPresent() && poll.beforeDeliveredIds(failedAt.get())) {
                    poll.unchecked();
                }
                Set<String> pendingSinks = pending == null ? onlyPendingSets.computeIfAbsent(onlyPending, Set::of)
                        : pendingSets.computeIfAbsent(Set.copyOf(pending), copy -> copy);
                // the document is rendered when a sink asks for its text; the file sink writes it without
                alerts.add(new Alert(execution, key, failedAt.orElse(now), AlertDocument.of(execution, about, aboutJson),
                        pendingSinks, settings.name()));
            }
        }
        poll.failuresSeen(failures, alerts.size());
        // the held failures on the disk (or committed) before they count as delivered, before the page goes out
        monitor.repeats().flush(poll);
        if (!poll.hasMorePages()) {
            // the reminders due now go with the poll's last page (so in its email digest)
            alerts.addAll(monitor.repeats().due(poll, now, about));
        }
        if (!monitor.dryRun()) {
            silencedBySink.forEach((sink, deliveries) -> monitor.ledger().silenced(sink, deliveries, poll));
        }
        if (monitor.dryRun()) {
            alerts.forEach(alert -> DRY_RUN.info("Would deliver to {}: {}", String.join(", ", alert.pendingSinks()), alert.document()));
            alerts.clear();
        }
        owed(alerts, poll);
        // after the last page, the notices of the jobs that completed since they failed (owed by none)
        alerts.addAll(monitor.jobRecoveries().afterLastPage(poll));
        return Window.addressed(exchange, new AlertBatch(alerts));
    }

    /** The first silence that hides {@code execution} from {@code sink}, or null. */
    private static Silences.Silence silence(List<Silences.Silence> silences, FailedExecution execution, String sink) {
        for (int i = 0; i < silences.size(); i++) {
            if (silences.get(i).silences(execution, sink)) {
                return silences.get(i);
            }
        }
        return null;
    }

    /** Each alert's pending sinks owe it, counted once per run of alerts that share their set of sinks. */
    private static void owed(List<Alert> alerts, Poll poll) {
        Set<String> run = null;
        int count = 0;
        for (Alert alert : alerts) {
            if (alert.pendingSinks() != run) {
                if (run != null) {
                    poll.tally().owed(run, count);
                }
                run = alert.pendingSinks();
                count = 0;
            }
            count++;
        }
        if (run != null) {
            poll.tally().owed(run, count);
        }
    }

    /**
     * Once per job id (per monitor), a silence naming a job ThreatConnect does not know (or could
     * not name): accepted, as the job may appear later, but said.
     */
    private void reportUnknownJobs(List<Silences.Silence> silences) {
        List<String> ids = new ArrayList<>();
        for (Silences.Silence silence : silences) {
            for (String sink : silence.sinks()) {
                if (!monitor.settings().sinks().contains(sink) && checkedSinks.add(sink)) {
                    LOG.warn("The silence at line {} names sink '{}', which monitor '{}' does not deliver to (its sinks: {}):"
                            + " it silences nothing there", silence.line(), sink, monitor.name(), monitor.settings().sinks());
                }
            }
            silence.jobId().ifPresent(id -> {
                if (checkedJobIds.add(id)) {
                    ids.add(Long.toString(id));
                }
            });
        }
        if (ids.isEmpty() || monitor.jobDirectory() == null) {
            return;
        }
        monitor.jobDirectory().namesOf(ids).forEach((id, name) -> {
            if (name.equals("Job " + id)) {
                LOG.info("A silence names job {}, which monitor '{}' does not know at {} (yet): accepted, it applies once the job fails",
                        id, monitor.name(), monitor.settings().endpoint());
            }
        });
    }

    private boolean isFailure(FailedExecution execution, Optional<Instant> failedAt, Poll poll) {
        MonitorSettings settings = monitor.settings();
        // case-insensitive, as TQL compares the status
        Optional<String> status = execution.text("status");
        boolean failedStatus = false;
        if (status.isPresent()) {
            List<String> statuses = settings.statuses();
            for (int i = 0; i < statuses.size(); i++) {
                failedStatus |= status.get().equalsIgnoreCase(statuses.get(i));
            }
        }
        return failedStatus && (failedAt.isEmpty() || failedAt.get().isAfter(poll.windowStart())) && watchedJob(execution);
    }

    /**
     * Whether the execution's job is watched: listed in {@code monitor.job-ids} (when any are) and
     * not in {@code monitor.exclude-job-ids}. A {@code jobId} that is not an integer is kept, as an
     * unreadable failure time is: the monitor drops only what it can tell is unwanted.
     */
    private boolean watchedJob(FailedExecution execution) {
        MonitorSettings settings = monitor.settings();
        if (settings.jobIds().isEmpty() && settings.excludeJobIds().isEmpty()) {
            return true;
        }
        Optional<Long> jobId = execution.text("jobId").flatMap(JobIds::parse);
        if (jobId.isEmpty()) {
            return true;
        }
        return (settings.jobIds().isEmpty() || settings.jobIds().contains(jobId.get()))
                && !settings.excludeJobIds().contains(jobId.get());
    }

}

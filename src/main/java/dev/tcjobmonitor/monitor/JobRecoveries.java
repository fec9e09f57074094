package dev.tcjobmonitor.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.alert.AlertDocument;
import dev.tcjobmonitor.alert.FailedExecution;
import dev.tcjobmonitor.state.FailingJob;
import dev.tcjobmonitor.state.FailingJobs;
import dev.tcjobmonitor.threatconnect.ExecutionPageReader;
import dev.tcjobmonitor.threatconnect.ExecutionQuery;
import dev.tcjobmonitor.threatconnect.ThreatConnectHttp;
import dev.tcjobmonitor.threatconnect.Tql;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Job recovered" notices (README "Job recovered"; {@code monitor.recovery-notices},
 * {@code monitor.recovery-window}). Each sink has a failing set: the jobs it got failures of and
 * no notice since, kept by the state store ({@link FailingJobs}). After a poll's last page, one
 * query asks ThreatConnect for the completed executions of those jobs since their last failure;
 * a job with one gets a {@code "status":"JobRecovered"} notice for each sink of its set, in the
 * last page's batch, so it goes as any alert goes (retries, the refused stay pending, the dead
 * letter) and the email digest shows it. A job leaves a sink's set when the sink has the notice
 * (or its dead letter); one whose last failure is older than the recovery window is forgotten
 * without a notice. Not to be confused with the monitor's own {@code MonitorRecovered} notice
 * ({@link SightNotice}), which says the monitor sees ThreatConnect again.
 */
final class JobRecoveries implements AutoCloseable {

    static final String STATUS = "JobRecovered";
    /** The monitor's lines keep the monitor's logger (log configuration, README). */
    private static final Logger LOG = LoggerFactory.getLogger(JobMonitor.class);
    private static final Logger DRY_RUN = LoggerFactory.getLogger("dev.tcjobmonitor.DryRun");
    /** Connecting, and each wait for an answer, of the recovery query. */
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(60);
    private static final String KEY_PREFIX = "job-recovered-";

    private final JobMonitor monitor;
    private final boolean enabled;
    private final Duration window;
    private final ExecutionQuery query;

    private JobRecoveries(JobMonitor monitor, boolean enabled, Duration window, ExecutionQuery query) {
        this.monitor = monitor;
        this.enabled = enabled;
        this.window = window;
        this.query = query;
    }

    /** The monitor's, from its checked settings; the query takes the page requests' path. */
    static JobRecoveries of(JobMonitor monitor, boolean enabled, String window, ThreatConnectHttp route) {
        MonitorSettings settings = monitor.settings();
        Duration recoveryWindow = MonitorSettings.duration(settings.name(), "recoveryWindow (monitor.recovery-window)",
                window == null || window.isBlank() ? "P1D" : window);
        if (recoveryWindow.isZero() || recoveryWindow.isNegative()) {
            throw new SettingException(settings.name(), "recoveryWindow (monitor.recovery-window)", "must be longer than zero");
        }
        return new JobRecoveries(monitor, enabled, recoveryWindow,
                new ExecutionQuery(settings.endpoint(), settings.signer(), route, QUERY_TIMEOUT));
    }

    boolean enabled() {
        return enabled;
    }

    /** {@code sink} accepted these alerts: the failures' jobs join its failing set, the notices' jobs leave it. */
    void delivered(String sink, List<Alert> alerts) {
        if (!enabled) {
            return;
        }
        List<FailingJobs.Failure> failures = new ArrayList<>();
        List<Alert> notices = new ArrayList<>();
        for (Alert alert : alerts) {
            if (alert.isJobRecovered()) {
                notices.add(alert);
            } else if (!alert.isNotice()) {
                jobId(alert.execution()).ifPresent(job -> failures.add(new FailingJobs.Failure(job, alert.eventTime())));
            }
        }
        update(sink, failures, notices);
    }

    /** These alerts went to {@code sink}'s dead letter: a notice there is done, a failure there was never got. */
    void deadLettered(String sink, List<Alert> alerts) {
        if (enabled) {
            update(sink, List.of(), alerts.stream().filter(Alert::isJobRecovered).toList());
        }
    }

    /**
     * The failures first, then the notices (a notice was worked out with the failures of its own
     * poll, so it takes them out too). A failing set that cannot be written costs at most a notice,
     * never the delivery: said in one line.
     */
    private void update(String sink, List<FailingJobs.Failure> failures, List<Alert> notices) {
        if (failures.isEmpty() && notices.isEmpty()) {
            return;
        }
        String name = monitor.name();
        try {
            FailingJobs state = monitor.stateStore().failingJobs();
            state.failed(name, sink, failures);
            for (Alert notice : notices) {
                Optional<Long> job = jobId(notice.execution());
                Optional<Instant> last = notice.execution().text("lastFailure").flatMap(JobRecoveries::instant);
                if (job.isPresent() && last.isPresent()) {
                    state.recovered(name, sink, job.get(), last.get());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Monitor '{}' cannot keep which jobs sink '{}' has failures of (for its job recovered notices): {}",
                    name, sink, ErrorText.describe(e));
        }
    }

    /**
     * After the poll's last page: the notices of the jobs that completed since their last failure,
     * each for the sinks of its failing set that lack it. One query, only when some job is failing;
     * a query that fails is said in one line and asked again at the next poll, and changes nothing.
     */
    List<Alert> afterLastPage(Poll poll) {
        if (!enabled || poll.hasMorePages()) {
            return List.of();
        }
        MonitorSettings settings = monitor.settings();
        String name = settings.name();
        Instant now = monitor.clock().instant().truncatedTo(ChronoUnit.MILLIS);
        Instant forgetBefore = now.minus(window);
        FailingJobs state = monitor.stateStore().failingJobs();
        if (!monitor.dryRun()) {
            state.forgetBefore(name, forgetBefore);
        }
        Map<Long, List<FailingJob>> byJob = new TreeMap<>();
        for (FailingJob job : state.failing(name)) {
            if (!job.lastFailure().isBefore(forgetBefore)) {
                byJob.computeIfAbsent(job.jobId(), id -> new ArrayList<>()).add(job);
            }
        }
        if (byJob.isEmpty()) {
            return List.of();
        }
        // a job's last failure: the latest any sink got, or this poll found (it may fail again after a success)
        Map<Long, Instant> lastFailure = new TreeMap<>();
        byJob.forEach((job, entries) -> {
            Instant last = entries.stream().map(FailingJob::lastFailure).max(Instant::compareTo).orElseThrow();
            Instant found = poll.lastFailureOf(job).orElse(last);
            lastFailure.put(job, found.isAfter(last) ? found : last);
        });
        Instant since = lastFailure.values().stream().min(Instant::compareTo).orElseThrow();
        String tql = new Tql().numberIn("jobId", List.copyOf(byJob.keySet())).after("completedTime", since).build();
        List<FailedExecution> completed;
        try {
            completed = query.all(tql, settings.pageSize(), monitor.maxPages());
        } catch (RuntimeException e) {
            LOG.warn("Recovery check of '{}' failed; its {} failing job(s) are asked about again at the next poll: {}",
                    name, byJob.size(), ErrorText.describe(e));
            return List.of();
        }
        Map<Long, FailedExecution> recovery = firstCompletions(completed, lastFailure);
        if (recovery.isEmpty()) {
            return List.of();
        }
        Map<String, String> names = monitor.jobDirectory() == null ? Map.of()
                : monitor.jobDirectory().namesOf(recovery.keySet().stream().map(String::valueOf).toList());
        List<Alert> notices = new ArrayList<>();
        recovery.forEach((job, execution) -> {
            String key = KEY_PREFIX + job + "-" + execution.text("id").orElse(execution.text("completedTime").orElse("?"));
            Set<String> pending = new LinkedHashSet<>();
            for (FailingJob entry : byJob.get(job)) {
                if (monitor.ledger().isDelivered(entry.sink(), key)) {
                    // the sink has it already (it got a failure of the job late, after the notice)
                    if (!monitor.dryRun()) {
                        state.recovered(name, entry.sink(), job, lastFailure.get(job));
                    }
                } else {
                    pending.add(entry.sink());
                }
            }
            if (!pending.isEmpty()) {
                notices.add(notice(settings, key, job, names.get(String.valueOf(job)), byJob.get(job), lastFailure.get(job),
                        execution, pending, now));
            }
        });
        if (monitor.dryRun()) {
            notices.forEach(alert -> DRY_RUN.info("Would deliver to {}: {}", String.join(", ", alert.pendingSinks()), alert.document()));
            return List.of();
        }
        if (!notices.isEmpty()) {
            LOG.info("Monitor '{}': {} job(s) recovered since their last failure ({})", name, notices.size(),
                    notices.stream().map(alert -> alert.execution().text("jobId").orElse("?")).toList());
        }
        return notices;
    }

    /** Per job, its earliest completed execution after its last failure. */
    private Map<Long, FailedExecution> firstCompletions(List<FailedExecution> completed, Map<Long, Instant> lastFailure) {
        Map<Long, FailedExecution> first = new TreeMap<>();
        Map<Long, Instant> firstAt = new TreeMap<>();
        // records of data that are not objects are not in the page's executions (ExecutionPage.notObjects)
        for (FailedExecution execution : completed) {
            Optional<Long> job = jobId(execution);
            Optional<Instant> at = execution.instant("completedTime");
            // the status is checked here: it is not a documented TQL field, and an instance may ignore the query
            boolean completedStatus = execution.text("status").filter("Completed"::equalsIgnoreCase).isPresent();
            if (!completedStatus || job.isEmpty() || at.isEmpty() || !lastFailure.containsKey(job.get())
                    || !at.get().isAfter(lastFailure.get(job.get()))) {
                continue;
            }
            Instant known = firstAt.get(job.get());
            if (known == null || at.get().isBefore(known)) {
                first.put(job.get(), execution);
                firstAt.put(job.get(), at.get());
            }
        }
        return first;
    }

    /**
     * The notice, shaped like a failed execution as the monitor's other notices are:
     * {@code {"notice":"Job 174 recovered","status":"JobRecovered","noticeTime":...,"jobId":174,
     * "jobName":...,"firstFailure":...,"lastFailure":...,"failureCount":16,"completedExecutionId":96,
     * "completedTime":...,"exitMessage":...,"monitor":{...}}}.
     */
    private static Alert notice(MonitorSettings settings, String key, long job, String name, List<FailingJob> entries,
            Instant lastFailure, FailedExecution completed, Set<String> sinks, Instant now) {
        Instant firstFailure = entries.stream().map(FailingJob::firstFailure).min(Instant::compareTo).orElseThrow();
        int count = entries.stream().mapToInt(FailingJob::failures).max().orElse(0);
        boolean named = name != null && !name.isBlank() && !name.equals("Job " + job);
        String completedTime = completed.text("completedTime").orElse("");
        ObjectNode fields = ExecutionPageReader.JSON.createObjectNode()
                .put("notice", "Job " + job + (named ? " (" + name + ")" : "") + " recovered")
                .put("status", STATUS)
                .put("noticeTime", now.toString())
                .put("jobId", job);
        if (named) {
            fields.put("jobName", name);
        }
        fields.put("firstFailure", firstFailure.toString())
                .put("lastFailure", lastFailure.toString())
                .put("failureCount", count);
        JsonNode id = completed.fields().get("id");
        if (id != null) {
            fields.set("completedExecutionId", id);
        }
        fields.put("completedTime", completedTime)
                .put("exitMessage", "completed at " + completedTime + " after " + count + " failure(s) from "
                        + firstFailure + " to " + lastFailure);
        FailedExecution execution = new FailedExecution(fields);
        return new Alert(execution, key, completed.instant("completedTime").orElse(now),
                AlertDocument.render(execution, settings.name(), settings.endpoint().baseUrl(), now), Set.copyOf(sinks),
                settings.name());
    }

    private static Optional<Long> jobId(FailedExecution execution) {
        return execution.text("jobId").flatMap(JobIds::parse);
    }

    private static Optional<Instant> instant(String text) {
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        query.close();
    }
}

package dev.tcjobmonitor.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.alert.AlertBatch;
import dev.tcjobmonitor.alert.AlertDocument;
import dev.tcjobmonitor.alert.FailedExecution;
import dev.tcjobmonitor.state.DeadLetterFile;
import dev.tcjobmonitor.state.Delivery;
import dev.tcjobmonitor.state.FileStateStore;
import dev.tcjobmonitor.state.MonitorStateStore;
import dev.tcjobmonitor.threatconnect.ExecutionPage;
import dev.tcjobmonitor.threatconnect.ExecutionPageReader;
import dev.tcjobmonitor.threatconnect.JobDirectory;
import dev.tcjobmonitor.threatconnect.ThreatConnectClient;
import dev.tcjobmonitor.threatconnect.ThreatConnectProbe;
import dev.tcjobmonitor.threatconnect.ThreatConnectTls;
import dev.tcjobmonitor.threatconnect.Tql;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The computing half of one monitor (the Kamelet {@code tc-job-failures-source} is the wiring
 * half): it opens a poll over the window since the watermark, signs each page request, reads each
 * page, turns failures into alert documents for the sinks (or the consuming route) that lack them,
 * and closes the poll. Created per Kamelet route as a local bean, configured from its parameters.
 */
public class JobMonitor implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(JobMonitor.class);
    /** What --dry-run prints: a logger of its own so it can go to the console whatever else is configured. */
    private static final Logger DRY_RUN = LoggerFactory.getLogger("dev.tcjobmonitor.DryRun");
    /** Delivered ids are kept at least this long after their window closed. */
    private static final Duration MIN_MEMORY = Duration.ofDays(1);
    /** A job name is a nicety: an alert never waits long for it. */
    private static final Duration JOB_LOOKUP_TIMEOUT = Duration.ofSeconds(5);
    /** The host's shared state store and metrics, when it declares them (camel/job-monitor.camel.yaml). */
    static final String STATE_STORE = "tcStateStore";
    static final String METRICS = "tcMetrics";

    private final ExecutionPageReader pageReader = new ExecutionPageReader();
    private Clock clock = Clock.systemUTC();
    private CamelContext camelContext;
    private MonitorStateStore stateStore;
    /** The state store this monitor opened itself (no shared one), closed with it. */
    private FileStateStore ownStateStore;
    private DeadLetterFile deadLetters;
    private Path stateDirectory;
    private PollHistory pollHistory;
    private MonitorMetrics metrics;
    private HandOver handOver = new HandOver(HandOver.Emit.PAGES);
    private String emit;
    private MonitorSettings settings;
    private RetryPolicy retryPolicy;
    private ThreatConnectTls tls;
    private ThreatConnectClient client;
    private JobDirectory jobDirectory;

    // raw template parameters, checked together by init()
    private String name;
    private String baseUrl;
    private String accessId;
    private String secretKey;
    private String apiToken;
    private String lookback;
    private String overlap;
    private String statuses;
    private String timeField;
    private String jobIds;
    private String excludeJobIds;
    private String extraTql;
    private String pageSize;
    private String sinks;
    private String deadLetterAfter;
    private String cron;
    private String timeZone;
    private String retryInitialDelay;
    private String retryMaxDelay;
    private String retryAfterCap;
    private String retryBudget;
    private String healthMaxPollAge;
    private String healthMaxFailedPolls;
    private boolean notices = true;
    private boolean dryRun;
    private Optional<Backfill> since = Optional.empty();

    /** Checks every setting; a bad one stops start-up with a message naming it. */
    public void init() {
        if (emit != null) {
            handOver = new HandOver(HandOver.emit(name, emit));
        }
        String sinkNames = handOver.emit() == HandOver.Emit.FAILURES ? HandOver.CONSUMER : sinks;
        settings = MonitorSettings.parse(new MonitorSettings.Raw(name, baseUrl, accessId, secretKey, apiToken,
                lookback, overlap, statuses, timeField, jobIds, excludeJobIds, extraTql, pageSize, sinkNames, deadLetterAfter), clock);
        if (stateDirectory == null) {
            throw new SettingException(name, "stateDirectory (monitor.state-dir)", "no folder for state and dead letters is configured");
        }
        deadLetters = new DeadLetterFile(stateDirectory);
        useSharedServices();
        if (client != null) {
            client.signWith(settings.signer());
        }
        secretKey = null;
        apiToken = null;
        jobDirectory = new JobDirectory(settings.endpoint(), settings.signer(), JOB_LOOKUP_TIMEOUT,
                JobDirectory.DEFAULT_FAILURE_PERIOD, clock, sslContext());
        retryPolicy = Schedule.retryPolicy(settings.name(), cron, timeZone, retryInitialDelay, retryMaxDelay, retryAfterCap,
                retryBudget, clock);
        pollHistory.register(this, Schedule.healthRules(settings.name(), cron, timeZone, healthMaxPollAge,
                healthMaxFailedPolls, clock), clock.instant());
        if (handOver.emit() == HandOver.Emit.PAGES && camelContext != null) {
            try {
                SinkRoutes.checkAtStart(settings.name(), settings.sinks(), camelContext);
            } catch (SettingException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("cannot check the sinks of monitor '" + settings.name() + "'", e);
            }
        }
        LOG.info("Monitor '{}' watches {} for {} executions (page size {}, sinks {})", settings.name(),
                settings.endpoint(), settings.statuses(), settings.pageSize(), settings.sinks());
    }

    public String name() {
        return settings == null ? name : settings.name();
    }

    public MonitorSettings settings() {
        return settings;
    }

    /** How a page is retried after a transient failure (see {@link PageRetry}). */
    RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /** Job names of this monitor's instance, for alerts that show them. */
    public JobDirectory jobDirectory() {
        return jobDirectory;
    }

    /**
     * The end of the last good poll of whichever node polled (the watermark), for health: in a
     * cluster a node that is not the one polling must not count itself blind. Empty when unknown
     * or unreadable (the store's own failures show in the polls).
     */
    Optional<Instant> sharedLastGoodPoll() {
        try {
            return stateStore.watermark(settings.name());
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /** {@code --check}: one signed one-result request, without a poll. */
    public String probe() {
        return ThreatConnectProbe.probe(settings.endpoint(), settings.signer(),
                tql(clock.instant().minus(settings.lookback())), sslContext(), JOB_LOOKUP_TIMEOUT.multipliedBy(2));
    }

    /** Opens a poll over [watermark - overlap, now], or [now - lookback, now] the first time. */
    public void startPoll(Exchange exchange) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant usualStart = stateStore.watermark(settings.name())
                .map(watermark -> watermark.minus(settings.overlap()))
                .orElse(now.minus(settings.lookback()));
        Instant windowStart = since.map(backfill -> backfill.from(now)).orElse(usualStart);
        // a backfill that starts after the usual window would leave a gap if it moved the watermark
        boolean movesWatermark = !dryRun && !windowStart.isAfter(usualStart);
        URI firstPage = settings.endpoint().executionsUrl(tql(windowStart), settings.pageSize());
        exchange.setProperty(MonitorConstants.POLL, new Poll(this, windowStart, now, firstPage, movesWatermark));
    }

    /** The query of a window starting at {@code windowStart}. */
    public String tql(Instant windowStart) {
        return new Tql()
                .in("status", settings.statuses())
                .after(settings.timeField(), windowStart)
                .numberIn("jobId", settings.jobIds())
                .numberNotIn("jobId", settings.excludeJobIds())
                .raw(settings.extraTql())
                .build();
    }

    /** True, and the next page's attempts begin, while ThreatConnect has more pages. */
    public boolean startNextPage(Exchange exchange) {
        Poll poll = poll(exchange);
        if (!poll.hasMorePages()) {
            return false;
        }
        poll.startPage();
        return true;
    }

    /** Addresses the request for the next page; the client ({@link ThreatConnectClient}) signs it as it is sent. */
    public void prepareRequest(Exchange exchange) {
        Poll poll = poll(exchange);
        poll.pageAttemptStarted();
        URI page = poll.nextPage();
        var message = exchange.getMessage();
        message.setBody(null);
        message.setHeader(Exchange.HTTP_METHOD, "GET");
        message.setHeader(Exchange.HTTP_URI, page.getScheme() + "://" + page.getRawAuthority() + page.getRawPath());
        message.setHeader(Exchange.HTTP_QUERY, page.getRawQuery());
        message.setHeader("Accept", "application/json");
    }

    /** Checks the response and leaves the page's executions as the body, one element each. */
    public List<JsonNode> readPage(Exchange exchange) {
        Poll poll = poll(exchange);
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        ExecutionPage page = pageReader.read(status == null ? 0 : status,
                exchange.getMessage().getHeader("Retry-After", String.class), exchange.getMessage().getBody(InputStream.class));
        URI next = page.next().map(settings.endpoint()::sameOrigin).orElse(null);
        poll.pageRead(page.executions().size(), next);
        if (next != null || poll.pages() > 1) {
            // a long backfill shows its progress
            LOG.info("Poll of '{}': page {} read, {} execution(s) so far{}", settings.name(), poll.pages(), poll.executions(),
                    next == null ? ", last page" : "");
        }
        return page.executions();
    }

    /**
     * Keeps the page's failures (a failure status, a failure time inside the window or unknown, and
     * a watched job or an unknown one: the TQL asks for exactly these, this keeps the promise where
     * an instance ignores part of the query) that at least one sink lacks, as the batch every sink
     * receives at once.
     */
    public AlertBatch newFailures(Exchange exchange) throws InvalidPayloadException {
        Poll poll = poll(exchange);
        @SuppressWarnings("unchecked")
        List<JsonNode> executions = exchange.getMessage().getMandatoryBody(List.class);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        ObjectNode about = AlertDocument.about(settings.name(), settings.endpoint().baseUrl(), now);
        List<Alert> alerts = new ArrayList<>();
        int failures = 0;
        // an answer can list one execution twice; a sink taking the page at once must get it once
        Set<String> onThisPage = new java.util.HashSet<>();
        for (JsonNode node : executions) {
            if (!(node instanceof ObjectNode fields)) {
                LOG.warn("Monitor '{}' skipped a data element that is not an object: {}", settings.name(),
                        node == null ? "null" : node.getNodeType());
                continue;
            }
            FailedExecution execution = new FailedExecution(fields);
            // case-insensitive, as TQL compares the status
            boolean failedStatus = execution.text("status")
                    .filter(status -> settings.statuses().stream().anyMatch(status::equalsIgnoreCase)).isPresent();
            if (!failedStatus) {
                continue;
            }
            Optional<Instant> failedAt = execution.instant(settings.timeField());
            if (failedAt.isPresent() && !failedAt.get().isAfter(poll.windowStart())) {
                continue;
            }
            if (!watchedJob(execution)) {
                continue;
            }
            String key = execution.deliveryKey();
            if (!onThisPage.add(key)) {
                continue;
            }
            failures++;
            Set<String> pending = new LinkedHashSet<>();
            for (String sink : settings.sinks()) {
                if (!stateStore.isDelivered(settings.name(), sink, key)) {
                    pending.add(sink);
                }
            }
            if (!pending.isEmpty()) {
                alerts.add(new Alert(execution, key, failedAt.orElse(now),
                        AlertDocument.render(execution, about),
                        Set.copyOf(pending), settings.name()));
            }
        }
        poll.failuresSeen(failures, alerts.size());
        if (dryRun) {
            alerts.forEach(alert -> DRY_RUN.info("Would deliver to {}: {}", String.join(", ", alert.pendingSinks()), alert.document()));
            alerts.clear();
        }
        AlertBatch batch = new AlertBatch(alerts);
        return addressed(exchange, batch);
    }

    /**
     * Whether the execution's job is watched: listed in {@code monitor.job-ids} (when any are) and
     * not in {@code monitor.exclude-job-ids}. A {@code jobId} that is not an integer is kept, as an
     * unreadable failure time is: the monitor drops only what it can tell is unwanted.
     */
    private boolean watchedJob(FailedExecution execution) {
        if (settings.jobIds().isEmpty() && settings.excludeJobIds().isEmpty()) {
            return true;
        }
        Optional<Long> jobId = execution.text("jobId").flatMap(JobMonitor::integer);
        if (jobId.isEmpty()) {
            return true;
        }
        return (settings.jobIds().isEmpty() || settings.jobIds().contains(jobId.get()))
                && !settings.excludeJobIds().contains(jobId.get());
    }

    private static Optional<Long> integer(String text) {
        try {
            return Optional.of(new java.math.BigDecimal(text.strip()).longValueExact());
        } catch (NumberFormatException | ArithmeticException notAnInteger) {
            return Optional.empty();
        }
    }

    /** The batch, with {@link MonitorConstants#BATCH_SINKS} naming the sink routes that lack part of it. */
    private static AlertBatch addressed(Exchange exchange, AlertBatch batch) {
        exchange.setProperty(MonitorConstants.BATCH_SINKS, batch.sinks().stream()
                .map(sink -> MonitorConstants.SINK_ENDPOINT_PREFIX + sink).toList());
        return batch;
    }

    /** Whether {@code sink} already has the alert with this delivery key. */
    boolean isDelivered(String sink, String key) {
        return stateStore.isDelivered(settings.name(), sink, key);
    }

    /** {@code sink} accepted {@code alerts}: it never gets them again. */
    void delivered(String sink, List<Alert> alerts, Poll poll) {
        if (alerts.isEmpty()) {
            return;
        }
        stateStore.recordDelivered(settings.name(), sink, deliveries(alerts));
        poll.delivered(sink, alerts.size());
        metrics.alerts("delivered", settings.name(), sink, alerts.size());
    }

    /**
     * {@code sink} refused {@code alerts} after its redeliveries. Each stays pending, so the
     * window stays open and the next poll offers it to this sink again, until it is older than
     * {@code monitor.dead-letter-after}: then it goes to the sink's dead letter and counts as done.
     */
    void undelivered(String sink, List<Alert> alerts, String error, Poll poll) {
        Instant giveUpBefore = clock.instant().minus(settings.deadLetterAfter());
        List<Alert> tooOld = alerts.stream().filter(alert -> alert.eventTime().isBefore(giveUpBefore)).toList();
        for (Alert alert : tooOld) {
            deadLetters.append(settings.name(), sink, alert.document(), error, clock.instant());
        }
        stateStore.recordDelivered(settings.name(), sink, deliveries(tooOld));
        int deadLettered = tooOld.size();
        if (deadLettered > 0) {
            poll.deadLettered(sink, deadLettered, error);
        }
        if (alerts.size() > deadLettered) {
            poll.undelivered(sink, alerts.size() - deadLettered, error);
        }
        metrics.alerts("dead.lettered", settings.name(), sink, deadLettered);
        metrics.alerts("refused", settings.name(), sink, alerts.size() - deadLettered);
        LOG.debug("Sink '{}' of monitor '{}' refused {} alert(s): {}", sink, settings.name(), alerts.size(), error);
    }

    private static List<Delivery> deliveries(List<Alert> alerts) {
        List<Delivery> deliveries = new ArrayList<>(alerts.size());
        alerts.forEach(alert -> deliveries.add(new Delivery(alert.key(), alert.eventTime())));
        return deliveries;
    }

    /** The new failures of the batch in the body, as the consuming route gets them (see {@link HandOver}). */
    public Iterator<?> handOver(Exchange exchange) throws InvalidPayloadException {
        return handOver.items(exchange);
    }

    public void offer(Exchange exchange) throws InvalidPayloadException {
        handOver.offer(exchange);
    }

    public void taken(Exchange exchange) {
        handOver.taken(exchange);
    }

    public void notTaken(Exchange exchange) throws Exception {
        handOver.notTaken(exchange);
    }

    /**
     * Every page was read. When every failure of the window reached every sink (or its dead
     * letter), move the watermark; otherwise the window stays open for the next poll.
     */
    public AlertBatch finishPoll(Exchange exchange) {
        Poll poll = poll(exchange);
        poll.deadLetteredBySink().forEach((sink, count) -> LOG.warn(
                "Sink '{}' of monitor '{}' refused {} alert(s) older than {}; they went to its dead letter: {}",
                sink, settings.name(), count, settings.deadLetterAfter(), poll.lastError(sink)));
        if (!poll.undeliveredBySink().isEmpty()) {
            String reason = poll.undeliveredBySink().entrySet().stream()
                    .map(entry -> "sink '" + entry.getKey() + "' refused " + entry.getValue() + " alert(s): "
                            + poll.lastError(entry.getKey()))
                    .collect(Collectors.joining("; "));
            poll.failed(reason);
            LOG.warn("Poll of '{}' read {} page(s) and {} failure(s) but the window stays open until every sink has them"
                    + " (next poll retries from {}), delivered {}: {}", settings.name(), poll.pages(), poll.failures(),
                    poll.windowStart(), describe(poll.deliveredBySink()), reason);
            metrics.pollFinished(settings.name(), poll);
            return notice(exchange, pollHistory.record(settings.name(), poll));
        }
        if (poll.movesWatermark()) {
            stateStore.saveWatermark(settings.name(), poll.windowEnd());
            Duration memory = settings.overlap().compareTo(MIN_MEMORY) > 0 ? settings.overlap() : MIN_MEMORY;
            stateStore.forgetDeliveredBefore(settings.name(), poll.windowEnd().minus(settings.overlap()).minus(memory));
        }
        poll.succeeded();
        LOG.info("Poll of '{}' done in {} ms: window {}..{}, {} page(s), {} execution(s), {} failed, {} new, delivered {}{}",
                settings.name(), poll.elapsed().toMillis(), poll.windowStart(), poll.windowEnd(), poll.pages(),
                poll.executions(), poll.failures(), poll.newFailures(), describe(poll.deliveredBySink()),
                dryRun ? " (dry run: nothing sent, no state changed)" : poll.movesWatermark() ? "" : " (backfill: watermark unchanged)");
        if (dryRun) {
            pollHistory.record(settings.name(), poll);
            return new AlertBatch(List.of());
        }
        metrics.pollFinished(settings.name(), poll);
        return notice(exchange, pollHistory.record(settings.name(), poll));
    }

    /** The poll failed: log one line, leave the watermark where it was. */
    public AlertBatch failPoll(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Poll poll = exchange.getProperty(MonitorConstants.POLL, Poll.class);
        if (poll == null) {
            poll = new Poll(this, null, clock.instant(), null);
            exchange.setProperty(MonitorConstants.POLL, poll);
        }
        // a page that was not retried (again) says why (PageRetry)
        String reason = poll.gaveUp().map(Failures::oneLine).orElseGet(() -> Failures.describe(cause));
        poll.failed(reason);
        LOG.warn("Poll of '{}' failed after {} ms, watermark unchanged (next poll retries from {}): {}",
                name(), poll.elapsed().toMillis(),
                poll.windowStart() == null ? "the last good poll" : poll.windowStart(), reason);
        LOG.debug("Poll of '{}' failed", name(), cause);
        metrics.pollFinished(name(), poll);
        return notice(exchange, pollHistory.record(name(), poll));
    }

    /**
     * When this poll made the monitor blind (or ended a blind spell), a notice for every sink, so
     * a monitor that cannot see ThreatConnect is never silent; otherwise an empty batch.
     */
    private AlertBatch notice(Exchange exchange, PollHistory.Change change) {
        List<Alert> alerts = new ArrayList<>();
        if (notices && !dryRun && settings != null && change != PollHistory.Change.NONE) {
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            Alert notice = SightNotice.of(settings, change == PollHistory.Change.WENT_BLIND,
                    pollHistory.health(now).get(settings.name()), now);
            alerts.add(notice);
            LOG.warn("{}: {}", notice.execution().text("notice").orElse(""), notice.execution().text("exitMessage").orElse(""));
        }
        AlertBatch batch = new AlertBatch(alerts);
        return addressed(exchange, batch);
    }

    private static String describe(Map<String, Integer> delivered) {
        return delivered.isEmpty() ? "nothing" : delivered.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue()).collect(Collectors.joining(", "));
    }

    private static Poll poll(Exchange exchange) {
        Poll poll = exchange.getProperty(MonitorConstants.POLL, Poll.class);
        if (poll == null) {
            throw new IllegalStateException("no poll in progress on this exchange");
        }
        return poll;
    }

    // --- template parameters -------------------------------------------------------------

    public void setStateStore(MonitorStateStore stateStore) {
        this.stateStore = stateStore;
    }

    /** The HTTP client of the page requests: it gets this monitor's signer once the settings are checked. */
    public void setClient(ThreatConnectClient client) {
        this.client = client;
    }

    public void setTls(ThreatConnectTls tls) {
        this.tls = tls;
    }

    private javax.net.ssl.SSLContext sslContext() {
        try {
            return tls == null ? null : tls.sslContext();
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw new SettingException(name(), "tc.tls.truststore", e.getMessage());
        }
    }

    public void setMetrics(MonitorMetrics metrics) {
        this.metrics = metrics;
    }

    public void setPollHistory(PollHistory pollHistory) {
        this.pollHistory = pollHistory;
    }

    public void setClock(Clock clock) {
        this.clock = clock;
    }

    public void setName(String name) {
        this.name = name;
    }

    public void setBaseUrl(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public void setAccessId(String accessId) {
        this.accessId = accessId;
    }

    public void setSecretKey(String secretKey) {
        this.secretKey = secretKey;
    }

    public void setApiToken(String apiToken) {
        this.apiToken = apiToken;
    }

    public void setLookback(String lookback) {
        this.lookback = lookback;
    }

    public void setOverlap(String overlap) {
        this.overlap = overlap;
    }

    public void setStatuses(String statuses) {
        this.statuses = statuses;
    }

    public void setTimeField(String timeField) {
        this.timeField = timeField;
    }

    public void setJobIds(String jobIds) {
        this.jobIds = jobIds;
    }

    public void setExcludeJobIds(String excludeJobIds) {
        this.excludeJobIds = excludeJobIds;
    }

    public void setExtraTql(String extraTql) {
        this.extraTql = extraTql;
    }

    public void setPageSize(String pageSize) {
        this.pageSize = pageSize;
    }

    public void setSinks(String sinks) {
        this.sinks = sinks;
    }

    public void setCron(String cron) {
        this.cron = cron;
    }

    public void setTimeZone(String timeZone) {
        this.timeZone = timeZone;
    }

    public void setRetryInitialDelay(String retryInitialDelay) {
        this.retryInitialDelay = retryInitialDelay;
    }

    public void setRetryMaxDelay(String retryMaxDelay) {
        this.retryMaxDelay = retryMaxDelay;
    }

    public void setRetryAfterCap(String retryAfterCap) {
        this.retryAfterCap = retryAfterCap;
    }

    public void setHealthMaxPollAge(String healthMaxPollAge) {
        this.healthMaxPollAge = healthMaxPollAge;
    }

    public void setHealthMaxFailedPolls(String healthMaxFailedPolls) {
        this.healthMaxFailedPolls = healthMaxFailedPolls;
    }

    /** Poll and log what each sink would receive; send nothing, change no state. */
    public void setDryRun(boolean dryRun) {
        this.dryRun = dryRun;
    }

    /** Backfill: the window starts here (an ISO-8601 instant, or a duration before now); empty for the usual window. */
    public void setSince(String since) {
        this.since = since == null || since.isBlank() ? Optional.empty() : Optional.of(Backfill.parse(since));
    }

    public void setNotices(boolean notices) {
        this.notices = notices;
    }

    public void setRetryBudget(String retryBudget) {
        this.retryBudget = retryBudget;
    }

    public void setDeadLetterAfter(String deadLetterAfter) {
        this.deadLetterAfter = deadLetterAfter;
    }

    /** Dead letters go here, and the watermark and delivered ids when no state store is shared. */
    public void setStateDirectory(String directory) {
        this.stateDirectory = Path.of(directory);
    }

    public void setEmit(String emit) {
        this.emit = emit;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /**
     * The state store, poll history and metrics this monitor shares with the others of its Camel
     * context when the host declares them (camel/job-monitor.camel.yaml does, so health, --check and
     * a cluster see every monitor); a host that only added the jar and uses the Kamelet gets the
     * monitor's own: files under its state folder, a history and metrics of its own.
     */
    private void useSharedServices() {
        if (stateStore == null) {
            stateStore = shared(STATE_STORE, MonitorStateStore.class);
        }
        if (stateStore == null) {
            ownStateStore = new FileStateStore(stateDirectory);
            stateStore = ownStateStore;
        }
        if (pollHistory == null) {
            pollHistory = shared(MonitorHealthCheck.POLL_HISTORY, PollHistory.class);
        }
        if (pollHistory == null) {
            pollHistory = new PollHistory();
        }
        if (metrics == null) {
            metrics = shared(METRICS, MonitorMetrics.class);
        }
        if (metrics == null) {
            metrics = new MonitorMetrics();
            metrics.setCamelContext(camelContext);
        }
    }

    private <T> T shared(String bean, Class<T> type) {
        return camelContext == null ? null : camelContext.getRegistry().lookupByNameAndType(bean, type);
    }

    /** Closes what this monitor opened itself; shared services belong to the host. */
    public void close() {
        if (ownStateStore != null) {
            ownStateStore.close();
        }
    }

    @Override
    public String toString() {
        return "JobMonitor[" + name() + "]";
    }
}

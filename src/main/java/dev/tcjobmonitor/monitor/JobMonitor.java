package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.alert.Alert;
import dev.tcjobmonitor.state.DeadLetterFile;
import dev.tcjobmonitor.state.Delivery;
import dev.tcjobmonitor.state.FileStateStore;
import dev.tcjobmonitor.state.MonitorStateStore;
import dev.tcjobmonitor.threatconnect.JobDirectory;
import dev.tcjobmonitor.threatconnect.ThreatConnectClient;
import dev.tcjobmonitor.threatconnect.ThreatConnectHttp;
import dev.tcjobmonitor.threatconnect.ThreatConnectProbe;
import dev.tcjobmonitor.threatconnect.ThreatConnectProxy;
import dev.tcjobmonitor.threatconnect.ThreatConnectTls;
import dev.tcjobmonitor.threatconnect.Tql;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One monitor (the Kamelet {@code tc-job-failures-source}'s bean {@code tcMonitor}): its checked
 * settings, the services it uses (state store, poll history, metrics, the job directory), and what
 * each sink has. The poll's steps are beans of their own that read it: {@link Window} (the window
 * and the watermark), {@link Pages} (the envelope, the next link, the bound) and {@link Failures}
 * (which executions are new failures). Created per Kamelet route as a local bean, configured from
 * its parameters.
 */
public class JobMonitor extends MonitorParameters implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(JobMonitor.class);
    /** The default bound of a poll's pages ({@code monitor.max-pages}): enough for this many executions. */
    private static final int MAX_PAGES_EXECUTIONS = 1_000_000;
    /** A job name is a nicety: an alert never waits long for it. */
    private static final Duration JOB_LOOKUP_TIMEOUT = Duration.ofSeconds(5);
    /** The host's shared state store and metrics, when it declares them (tc-job-monitor/camel/job-monitor.camel.yaml). */
    static final String STATE_STORE = "tcStateStore";
    static final String METRICS = "tcMetrics";
    static final String SILENCES = "tcSilences";

    private Clock clock = Clock.systemUTC();
    private CamelContext camelContext;
    private MonitorStateStore stateStore;
    /** The state store this monitor opened itself (no shared one), closed with it. */
    private FileStateStore ownStateStore;
    private DeadLetterFile deadLetters;
    private PollHistory pollHistory;
    private MonitorMetrics metrics;
    private Silences silences;
    private JobRecoveries jobRecoveries;
    private HandOver handOver = new HandOver(HandOver.Emit.PAGES);
    private MonitorSettings settings;
    private RetryPolicy retryPolicy;
    private ThreatConnectTls tls;
    private ThreatConnectClient client;
    private JobDirectory jobDirectory;
    private ServerClock serverClock;
    /** How the job names and --check reach ThreatConnect: as the pages do. */
    private ThreatConnectHttp route = ThreatConnectHttp.DEFAULT;
    private int maxPageCount;

    /** Checks every setting; a bad one stops start-up with a message naming it. */
    public void init() {
        if (emit != null) {
            handOver = new HandOver(HandOver.emit(name, emit));
        }
        String sinkNames = handOver.emit() == HandOver.Emit.FAILURES ? HandOver.CONSUMER : sinks;
        settings = MonitorSettings.parse(new MonitorSettings.Raw(name, baseUrl, accessId, secretKey, apiToken,
                lookback, overlap, statuses, timeField, jobIds, excludeJobIds, extraTql, pageSize, sinkNames, deadLetterAfter,
                allowInsecureHttp, deliveredRetention), clock);
        ThreatConnectProxy proxy = proxy();
        if (settings.endpoint().cleartextBeyondLoopback()) {
            LOG.warn("Monitor '{}' reaches ThreatConnect at {} over plain http (tc.allow-insecure-http=true){}: anyone on"
                    + " the network path can read its credentials and the executions; use https://", settings.name(),
                    settings.endpoint().host(), proxy.direct() ? "" : " through the proxy " + proxy + ", which reads them too");
        } else if (!proxy.direct()) {
            LOG.info("Monitor '{}' reaches ThreatConnect at {} through the proxy {}", settings.name(),
                    settings.endpoint().host(), proxy);
        }
        maxPageCount = maxPages(settings.pageSize());
        serverClock = new ServerClock(settings.name(), settings.overlap());
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
        route = new ThreatConnectHttp(sslContext(), tls, proxy);
        jobDirectory = new JobDirectory(settings.endpoint(), settings.signer(), JOB_LOOKUP_TIMEOUT,
                JobDirectory.DEFAULT_FAILURE_PERIOD, clock, route);
        jobRecoveries = JobRecoveries.of(this, recoveryNotices, recoveryWindow, route);
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

    /** {@code monitor.max-pages}, or the pages a million executions take at this page size. */
    private int maxPages(int size) {
        if (maxPages == null || maxPages.isBlank()) {
            return (MAX_PAGES_EXECUTIONS + size - 1) / size;
        }
        try {
            int pages = Integer.parseInt(maxPages.strip());
            if (pages >= 1) {
                return pages;
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw new SettingException(name, "maxPages (monitor.max-pages)", "'" + maxPages.strip()
                + "' is not a whole number of pages of at least 1 (empty: enough for a million executions)");
    }

    public String name() {
        return settings == null ? name : settings.name();
    }

    /** A poll reads at most this many pages ({@link Pages}). */
    int maxPages() {
        return maxPageCount;
    }

    Clock clock() {
        return clock;
    }

    /** ThreatConnect's own time, as its answers tell it: window ends are held to it. */
    ServerClock serverClock() {
        return serverClock;
    }

    MonitorStateStore stateStore() {
        return stateStore;
    }

    PollHistory pollHistory() {
        return pollHistory;
    }

    MonitorMetrics metrics() {
        return metrics;
    }

    Optional<Backfill> since() {
        return since;
    }

    boolean dryRun() {
        return dryRun;
    }

    boolean oneShot() {
        return oneShot;
    }

    boolean notices() {
        return notices;
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
                tql(clock.instant().minus(settings.lookback())), route, JOB_LOOKUP_TIMEOUT.multipliedBy(2));
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

    /** Whether {@code sink} already has the alert with this delivery key. */
    boolean isDelivered(String sink, String key) {
        return stateStore.isDelivered(settings.name(), sink, key);
    }

    /** "Job recovered" notices and the failing sets they come from. */
    JobRecoveries jobRecoveries() {
        return jobRecoveries;
    }

    /** The operators' silences (tcSilences), or none when the host declares none. */
    Silences silences() {
        return silences;
    }

    /**
     * A silence hid these failures from {@code sink}: recorded as delivered for it (it never gets
     * them, and they do not keep the window open), counted as silenced.
     */
    void silenced(String sink, List<Delivery> deliveries, Poll poll) {
        if (deliveries.isEmpty()) {
            return;
        }
        stateStore.recordDelivered(settings.name(), sink, deliveries);
        poll.silenced(sink, deliveries.size());
        metrics.alerts("silenced", settings.name(), sink, deliveries.size());
    }

    /** {@code sink} accepted {@code alerts}: it never gets them again. */
    void delivered(String sink, List<Alert> alerts, Poll poll) {
        if (alerts.isEmpty()) {
            return;
        }
        stateStore.recordDelivered(settings.name(), sink, deliveries(alerts));
        jobRecoveries.delivered(sink, alerts);
        poll.delivered(sink, alerts.size());
        metrics.alerts("delivered", settings.name(), sink, alerts.size());
    }

    /**
     * {@code sink} refused {@code alerts} after its redeliveries, in a way that may pass. Each
     * stays pending, so the window stays open and the next poll offers it to this sink again,
     * until {@code monitor.dead-letter-after} has passed since this sink first refused it (the
     * state store keeps that time across restarts): then it goes to the sink's dead letter and
     * counts as done. Counted from the first refusal, not from the failure: after an outage longer
     * than that, a refusal dead-letters nothing yet, and an alert without a readable failure time
     * is dead-lettered all the same. The sink is offered nothing more in this poll.
     */
    void undelivered(String sink, List<Alert> alerts, String error, Poll poll) {
        if (alerts.isEmpty()) {
            return;
        }
        poll.refusing(sink, error);
        Instant now = clock.instant();
        List<String> keys = alerts.stream().map(Alert::key).toList();
        Map<String, Instant> refusedSince = stateStore.refusedSince(settings.name(), sink, keys, now);
        Instant giveUp = now.minus(settings.deadLetterAfter());
        List<Alert> tooLong = alerts.stream()
                .filter(alert -> !refusedSince.getOrDefault(alert.key(), now).isAfter(giveUp)).toList();
        deadLetter(sink, tooLong, error, now);
        int deadLettered = tooLong.size();
        if (deadLettered > 0) {
            poll.deadLettered(sink, deadLettered, error, false);
        }
        if (alerts.size() > deadLettered) {
            poll.undelivered(sink, alerts.size() - deadLettered, error);
        }
        metrics.alerts("dead.lettered", settings.name(), sink, deadLettered);
        metrics.alerts("refused", settings.name(), sink, alerts.size() - deadLettered);
        LOG.debug("Sink '{}' of monitor '{}' refused {} alert(s): {}", sink, settings.name(), alerts.size(), error);
    }

    /**
     * {@code sink} refused {@code alerts} for good ({@link SinkErrors}: each for a reason of its
     * own that no retry changes): they go to its dead letter at once, count as done, and the sink
     * goes on with the rest of the poll.
     */
    void refusedForGood(String sink, List<Alert> alerts, String error, Poll poll) {
        if (alerts.isEmpty()) {
            return;
        }
        deadLetter(sink, alerts, error, clock.instant());
        poll.deadLettered(sink, alerts.size(), error, true);
        metrics.alerts("dead.lettered", settings.name(), sink, alerts.size());
        LOG.debug("Sink '{}' of monitor '{}' refused {} alert(s) for good: {}", sink, settings.name(), alerts.size(), error);
    }

    /** Writes the alerts to the sink's dead letter, then records them as done for it. */
    private void deadLetter(String sink, List<Alert> alerts, String error, Instant now) {
        for (Alert alert : alerts) {
            deadLetters.append(settings.name(), sink, alert.document(), error, now);
        }
        stateStore.recordDelivered(settings.name(), sink, deliveries(alerts));
        jobRecoveries.deadLettered(sink, alerts);
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

    /**
     * The path to ThreatConnect, from the client's proxy settings (the Kamelet's proxy*
     * parameters, tc.proxy.*) or the environment; the pages take it from now on.
     */
    private ThreatConnectProxy proxy() {
        if (client == null) {
            return ThreatConnectProxy.DIRECT;
        }
        try {
            return client.proxyFor(settings.endpoint());
        } catch (ThreatConnectProxy.InvalidSetting e) {
            throw new SettingException(settings.name(), e.setting(), e.problem());
        }
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
     * context when the host declares them (tc-job-monitor/camel/job-monitor.camel.yaml does, so
     * health, --check and a cluster see every monitor); a host that only added the jar and uses the Kamelet gets the
     * monitor's own files under its state folder and metrics of its own, and a history (with its
     * health check) that the context's other monitors share.
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
            pollHistory = hostWideHistory();
        }
        if (metrics == null) {
            metrics = shared(METRICS, MonitorMetrics.class);
        }
        if (metrics == null) {
            metrics = new MonitorMetrics();
            metrics.setCamelContext(camelContext);
        }
        if (silences == null) {
            silences = shared(SILENCES, Silences.class);
        }
        if (silences == null) {
            silences = Silences.none();
        }
    }

    /**
     * A host that declares no poll history (one that only added the jar and consumes the Kamelet)
     * gets one for all its monitors, bound as {@code tcPollHistory}, and the health check
     * {@code tc-job-monitor} that reads it: the host's health (Camel's, or Spring Boot Actuator's)
     * shows its monitors as the standalone monitor's does.
     */
    private PollHistory hostWideHistory() {
        if (camelContext == null) {
            return new PollHistory();
        }
        synchronized (camelContext) {
            PollHistory history = shared(MonitorHealthCheck.POLL_HISTORY, PollHistory.class);
            if (history == null) {
                history = new PollHistory();
                camelContext.getRegistry().bind(MonitorHealthCheck.POLL_HISTORY, history);
                // registers itself with the context's health check registry, unless one is there
                new MonitorHealthCheck().setCamelContext(camelContext);
            }
            return history;
        }
    }

    private <T> T shared(String bean, Class<T> type) {
        return camelContext == null ? null : camelContext.getRegistry().lookupByNameAndType(bean, type);
    }

    /** Closes what this monitor opened itself; shared services belong to the host. */
    public void close() {
        if (jobDirectory != null) {
            jobDirectory.close();
        }
        if (jobRecoveries != null) {
            jobRecoveries.close();
        }
        if (ownStateStore != null) {
            ownStateStore.close();
        }
    }

    @Override
    public String toString() {
        return "JobMonitor[" + name() + "]";
    }
}

package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.state.DeadLetterFile;
import dev.tcjobmonitor.state.FileStateStore;
import dev.tcjobmonitor.state.MonitorStateStore;
import dev.tcjobmonitor.threatconnect.JobDirectory;
import dev.tcjobmonitor.threatconnect.ThreatConnectClient;
import dev.tcjobmonitor.threatconnect.ThreatConnectHttp;
import dev.tcjobmonitor.threatconnect.ThreatConnectProbe;
import dev.tcjobmonitor.threatconnect.ThreatConnectProxy;
import dev.tcjobmonitor.threatconnect.ThreatConnectTls;
import dev.tcjobmonitor.threatconnect.Tql;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One monitor (the Kamelet {@code tc-job-failures-source}'s bean {@code tcMonitor}): its checked
 * settings and the services it uses (state store, poll history, metrics, the job directory, and
 * {@link SinkLedger}: what each sink has). The poll's steps are beans of their own that read it: {@link Window} (the window
 * and the watermark), {@link Pages} (the envelope, the next link, the bound) and {@link Failures}
 * (which executions are new failures). Created per Kamelet route as a local bean, configured from
 * its parameters.
 */
public class JobMonitor implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(JobMonitor.class);
    /** A job name is a nicety: an alert never waits long for it. */
    private static final Duration JOB_LOOKUP_TIMEOUT = Duration.ofSeconds(5);

    private Clock clock = Clock.systemUTC();
    private String name;
    private Path stateDirectory;
    private RunOptions run;
    private CamelContext camelContext;
    private MonitorStateStore stateStore;
    /** The state store this monitor opened itself (no shared one), closed with it. */
    private FileStateStore ownStateStore;
    private SinkLedger ledger;
    private PollHistory pollHistory;
    private MonitorMetrics metrics;
    private Silences silences;
    private Repeats repeats;
    private JobRecoveries jobRecoveries;
    private HandOver.Emit emits = HandOver.Emit.PAGES;
    private MonitorSettings settings;
    private RetryPolicy retryPolicy;
    private ThreatConnectTls tls;
    private ThreatConnectClient client;
    private JobDirectory jobDirectory;
    private ServerClock serverClock;
    /** How the job names and --check reach ThreatConnect: as the pages do. */
    private ThreatConnectHttp route = ThreatConnectHttp.DEFAULT;

    /**
     * Reads this monitor's settings, the Kamelet's parameters and the host's properties by their
     * names, and checks every one: a bad one stops start-up with a message naming it. Called by
     * Camel as it creates the Kamelet's route ({@link MonitorParameters#of(CamelContext)}).
     */
    public void init() {
        MonitorParameters raw = MonitorParameters.of(camelContext);
        name = raw.parameter("name");
        emits = HandOver.emit(name, raw.parameter("emit"));
        if (emits == HandOver.Emit.FAILURES) {
            raw = raw.with("sinks", HandOver.CONSUMER);
        }
        settings = MonitorSettings.parse(raw, clock);
        TransportSettings.apply(name, raw, tls, client);
        ThreatConnectProxy proxy = proxy();
        if (settings.endpoint().cleartextBeyondLoopback()) {
            LOG.warn("Monitor '{}' reaches ThreatConnect at {} over plain http (tc.allow-insecure-http=true){}: anyone on"
                    + " the network path can read its credentials and the executions; use https://", settings.name(),
                    settings.endpoint().host(), proxy.direct() ? "" : " through the proxy " + proxy + ", which reads them too");
        } else if (!proxy.direct()) {
            LOG.info("Monitor '{}' reaches ThreatConnect at {} through the proxy {}", settings.name(),
                    settings.endpoint().host(), proxy);
        }
        serverClock = new ServerClock(settings.name(), settings.overlap());
        String folder = raw.parameter("stateDir");
        if (folder.isBlank()) {
            throw new SettingException(name, "stateDir (monitor.state-dir)", "no folder for state and dead letters is configured");
        }
        stateDirectory = Path.of(folder.strip());
        run = RunOptions.read(name, raw);
        useSharedServices();
        repeats = Repeats.of(this, key -> camelContext == null ? Optional.empty()
                : camelContext.getPropertiesComponent().resolveProperty(key), () -> java.util.Objects.requireNonNullElseGet(
                        stateStore.repeatState(), () -> new dev.tcjobmonitor.state.RepeatStateFile(stateDirectory)));
        ledger = new SinkLedger(settings.name(), stateStore, new DeadLetterFile(stateDirectory), metrics, this::clock,
                settings.deadLetterAfter(), repeats, this::jobRecoveries);
        if (client != null) {
            client.signWith(settings.signer());
        }
        route = new ThreatConnectHttp(sslContext(), tls, proxy);
        if (client != null) {
            client.readAheadThrough(route, settings.name());
        }
        jobDirectory = new JobDirectory(settings.endpoint(), settings.signer(), JOB_LOOKUP_TIMEOUT,
                JobDirectory.DEFAULT_FAILURE_PERIOD, clock, route);
        jobRecoveries = JobRecoveries.of(this,
                MonitorSettings.flag(name, "monitor.recovery-notices", raw.host("monitor.recovery-notices", "true")),
                raw.host("monitor.recovery-window", "P1D"), route);
        String cron = raw.parameter("cron");
        String timeZone = raw.parameter("timeZone");
        retryPolicy = Schedule.retryPolicy(settings.name(), cron, timeZone, raw.host("tc.retry-initial-delay", "PT1S"),
                raw.host("tc.retry-max-delay", "PT30S"), raw.host("tc.retry-after-cap", "PT60S"),
                raw.host("tc.retry-budget", "PT2M"), clock);
        pollHistory.register(this, Schedule.healthRules(settings.name(), cron, timeZone,
                raw.host("monitor.health.max-poll-age", ""), raw.host("monitor.health.max-failed-polls", "3"), clock),
                clock.instant());
        if (emits == HandOver.Emit.PAGES && camelContext != null) {
            SinkRoutes.checkAtStart(settings.name(), settings.sinks(), camelContext);
        }
        Set<String> unknown = UnknownParameters.of(camelContext);
        if (!unknown.isEmpty()) {
            LOG.warn("Monitor '{}' was given {}, which the Kamelet tc-job-failures-source does not have (a misspelling?):"
                    + " ignored; its parameters are in the Kamelet's spec", name, unknown);
        }
        LOG.info("Monitor '{}' watches {} for {} executions (page size {}, sinks {})", settings.name(),
                settings.endpoint(), settings.statuses(), settings.pageSize(), settings.sinks());
    }

    public String name() {
        return settings == null ? name : settings.name();
    }

    /** What the consuming route gets: each failure, or the page for tc-job-monitor's sinks ({@link HandOver}). */
    HandOver.Emit emit() {
        return emits;
    }

    /** A poll reads at most this many pages ({@link Pages}). */
    int maxPages() {
        return settings.maxPages();
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
        return run.since();
    }

    boolean dryRun() {
        return run.dryRun();
    }

    boolean oneShot() {
        return run.oneShot();
    }

    boolean notices() {
        return run.notices();
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

    /** The operators' silences (tcSilences), or none when the host declares none. */
    Silences silences() {
        return silences;
    }

    /** "Job recovered" notices and the failing sets they come from. */
    JobRecoveries jobRecoveries() {
        return jobRecoveries;
    }

    /** The sinks' repeat intervals and held failures (sink.<name>.repeat-interval). */
    Repeats repeats() {
        return repeats;
    }

    /** Asks for the poll's next page while the page before it is delivered (see ThreatConnectClient#readAhead). */
    void readAhead(java.net.URI next) {
        if (client != null) {
            client.readAhead(next);
        }
    }

    /** A poll starts: nothing read ahead for a poll before it is used. */
    void dropReadAhead() {
        if (client != null) {
            client.dropReadAhead();
        }
    }

    /** What each sink has of this monitor's alerts: delivered, refused, dead-lettered. */
    SinkLedger ledger() {
        return ledger;
    }

    // --- the Kamelet's other beans, and seams for tests ------------------------------------

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
            throw new SettingException(name(), "truststore (tc.tls.truststore)", e.getMessage());
        }
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

    /** The host's services (see {@link HostServices}); the monitor's own files without a shared store. */
    private void useSharedServices() {
        stateStore = HostServices.stateStore(camelContext, name, stateDirectory);
        if (stateStore == null) {
            ownStateStore = new FileStateStore(stateDirectory);
            stateStore = ownStateStore;
        }
        pollHistory = HostServices.pollHistory(camelContext);
        metrics = HostServices.metrics(camelContext);
        silences = HostServices.silences(camelContext);
    }

    /** Closes what this monitor opened itself; shared services belong to the host. */
    public void close() {
        if (client != null) {
            try {
                client.close();
            } catch (java.io.IOException e) {
                LOG.debug("Monitor '{}': closing the client of the pages read ahead failed", name, e);
            }
        }
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

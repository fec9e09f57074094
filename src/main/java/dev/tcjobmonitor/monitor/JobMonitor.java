package dev.tcjobmonitor.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.alert.AlertDocument;
import dev.tcjobmonitor.alert.FailedExecution;
import dev.tcjobmonitor.state.MonitorStateStore;
import dev.tcjobmonitor.threatconnect.ApiEndpoint;
import dev.tcjobmonitor.threatconnect.ExecutionPage;
import dev.tcjobmonitor.threatconnect.ExecutionPageReader;
import dev.tcjobmonitor.threatconnect.Tql;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The computing half of one monitor (the route template {@code tc-job-monitor} is the wiring
 * half): it opens a poll over the window since the watermark, signs each page request, reads each
 * page, turns failures into alert documents for the sinks that lack them, and closes the poll.
 * Created per templated route as a template-local bean, configured from the template parameters.
 */
public class JobMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(JobMonitor.class);
    /** Delivered ids are kept at least this long after their window closed. */
    private static final Duration MIN_MEMORY = Duration.ofDays(1);

    private final ExecutionPageReader pageReader = new ExecutionPageReader();
    private Clock clock = Clock.systemUTC();
    private MonitorStateStore stateStore;
    private PollHistory pollHistory = new PollHistory();
    private MonitorSettings settings;

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

    /** Checks every setting; a bad one stops start-up with a message naming it. */
    public void init() {
        if (stateStore == null) {
            throw new SettingException(name, "stateStore", "no state store is configured");
        }
        settings = MonitorSettings.parse(new MonitorSettings.Raw(name, baseUrl, accessId, secretKey, apiToken,
                lookback, overlap, statuses, timeField, jobIds, excludeJobIds, extraTql, pageSize, sinks), clock);
        secretKey = null;
        apiToken = null;
        LOG.info("Monitor '{}' watches {} for {} executions (page size {}, sinks {})", settings.name(),
                settings.endpoint(), settings.statuses(), settings.pageSize(), settings.sinks());
    }

    public String name() {
        return settings == null ? name : settings.name();
    }

    public MonitorSettings settings() {
        return settings;
    }

    /** Opens a poll over [watermark - overlap, now], or [now - lookback, now] the first time. */
    public void startPoll(Exchange exchange) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant windowStart = stateStore.watermark(settings.name())
                .map(watermark -> watermark.minus(settings.overlap()))
                .orElse(now.minus(settings.lookback()));
        URI firstPage = settings.endpoint().executionsUrl(tql(windowStart), settings.pageSize());
        exchange.setProperty(MonitorConstants.POLL, new Poll(this, windowStart, now, firstPage));
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

    public boolean hasMorePages(Exchange exchange) {
        return poll(exchange).hasMorePages();
    }

    /** Addresses and signs the request for the next page, immediately before it is sent. */
    public void prepareRequest(Exchange exchange) {
        URI page = poll(exchange).nextPage();
        var message = exchange.getMessage();
        message.setBody(null);
        message.setHeader(Exchange.HTTP_METHOD, "GET");
        message.setHeader(Exchange.HTTP_URI, page.getScheme() + "://" + page.getRawAuthority() + page.getRawPath());
        message.setHeader(Exchange.HTTP_QUERY, page.getRawQuery());
        message.setHeader("Accept", "application/json");
        settings.signer().sign("GET", ApiEndpoint.pathAndQuery(page)).forEach(message::setHeader);
    }

    /** Checks the response and leaves the page's executions as the body, one element each. */
    public List<JsonNode> readPage(Exchange exchange) {
        Poll poll = poll(exchange);
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        ExecutionPage page = pageReader.read(status == null ? 0 : status, exchange.getMessage().getBody(InputStream.class));
        URI next = page.next().map(settings.endpoint()::sameOrigin).orElse(null);
        poll.pageRead(page.executions().size(), next);
        return page.executions();
    }

    /**
     * True for an execution in a failure status whose failure time is inside the window (or
     * unknown): the TQL asks for exactly these, and this keeps the promise even where an instance
     * ignores part of the query.
     */
    public boolean isFailure(Exchange exchange) {
        JsonNode node = exchange.getMessage().getBody(JsonNode.class);
        if (!(node instanceof ObjectNode fields)) {
            LOG.warn("Monitor '{}' skipped a data element that is not an object: {}", settings.name(),
                    node == null ? "null" : node.getNodeType());
            return false;
        }
        FailedExecution execution = new FailedExecution(fields);
        boolean failedStatus = execution.text("status").filter(settings.statuses()::contains).isPresent();
        boolean inWindow = execution.instant(settings.timeField())
                .map(time -> time.isAfter(poll(exchange).windowStart())).orElse(true);
        return failedStatus && inWindow;
    }

    /**
     * Turns the execution into the alert document and lists, in {@link MonitorConstants#PENDING_SINKS},
     * the sinks that do not have it yet.
     */
    public void prepareAlert(Exchange exchange) {
        Poll poll = poll(exchange);
        FailedExecution execution = new FailedExecution((ObjectNode) exchange.getMessage().getBody(JsonNode.class));
        String key = execution.deliveryKey();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        List<String> pending = new ArrayList<>(settings.sinks().size());
        for (String sink : settings.sinks()) {
            if (!stateStore.isDelivered(settings.name(), sink, key)) {
                pending.add(MonitorConstants.SINK_ENDPOINT_PREFIX + sink);
            }
        }
        poll.failureSeen(!pending.isEmpty());
        exchange.setProperty(MonitorConstants.PENDING_SINKS, pending);
        exchange.setProperty(MonitorConstants.DELIVERY_KEY, key);
        exchange.setProperty(MonitorConstants.EVENT_TIME, execution.instant(settings.timeField()).orElse(now));
        var message = exchange.getMessage();
        message.setHeader(MonitorConstants.EXECUTION_ID, execution.text("id").orElse(key));
        execution.text("jobId").ifPresent(jobId -> message.setHeader(MonitorConstants.JOB_ID, jobId));
        execution.text("status").ifPresent(status -> message.setHeader(MonitorConstants.STATUS, status));
        message.setHeader(MonitorConstants.MONITOR, settings.name());
        message.setBody(AlertDocument.render(execution, settings.name(), settings.endpoint().baseUrl(), now));
    }

    /** Called by a sink route once its sink has accepted the current alert. */
    public void recordDelivered(Exchange exchange, String sink) {
        stateStore.recordDelivered(settings.name(), sink,
                exchange.getProperty(MonitorConstants.DELIVERY_KEY, String.class),
                exchange.getProperty(MonitorConstants.EVENT_TIME, Instant.class));
        poll(exchange).delivered(sink);
    }

    /** Every failure of the window reached every sink: move the watermark and log the summary. */
    public void finishPoll(Exchange exchange) {
        Poll poll = poll(exchange);
        stateStore.saveWatermark(settings.name(), poll.windowEnd());
        Duration memory = settings.overlap().compareTo(MIN_MEMORY) > 0 ? settings.overlap() : MIN_MEMORY;
        stateStore.forgetDeliveredBefore(settings.name(), poll.windowEnd().minus(settings.overlap()).minus(memory));
        poll.succeeded();
        LOG.info("Poll of '{}' done in {} ms: window {}..{}, {} page(s), {} execution(s), {} failed, {} new, delivered {}",
                settings.name(), poll.elapsed().toMillis(), poll.windowStart(), poll.windowEnd(), poll.pages(),
                poll.executions(), poll.failures(), poll.newFailures(), describe(poll.deliveredBySink()));
        pollHistory.record(settings.name(), poll);
    }

    /** The poll failed: log one line, leave the watermark where it was. */
    public void failPoll(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason = Failures.describe(cause);
        Poll poll = exchange.getProperty(MonitorConstants.POLL, Poll.class);
        if (poll == null) {
            poll = new Poll(this, null, clock.instant(), null);
            exchange.setProperty(MonitorConstants.POLL, poll);
        }
        poll.failed(reason);
        LOG.warn("Poll of '{}' failed after {} ms, watermark unchanged (next poll retries from {}): {}",
                name(), poll.elapsed().toMillis(),
                poll.windowStart() == null ? "the last good poll" : poll.windowStart(), reason);
        LOG.debug("Poll of '{}' failed", name(), cause);
        pollHistory.record(name(), poll);
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

    @Override
    public String toString() {
        return "JobMonitor[" + name() + "]";
    }
}

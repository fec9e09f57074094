package dev.tcjobmonitor.monitor;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A monitor's parameters as its Kamelet gives them (the bean {@code tcMonitor}'s properties), raw
 * text: {@link MonitorSettings#parse} checks them together and names the one that is wrong.
 */
class MonitorParameters {

    protected String name;
    protected String baseUrl;
    protected String accessId;
    protected String secretKey;
    protected String apiToken;
    protected String lookback;
    protected String overlap;
    protected String statuses;
    protected String timeField;
    protected String jobIds;
    protected String excludeJobIds;
    protected String extraTql;
    protected String pageSize;
    protected String maxPages;
    protected String sinks;
    protected String deadLetterAfter;
    protected String deliveredRetention;
    protected String cron;
    protected String timeZone;
    protected String retryInitialDelay;
    protected String retryMaxDelay;
    protected String retryAfterCap;
    protected String retryBudget;
    protected String healthMaxPollAge;
    protected String healthMaxFailedPolls;
    protected boolean notices = true;
    protected boolean recoveryNotices = true;
    protected String recoveryWindow;
    protected boolean dryRun;
    protected boolean oneShot;
    protected String allowInsecureHttp;
    protected Optional<Backfill> since = Optional.empty();
    protected Path stateDirectory;
    protected String emit;

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

    /** At most this many pages per poll; empty: enough for a million executions at the page size. */
    public void setMaxPages(String maxPages) {
        this.maxPages = maxPages;
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

    /** true: plain http to a host beyond loopback is accepted (with a warning at every start). */
    public void setAllowInsecureHttp(String allowInsecureHttp) {
        this.allowInsecureHttp = allowInsecureHttp;
    }

    /** Poll and log what each sink would receive; send nothing, change no state. */
    public void setDryRun(boolean dryRun) {
        this.dryRun = dryRun;
    }

    /**
     * A one-shot command's process (--once, --since, --dry-run): a poll that finds another process
     * polling the monitor waits for it, where a daemon's poll is skipped.
     */
    public void setOneShot(boolean oneShot) {
        this.oneShot = oneShot;
    }

    /** Backfill: the window starts here (an ISO-8601 instant, or a duration before now); empty for the usual window. */
    public void setSince(String since) {
        this.since = since == null || since.isBlank() ? Optional.empty() : Optional.of(Backfill.parse(since));
    }

    public void setNotices(boolean notices) {
        this.notices = notices;
    }

    /** "Job recovered" notices (docs/alerts.md, "Job recovered"). */
    public void setRecoveryNotices(boolean recoveryNotices) {
        this.recoveryNotices = recoveryNotices;
    }

    /** A job's failures are forgotten without a notice this long after the last one (ISO-8601). */
    public void setRecoveryWindow(String recoveryWindow) {
        this.recoveryWindow = recoveryWindow;
    }

    public void setRetryBudget(String retryBudget) {
        this.retryBudget = retryBudget;
    }

    public void setDeadLetterAfter(String deadLetterAfter) {
        this.deadLetterAfter = deadLetterAfter;
    }

    /** How long delivered ids are kept, from the failure's time (ISO-8601, longer than the overlap). */
    public void setDeliveredRetention(String deliveredRetention) {
        this.deliveredRetention = deliveredRetention;
    }

    /** Dead letters go here, and the watermark and delivered ids when no state store is shared. */
    public void setStateDirectory(String directory) {
        this.stateDirectory = Path.of(directory);
    }

    public void setEmit(String emit) {
        this.emit = emit;
    }

    /** Never the credentials. */
    @Override
    public String toString() {
        return "MonitorParameters[name=" + name + ", baseUrl=" + baseUrl + ", credentials=****]";
    }
}

package dev.tcjobmonitor.alert;

import dev.tcjobmonitor.monitor.MonitorConstants;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One failed execution on its way to the sinks that do not have it yet.
 *
 * @param execution    the execution as ThreatConnect sent it
 * @param key          its key in the delivered-ids store
 * @param eventTime    when it failed (or was detected, when ThreatConnect did not say)
 * @param rendered     the JSON document every sink receives ({@link #document()} is its text)
 * @param pendingSinks the sinks that still lack it
 * @param monitor      the name of the monitor that found it
 */
public record Alert(FailedExecution execution, String key, Instant eventTime, AlertDocument rendered, Set<String> pendingSinks,
                    String monitor) {

    public Alert(FailedExecution execution, String key, Instant eventTime, String document, Set<String> pendingSinks,
                 String monitor) {
        this(execution, key, eventTime, AlertDocument.of(document), pendingSinks, monitor);
    }

    /** The JSON document every sink receives. */
    public String document() {
        return rendered.text();
    }

    /** A message of the monitor about itself (it cannot see ThreatConnect, or sees it again). */
    public boolean isNotice() {
        return execution.text("notice").isPresent();
    }

    /** A notice that a job which failed has completed since (README "Job recovered"). */
    public boolean isJobRecovered() {
        return isNotice() && execution.text("status").filter("JobRecovered"::equals).isPresent();
    }

    /**
     * A reminder that a job is still failing ({@code "status":"JobStillFailing"}): the failures a
     * sink's repeat interval held, counted in one alert.
     */
    public boolean isReminder() {
        return execution.text("reminder").isPresent();
    }

    /**
     * The headers that travel with the alert (never Camel*-named, so transports keep them). Their
     * values come from ThreatConnect, so they are cut to one clean line: a transport that turns
     * headers into protocol headers (HTTP, mail) must not be handed a line break.
     */
    public Map<String, Object> headers() {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(MonitorConstants.EXECUTION_ID, UntrustedText.oneLine(execution.text("id").orElse(key)));
        execution.text("jobId").ifPresent(jobId -> headers.put(MonitorConstants.JOB_ID, UntrustedText.oneLine(jobId)));
        execution.text("status").ifPresent(status -> headers.put(MonitorConstants.STATUS, UntrustedText.oneLine(status)));
        headers.put(MonitorConstants.MONITOR, monitor);
        return headers;
    }
}

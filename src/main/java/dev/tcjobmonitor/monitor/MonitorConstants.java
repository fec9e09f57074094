package dev.tcjobmonitor.monitor;

/**
 * Names of the headers and exchange properties the monitor sets. Headers travel to sinks (Kafka
 * record headers, for example), so they never start with {@code Camel}; the rest stays in exchange
 * properties.
 */
public final class MonitorConstants {

    /** Header: the execution's {@code id} as ThreatConnect sent it (or its delivery key). */
    public static final String EXECUTION_ID = "tcExecutionId";
    /** Header: the execution's {@code jobId}. */
    public static final String JOB_ID = "tcJobId";
    /** Header: the execution's {@code status}. */
    public static final String STATUS = "tcStatus";
    /** Header: the name of the monitor that found the failure. */
    public static final String MONITOR = "tcMonitor";

    /** Property: the {@link Poll} in progress. */
    public static final String POLL = "tcPoll";
    /** Property: the sink endpoints that lack at least one alert of the current page. */
    public static final String BATCH_SINKS = "tcBatchSinks";
    /** Exchange property: the sinks' route threw on a page (emit=pages), so the poll stops and fails there. */
    public static final String HAND_OVER_FAILED = "tcHandOverFailed";
    /** Exchange property: the poll is over (Window.close or fail ran); what is handed over now is its notice. */
    public static final String POLL_ENDED = "tcPollEnded";
    /** Property: the alerts a sink route is delivering on this exchange (one, or a digest's all). */
    public static final String ALERTS = "tcAlerts";

    /** Property: the delivery key of the one alert an endpoint sink is sending (its idempotent consumer's key). */
    public static final String DELIVERY_KEY = "tcDeliveryKey";

    /** Sink {@code x} is the route {@code direct:tc-sink-x}. */
    public static final String SINK_ENDPOINT_PREFIX = "direct:tc-sink-";

    private MonitorConstants() {
    }
}

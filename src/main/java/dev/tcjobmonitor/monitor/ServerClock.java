package dev.tcjobmonitor.monitor;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ThreatConnect's own time, from the {@code Date} header of each executions page it answers (HTTP
 * servers send one): the window of a poll never ends after it plus {@link #TOLERANCE}. The window
 * end is this host's clock; a clock hours fast would otherwise save a watermark in the future, and
 * once NTP set it right, the failures of those hours would never be asked for.
 *
 * <p>It also measures the skew (this host's clock minus ThreatConnect's): beyond half of
 * {@code monitor.overlap} it is said in one line when it first appears and when it is gone, and
 * shown in health ({@link MonitorHealth}). A clock that is behind needs no clamp: its windows end
 * early and the next one reaches back over the rest.
 */
final class ServerClock {

    /**
     * How far past ThreatConnect's {@code Date} a window may end: the header has whole seconds and
     * was written after the request left, so with both clocks right the window end (taken before
     * the request) is never more than a second past it.
     */
    static final Duration TOLERANCE = Duration.ofSeconds(1);

    /** The monitor's lines keep the monitor's logger (log configuration, README). */
    private static final Logger LOG = LoggerFactory.getLogger(JobMonitor.class);

    private final String monitor;
    private final Duration overlap;
    private final Duration limit;
    /** Whether the skew last measured was beyond the limit (and said so). */
    private boolean skewed;

    ServerClock(String monitor, Duration overlap) {
        this.monitor = monitor;
        this.overlap = overlap;
        this.limit = overlap.dividedBy(2);
    }

    /**
     * ThreatConnect answered a page of {@code poll} with this {@code Date} header (null or
     * unreadable: nothing to learn) when this host's clock read {@code hostNow}.
     */
    void answered(Poll poll, String date, Instant hostNow) {
        if (date == null) {
            return;
        }
        Instant serverNow;
        try {
            serverNow = DateTimeFormatter.RFC_1123_DATE_TIME.parse(date.strip(), Instant::from);
        } catch (DateTimeParseException unreadable) {
            LOG.debug("Monitor '{}': ThreatConnect's Date header '{}' is not an HTTP date", monitor, date);
            return;
        }
        poll.endNoLaterThan(serverNow.plus(TOLERANCE));
        Duration skew = Duration.between(serverNow, hostNow);
        boolean beyond = skew.abs().compareTo(limit) > 0;
        poll.clockSkew(skew, beyond);
        synchronized (this) {
            if (beyond && !skewed) {
                LOG.warn("Monitor '{}': this host's clock is {} s {} ThreatConnect's (its Date header), more than half of"
                        + " monitor.overlap ({}){}; set this host's clock right (NTP)", monitor, skew.abs().toSeconds(),
                        skew.isNegative() ? "behind" : "ahead of", overlap,
                        skew.isNegative() ? "" : ": windows end at ThreatConnect's time, not this host's");
            } else if (!beyond && skewed) {
                LOG.info("Monitor '{}': this host's clock agrees with ThreatConnect's again ({} s apart)", monitor,
                        skew.abs().toSeconds());
            }
            skewed = beyond;
        }
    }
}

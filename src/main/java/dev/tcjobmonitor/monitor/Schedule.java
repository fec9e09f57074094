package dev.tcjobmonitor.monitor;

import java.text.ParseException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Date;
import java.util.Optional;
import java.util.TimeZone;
import org.quartz.CronExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A monitor's cron schedule, checked at start-up, and the retry policy that must fit inside it:
 * a poll that retries past its cron period would collide with the next one.
 */
final class Schedule {

    private static final Logger LOG = LoggerFactory.getLogger(Schedule.class);

    private Schedule() {
    }

    static RetryPolicy retryPolicy(String monitor, String cron, String timeZone, String initialDelay, String maxDelay,
                                   String retryAfterCap, String budget, Clock clock) {
        Optional<Duration> period = period(monitor, cron, timeZone, clock);
        Duration wanted = MonitorSettings.duration(monitor, "tc.retry-budget", budget);
        Duration effective = wanted;
        if (period.isPresent() && wanted.compareTo(period.get().dividedBy(2)) > 0) {
            effective = period.get().dividedBy(2);
            LOG.info("Monitor '{}': tc.retry-budget {} is capped to {}, half the cron period, so a poll never runs into the next",
                    monitor, wanted, effective);
        }
        return new RetryPolicy(MonitorSettings.duration(monitor, "tc.retry-initial-delay", initialDelay),
                MonitorSettings.duration(monitor, "tc.retry-max-delay", maxDelay),
                MonitorSettings.duration(monitor, "tc.retry-after-cap", retryAfterCap), effective);
    }

    /** Blind after {@code maxPollAge} (default: three cron periods) or {@code maxFailedPolls} failures in a row. */
    static HealthRules healthRules(String monitor, String cron, String timeZone, String maxPollAge, String maxFailedPolls,
                                   Clock clock) {
        Duration age;
        if (maxPollAge == null || maxPollAge.isBlank()) {
            age = period(monitor, cron, timeZone, clock).map(p -> p.multipliedBy(3)).orElse(Duration.ofDays(36500));
        } else {
            age = MonitorSettings.duration(monitor, "monitor.health.max-poll-age", maxPollAge);
        }
        int failures;
        try {
            failures = Integer.parseInt(maxFailedPolls == null ? "" : maxFailedPolls.strip());
        } catch (NumberFormatException e) {
            throw new SettingException(monitor, "monitor.health.max-failed-polls", "'" + maxFailedPolls + "' is not a whole number");
        }
        if (failures < 1) {
            throw new SettingException(monitor, "monitor.health.max-failed-polls", "must be at least 1");
        }
        return new HealthRules(age, failures);
    }

    /** The shortest gap between the next few fires, or empty when the schedule fires at most once more. */
    static Optional<Duration> period(String monitor, String cron, String timeZone, Clock clock) {
        CronExpression expression;
        try {
            expression = new CronExpression(cron == null ? "" : cron.strip());
        } catch (ParseException e) {
            throw new SettingException(monitor, "cron (monitor.cron)", "'" + cron + "' is not a Quartz cron expression ("
                    + e.getMessage() + "); it has seconds first, e.g. 0 0/5 * * * ?");
        }
        try {
            expression.setTimeZone(TimeZone.getTimeZone(ZoneId.of(timeZone == null ? "" : timeZone.strip())));
        } catch (DateTimeException e) {
            throw new SettingException(monitor, "timeZone (monitor.time-zone)", "'" + timeZone + "' is not a time zone such as UTC or Europe/Berlin");
        }
        Date previous = expression.getNextValidTimeAfter(Date.from(clock.instant()));
        Duration shortest = null;
        for (int i = 0; i < 5 && previous != null; i++) {
            Date next = expression.getNextValidTimeAfter(previous);
            if (next != null) {
                Duration gap = Duration.between(previous.toInstant(), next.toInstant());
                shortest = shortest == null || gap.compareTo(shortest) < 0 ? gap : shortest;
            }
            previous = next;
        }
        return Optional.ofNullable(shortest);
    }
}

package dev.tcjobmonitor.monitor;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Where a backfill's window starts: a fixed instant, or a duration before the poll. */
public record Backfill(Instant at, Duration before) {

    /** @throws SettingException naming --since when the text is neither */
    public static Backfill parse(String text) {
        String value = text.strip();
        try {
            return new Backfill(Instant.parse(value), null);
        } catch (DateTimeParseException notAnInstant) {
            try {
                Duration duration = Duration.parse(value);
                if (duration.isNegative() || duration.isZero()) {
                    throw new IllegalArgumentException("invalid setting --since (monitor.since): " + "'" + text + "' must be a positive duration");
                }
                return new Backfill(null, duration);
            } catch (DateTimeParseException notADuration) {
                throw new IllegalArgumentException("invalid setting --since (monitor.since): " + "'" + text + "' is neither an ISO-8601 instant (2026-11-01T00:00:00Z) nor a duration (P7D, PT12H)");
            }
        }
    }

    /**
     * The WHEN of a command-line option other than --since ({@code --rewind}): the same two forms.
     *
     * @throws IllegalArgumentException naming the option and the text when it is neither
     */
    public static Backfill parse(String option, String text) {
        String value = text.strip();
        try {
            return new Backfill(Instant.parse(value), null);
        } catch (DateTimeParseException notAnInstant) {
            try {
                Duration duration = Duration.parse(value);
                if (!duration.isNegative() && !duration.isZero()) {
                    return new Backfill(null, duration);
                }
            } catch (DateTimeParseException notADuration) {
                // said below
            }
            throw new IllegalArgumentException("'" + option + " " + text + "' is neither an ISO-8601 instant"
                    + " (2026-11-01T00:00:00Z) nor a positive duration before now (P7D, PT12H)");
        }
    }

    public Instant from(Instant now) {
        return at != null ? at : now.minus(before);
    }
}

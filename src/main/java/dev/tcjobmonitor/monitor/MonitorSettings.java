package dev.tcjobmonitor.monitor;

import dev.tcjobmonitor.threatconnect.ApiEndpoint;
import dev.tcjobmonitor.threatconnect.HmacSigner;
import dev.tcjobmonitor.threatconnect.RequestSigner;
import dev.tcjobmonitor.threatconnect.TokenSigner;
import dev.tcjobmonitor.threatconnect.Tql;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * One monitor's settings, checked once at start-up. Raw values arrive as text, read by name from
 * the Kamelet's parameters and the host's properties ({@link MonitorParameters}); every problem
 * becomes a {@link SettingException} that names the setting (the parameter and the property it
 * defaults to).
 */
public record MonitorSettings(
        String name,
        ApiEndpoint endpoint,
        RequestSigner signer,
        Duration lookback,
        Duration overlap,
        List<String> statuses,
        String timeField,
        List<Long> jobIds,
        List<Long> excludeJobIds,
        String extraTql,
        int pageSize,
        List<String> sinks,
        Duration deadLetterAfter,
        Duration deliveredRetention,
        int maxPages) {

    /** ThreatConnect's {@code resultLimit} maximum. */
    public static final int MAX_PAGE_SIZE = 10_000;
    /**
     * The longest duration setting: a time this far back (or ahead) is still one ThreatConnect's
     * TQL, the state stores and Java's clock arithmetic all hold; far longer ones parse, but make
     * every poll fail (a window starting millions of years ago) or overflow.
     */
    static final Duration MAX_DURATION = Duration.ofDays(36_500);

    /** The default bound of a poll's pages ({@code monitor.max-pages}): enough for this many executions. */
    private static final int MAX_PAGES_EXECUTIONS = 1_000_000;

    /**
     * Checks the Kamelet's parameters as its bean {@code tcMonitor} received them: the one place
     * where a parameter's name becomes a setting (and a refusal names both).
     */
    static MonitorSettings parse(MonitorParameters raw, Clock clock) {
        String name = trim(raw.parameter("name"));
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new SettingException(name, "name",
                    "'" + name + "' must be 1-64 letters, digits, '.', '_' or '-' (it names the state folder)");
        }
        ApiEndpoint endpoint;
        try {
            endpoint = ApiEndpoint.of(raw.parameter("baseUrl"));
        } catch (IllegalArgumentException e) {
            throw new SettingException(name, "baseUrl (tc.base-url)", e.getMessage());
        }
        boolean insecureHttpAllowed = flag(name, "tc.allow-insecure-http", raw.host("tc.allow-insecure-http", "false"));
        if (endpoint.cleartextBeyondLoopback() && !insecureHttpAllowed) {
            throw new SettingException(name, "baseUrl (tc.base-url)", "'" + endpoint + "' would send the credentials"
                    + " in clear text to " + endpoint.host() + ": use https://, or set tc.allow-insecure-http=true"
                    + " (http:// is for loopback only: 127.0.0.0/8, ::1, localhost)");
        }
        Duration lookback = duration(name, "lookback (monitor.lookback)", raw.parameter("lookback"));
        Duration overlap = positive(name, "overlap (monitor.overlap)", raw.parameter("overlap"),
                "a window that does not reach back misses the failures ThreatConnect records late; the default is PT10M");
        List<String> statuses = list(raw.parameter("statuses"));
        if (statuses.isEmpty()) {
            throw new SettingException(name, "statuses (monitor.statuses)", "is empty; the default is Failed");
        }
        String timeField = trim(raw.parameter("timeField"));
        if (!timeField.matches("[A-Za-z][A-Za-z0-9_]*")) {
            throw new SettingException(name, "timeField (monitor.time-field)",
                    "'" + timeField + "' is not a TQL field name such as failedTime");
        }
        int pageSize = pageSize(name, raw.parameter("pageSize"));
        return new MonitorSettings(name, endpoint, signer(name, raw, clock), lookback, overlap, statuses, timeField,
                ids(name, "jobIds (monitor.job-ids)", raw.parameter("jobIds")),
                ids(name, "excludeJobIds (monitor.exclude-job-ids)", raw.parameter("excludeJobIds")),
                extraTql(name, raw.parameter("extraTql")), pageSize, sinks(name, raw.parameter("sinks")),
                positive(name, "deadLetterAfter (monitor.dead-letter-after)", raw.parameter("deadLetterAfter"),
                        "every alert a sink refuses once would go straight to the dead letter; the default is PT24H"),
                deliveredRetention(name, raw.host("monitor.delivered-retention", "P30D"), overlap),
                maxPages(name, raw.parameter("maxPages"), pageSize));
    }

    /**
     * How long a sink's delivered ids are kept, counted from the failure's time: at least the
     * overlap, or the next window would return failures whose ids were already forgotten, and
     * send them again.
     */
    private static Duration deliveredRetention(String name, String text, Duration overlap) {
        String setting = "monitor.delivered-retention";
        Duration retention = duration(name, setting, text);
        if (retention.compareTo(overlap) < 0) {
            throw new SettingException(name, setting, "'" + trim(text) + "' is shorter than the overlap (" + overlap
                    + "): each window reaches back that far and must still know what it delivered; the default is P30D");
        }
        return retention;
    }

    private static RequestSigner signer(String name, MonitorParameters raw, Clock clock) {
        String accessId = trim(raw.parameter("accessId"));
        String secretKey = trim(raw.parameter("secretKey"));
        String apiToken = trim(raw.parameter("apiToken"));
        boolean hmac = !accessId.isEmpty() || !secretKey.isEmpty();
        boolean token = !apiToken.isEmpty();
        String setting = "accessId/secretKey (tc.access-id, tc.secret-key) or apiToken (tc.api-token)";
        if (hmac && token) {
            throw new SettingException(name, setting, "both an access id/secret key and an API token are set; keep one");
        }
        if (token) {
            return new TokenSigner(apiToken);
        }
        if (!hmac) {
            throw new SettingException(name, setting, "no credentials are set; set an API user's access id and secret key, or an API token");
        }
        if (accessId.isEmpty() || secretKey.isEmpty()) {
            throw new SettingException(name, setting, "HMAC needs both the access id and the secret key");
        }
        return new HmacSigner(accessId, secretKey, clock);
    }

    /** An ISO-8601 duration setting, not negative, at most 100 years; the message names the setting. */
    static Duration duration(String name, String setting, String text) {
        Duration duration;
        try {
            duration = Duration.parse(trim(text));
        } catch (DateTimeParseException e) {
            throw new SettingException(name, setting, "'" + text + "' is not an ISO-8601 duration such as PT1H or PT10M");
        }
        if (duration.isNegative()) {
            throw new SettingException(name, setting, "'" + text + "' is negative");
        }
        if (duration.compareTo(MAX_DURATION) > 0) {
            throw new SettingException(name, setting, "'" + text + "' is longer than 100 years (P36500D), more than any"
                    + " time ThreatConnect can be asked about");
        }
        return duration;
    }

    /** As {@link #duration}, and longer than zero: {@code why} says what zero would do. */
    private static Duration positive(String name, String setting, String text, String why) {
        Duration duration = duration(name, setting, text);
        if (duration.isZero()) {
            throw new SettingException(name, setting, "'" + text + "' must be longer than zero: " + why);
        }
        return duration;
    }

    /** The extra TQL clause: whatever it says, it must stay one clause inside the parentheses it is put in. */
    private static String extraTql(String name, String text) {
        String clause = trim(text);
        String problem = Tql.unbalanced(clause);
        if (problem != null) {
            throw new SettingException(name, "extraTql (monitor.extra-tql)", problem
                    + ": it is AND-ed to the query in parentheses, and must not close them");
        }
        return clause;
    }

    /** true or false; empty is false. */
    static boolean flag(String name, String setting, String text) {
        String value = trim(text);
        if (value.isEmpty() || value.equalsIgnoreCase("false")) {
            return false;
        }
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        throw new SettingException(name, setting, "'" + value + "' is neither true nor false");
    }

    /** {@code monitor.max-pages}, or the pages a million executions take at this page size. */
    private static int maxPages(String name, String text, int pageSize) {
        if (text == null || text.isBlank()) {
            return (MAX_PAGES_EXECUTIONS + pageSize - 1) / pageSize;
        }
        try {
            int pages = Integer.parseInt(text.strip());
            if (pages >= 1) {
                return pages;
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw new SettingException(name, "maxPages (monitor.max-pages)", "'" + text.strip()
                + "' is not a whole number of pages of at least 1 (empty: enough for a million executions)");
    }

    private static int pageSize(String name, String text) {
        String setting = "pageSize (monitor.page-size)";
        int size;
        try {
            size = Integer.parseInt(trim(text));
        } catch (NumberFormatException e) {
            throw new SettingException(name, setting, "'" + text + "' is not a whole number");
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new SettingException(name, setting, size + " is outside 1.." + MAX_PAGE_SIZE + " (ThreatConnect's resultLimit maximum)");
        }
        return size;
    }

    private static List<Long> ids(String name, String setting, String text) {
        List<Long> ids = new ArrayList<>();
        for (String item : list(text)) {
            if (!item.matches("\\d{1,18}")) {
                throw new SettingException(name, setting, "'" + item + "' is not a job id (a whole number)");
            }
            ids.add(Long.parseLong(item));
        }
        return List.copyOf(ids);
    }

    private static List<String> sinks(String name, String text) {
        List<String> sinks = list(text);
        if (sinks.isEmpty()) {
            throw new SettingException(name, "sinks", "is empty; name at least one sink, e.g. file");
        }
        // which sinks exist is known only once the routes are there: SinkRoutes.check
        return sinks;
    }

    private static List<String> list(String text) {
        return List.copyOf(new LinkedHashSet<>(Arrays.stream(trim(text).split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList()));
    }

    private static String trim(String text) {
        return text == null ? "" : text.strip();
    }
}

package dev.tcjobmonitor.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tcjobmonitor.threatconnect.HmacSigner;
import dev.tcjobmonitor.threatconnect.TokenSigner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checking one monitor's settings at start-up. */
class MonitorSettingsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-04-10T12:00:00Z"), ZoneOffset.UTC);
    private static final String SECRET = "S3cr3t-Value-XYZ";

    /** Mutable copy of the raw text values; every test starts from a valid HMAC monitor. */
    private static final class Settings {
        String name = "prod";
        String baseUrl = "https://app.threatconnect.com/api";
        String accessId = "12345678901234567890";
        String secretKey = SECRET;
        String apiToken = "";
        String lookback = "PT1H";
        String overlap = "PT10M";
        String statuses = "Failed";
        String timeField = "failedTime";
        String jobIds = "";
        String excludeJobIds = "";
        String extraTql = "";
        String pageSize = "500";
        String sinks = "file";
        String deadLetterAfter = "PT24H";
        String allowInsecureHttp = "false";
        String deliveredRetention = "P30D";

        /** As the bean tcMonitor reads them: the Kamelet's parameters and the host's properties by name. */
        MonitorParameters raw() {
            Map<String, String> parameters = new HashMap<>();
            parameters.put("name", name);
            parameters.put("baseUrl", baseUrl);
            parameters.put("accessId", accessId);
            parameters.put("secretKey", secretKey);
            parameters.put("apiToken", apiToken);
            parameters.put("lookback", lookback);
            parameters.put("overlap", overlap);
            parameters.put("statuses", statuses);
            parameters.put("timeField", timeField);
            parameters.put("jobIds", jobIds);
            parameters.put("excludeJobIds", excludeJobIds);
            parameters.put("extraTql", extraTql);
            parameters.put("pageSize", pageSize);
            parameters.put("sinks", sinks);
            parameters.put("deadLetterAfter", deadLetterAfter);
            return MonitorParameters.of(parameters, Map.of("tc.allow-insecure-http", allowInsecureHttp,
                    "monitor.delivered-retention", deliveredRetention));
        }
    }

    private static MonitorSettings parse(UnaryOperator<Settings> change) {
        return MonitorSettings.parse(change.apply(new Settings()).raw(), CLOCK);
    }

    private static Settings token(Settings s) {
        s.accessId = "";
        s.secretKey = "";
        s.apiToken = SECRET;
        return s;
    }

    /** A refusal, which must name the setting and never show a credential. */
    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(UnaryOperator<Settings> change) {
        return assertThatThrownBy(() -> parse(change))
                .isInstanceOf(SettingException.class)
                .hasMessageContaining("prod")
                .hasMessageNotContaining(SECRET);
    }

    @Nested
    class ValidSettings {

        @Test
        void hmacSettingsParse() {
            MonitorSettings settings = parse(s -> s);

            assertThat(settings.name()).isEqualTo("prod");
            assertThat(settings.endpoint().baseUrl()).isEqualTo("https://app.threatconnect.com/api");
            assertThat(settings.signer()).isInstanceOf(HmacSigner.class);
            assertThat(settings.lookback()).isEqualTo(Duration.ofHours(1));
            assertThat(settings.overlap()).isEqualTo(Duration.ofMinutes(10));
            assertThat(settings.statuses()).containsExactly("Failed");
            assertThat(settings.timeField()).isEqualTo("failedTime");
            assertThat(settings.jobIds()).isEmpty();
            assertThat(settings.excludeJobIds()).isEmpty();
            assertThat(settings.extraTql()).isEmpty();
            assertThat(settings.pageSize()).isEqualTo(500);
            assertThat(settings.sinks()).containsExactly("file");
        }

        @Test
        void hmacSignerUsesTheAccessIdAndTheClock() {
            MonitorSettings settings = parse(s -> s);

            assertThat(settings.signer().sign("GET", "/api/v3/job/executions"))
                    .containsEntry("Timestamp", String.valueOf(CLOCK.instant().getEpochSecond()))
                    .hasEntrySatisfying("Authorization", value -> assertThat(value).startsWith("TC 12345678901234567890:"));
        }

        @Test
        void tokenSettingsParse() {
            MonitorSettings settings = parse(MonitorSettingsTest::token);

            assertThat(settings.signer()).isInstanceOf(TokenSigner.class);
            assertThat(settings.signer().sign("GET", "/api/v3/job/executions"))
                    .containsEntry("Authorization", "TC-Token " + SECRET);
        }

        @Test
        void valuesAreTrimmed() {
            MonitorSettings settings = parse(s -> {
                s.name = " prod ";
                s.baseUrl = " https://tc.example/api/ ";
                s.lookback = " PT2H ";
                s.pageSize = " 100 ";
                s.sinks = " file ";
                s.extraTql = "  jobId > 1  ";
                return s;
            });

            assertThat(settings.name()).isEqualTo("prod");
            assertThat(settings.endpoint().baseUrl()).isEqualTo("https://tc.example/api");
            assertThat(settings.lookback()).isEqualTo(Duration.ofHours(2));
            assertThat(settings.pageSize()).isEqualTo(100);
            assertThat(settings.sinks()).containsExactly("file");
            assertThat(settings.extraTql()).isEqualTo("jobId > 1");
        }

        /** Plain http never leaves the host: a local simulator or a tunnel's local end. */
        @ParameterizedTest
        @ValueSource(strings = {"http://localhost:8089/api", "http://LOCALHOST/api", "http://127.0.0.1:8089/api",
                "http://127.10.20.30/api", "http://[::1]:8089/api", "http://[0:0:0:0:0:0:0:1]/api"})
        void httpIsAcceptedToLoopback(String baseUrl) {
            MonitorSettings settings = parse(s -> {
                s.baseUrl = baseUrl;
                return s;
            });

            assertThat(settings.endpoint().baseUrl()).isEqualTo(baseUrl);
            assertThat(settings.endpoint().cleartextBeyondLoopback()).isFalse();
        }

        @Test
        void httpBeyondLoopbackIsAcceptedWhenAllowedOnPurpose() {
            MonitorSettings settings = parse(s -> {
                s.baseUrl = "http://tc.example.org/api";
                s.allowInsecureHttp = " TRUE ";
                return s;
            });

            // JobMonitor warns at every start when this is true
            assertThat(settings.endpoint().cleartextBeyondLoopback()).isTrue();
            assertThat(settings.endpoint().host()).isEqualTo("tc.example.org");
        }

        @ParameterizedTest
        @ValueSource(strings = {"1", "10000"})
        void pageSizeLimitsAreInclusive(String pageSize) {
            assertThat(parse(s -> {
                s.pageSize = pageSize;
                return s;
            }).pageSize()).isEqualTo(Integer.parseInt(pageSize));
        }

        @Test
        void jobIdsAreACommaSeparatedList() {
            MonitorSettings settings = parse(s -> {
                s.jobIds = "1, 2,3";
                s.excludeJobIds = " 40 ,50 ";
                return s;
            });

            assertThat(settings.jobIds()).containsExactly(1L, 2L, 3L);
            assertThat(settings.excludeJobIds()).containsExactly(40L, 50L);
        }

        @Test
        void jobIdListsDropBlanksAndRepeats() {
            MonitorSettings settings = parse(s -> {
                s.jobIds = " ,1,,2,1, ";
                return s;
            });

            assertThat(settings.jobIds()).containsExactly(1L, 2L);
        }

        @Test
        void jobIdsMayBeLarge() {
            assertThat(parse(s -> {
                s.jobIds = "123456789012345678";
                return s;
            }).jobIds()).containsExactly(123456789012345678L);
        }

        @Test
        void missingJobIdsMeanNoFilter() {
            MonitorSettings settings = parse(s -> {
                s.jobIds = null;
                s.excludeJobIds = "   ";
                return s;
            });

            assertThat(settings.jobIds()).isEmpty();
            assertThat(settings.excludeJobIds()).isEmpty();
        }

        @Test
        void statusesAreAList() {
            assertThat(parse(s -> {
                s.statuses = "Failed, Timeout";
                return s;
            }).statuses()).containsExactly("Failed", "Timeout");
        }

        @Test
        void aZeroLookbackIsAllowed() {
            // the first poll then starts from now: nothing before the monitor's first start is sent
            MonitorSettings settings = parse(s -> {
                s.lookback = "PT0S";
                return s;
            });

            assertThat(settings.lookback()).isZero();
        }

        @Test
        void durationsUpToAHundredYearsAreAllowed() {
            MonitorSettings settings = parse(s -> {
                s.lookback = "P36500D";
                s.overlap = "P36500D";
                s.deadLetterAfter = "P36500D";
                s.deliveredRetention = "P36500D";
                return s;
            });

            assertThat(List.of(settings.lookback(), settings.overlap(), settings.deadLetterAfter(), settings.deliveredRetention()))
                    .containsOnly(Duration.ofDays(36_500));
        }

        @ParameterizedTest
        @ValueSource(strings = {"serverName = \"tc-job\"", "(jobId = 1 OR jobId = 2) AND serverName = \"a\"",
                "serverName = \"a) OR (b\"", "serverName = 'x)'", "serverName = \"say \\\"hi)\\\"\""})
        void extraTqlWithBalancedParenthesesIsKeptAsWritten(String clause) {
            // a parenthesis inside a quoted string is text, not structure
            assertThat(parse(s -> {
                s.extraTql = clause;
                return s;
            }).extraTql()).isEqualTo(clause);
        }

        @Test
        void nameMayUseLettersDigitsDotsDashesAndUnderscores() {
            assertThat(parse(s -> {
                s.name = "Prod_eu-1.jobs";
                return s;
            }).name()).isEqualTo("Prod_eu-1.jobs");
        }

        @Test
        void parsedSettingsDoNotShowTheSecretWhenPrinted() {
            assertThat(parse(s -> s).toString()).doesNotContain(SECRET);
            assertThat(parse(MonitorSettingsTest::token).toString()).doesNotContain(SECRET);
        }

        @Test
        void rawSettingsDoNotShowTheSecretWhenPrinted() {
            assertThat(new Settings().raw().toString()).doesNotContain(SECRET);
            assertThat(token(new Settings()).raw().toString()).doesNotContain(SECRET);
        }
    }

    @Nested
    class Credentials {

        @Test
        void bothHmacAndTokenAreRefused() {
            assertRefused(s -> {
                s.apiToken = "another-" + SECRET;
                return s;
            }).hasMessageContaining("tc.api-token").hasMessageContaining("both");
        }

        @Test
        void noCredentialsAreRefused() {
            assertRefused(s -> {
                s.accessId = "";
                s.secretKey = null;
                s.apiToken = "  ";
                return s;
            }).hasMessageContaining("tc.access-id").hasMessageContaining("tc.api-token");
        }

        @Test
        void accessIdWithoutSecretKeyIsRefused() {
            assertRefused(s -> {
                s.secretKey = " ";
                return s;
            }).hasMessageContaining("tc.secret-key");
        }

        @Test
        void secretKeyWithoutAccessIdIsRefused() {
            assertRefused(s -> {
                s.accessId = "";
                return s;
            }).hasMessageContaining("tc.access-id");
        }

        @Test
        void noRefusalEverShowsTheSecretKeyOrToken() {
            List<UnaryOperator<Settings>> mistakes = List.of(
                    s -> { s.apiToken = SECRET; return s; },
                    s -> { s.accessId = ""; return s; },
                    s -> { s.accessId = SECRET; s.secretKey = ""; return s; },
                    s -> { token(s); s.accessId = "id"; return s; },
                    s -> { token(s); s.pageSize = "0"; return s; },
                    s -> { s.name = "a/b"; return s; },
                    s -> { s.baseUrl = "ftp://x"; return s; },
                    s -> { s.lookback = "1h"; return s; },
                    s -> { s.overlap = "-PT1M"; return s; },
                    s -> { s.statuses = ""; return s; },
                    s -> { s.timeField = "failed time"; return s; },
                    s -> { s.jobIds = "12a"; return s; },
                    s -> { s.excludeJobIds = "x"; return s; },
                    s -> { s.pageSize = "abc"; return s; },
                    s -> { s.sinks = " , "; return s; });

            for (UnaryOperator<Settings> mistake : mistakes) {
                Throwable refusal = catchThrowable(() -> parse(mistake));
                assertThat(refusal).isInstanceOf(SettingException.class);
                assertThat(refusal.getMessage()).doesNotContain(SECRET);
                assertThat(refusal.toString()).doesNotContain(SECRET);
                assertThat(refusal.getCause()).isNull();
            }
        }

        @Test
        void baseUrlWithACredentialIsRefusedWithoutShowingIt() {
            assertRefused(s -> {
                s.baseUrl = "https://api-user:" + SECRET + "@tc.example/api";
                return s;
            }).hasMessageContaining("tc.base-url");
        }
    }

    @Nested
    class PageSize {

        @ParameterizedTest
        @ValueSource(strings = {"10001", "0", "-1", "abc", "1.5", "", "99999999999"})
        void outsideOneToTenThousandIsRefused(String pageSize) {
            assertRefused(s -> {
                s.pageSize = pageSize;
                return s;
            }).hasMessageContaining("monitor.page-size");
        }

        @Test
        void refusalSaysTheLimit() {
            assertRefused(s -> {
                s.pageSize = "10001";
                return s;
            }).hasMessageContaining("10000");
        }
    }

    @Nested
    class JobIds {

        @ParameterizedTest
        @ValueSource(strings = {"12a", "1.5", "-3", "1, two", "1;2", "1234567890123456789"})
        void notWholeNumbersAreRefused(String jobIds) {
            assertRefused(s -> {
                s.jobIds = jobIds;
                return s;
            }).hasMessageContaining("monitor.job-ids");
        }

        @ParameterizedTest
        @ValueSource(strings = {"12a", "1.5", "-3"})
        void excludedIdsThatAreNotWholeNumbersAreRefused(String ids) {
            assertRefused(s -> {
                s.excludeJobIds = ids;
                return s;
            }).hasMessageContaining("monitor.exclude-job-ids");
        }

        @Test
        void refusalQuotesTheBadItem() {
            assertRefused(s -> {
                s.jobIds = "1, 12a, 3";
                return s;
            }).hasMessageContaining("'12a'");
        }
    }

    @Nested
    class Durations {

        @ParameterizedTest
        @ValueSource(strings = {"1h", "60", "", "P1H", "-PT1H"})
        void badLookbackIsRefused(String lookback) {
            assertRefused(s -> {
                s.lookback = lookback;
                return s;
            }).hasMessageContaining("monitor.lookback");
        }

        @ParameterizedTest
        @ValueSource(strings = {"10m", "PT", "-PT10M"})
        void badOverlapIsRefused(String overlap) {
            assertRefused(s -> {
                s.overlap = overlap;
                return s;
            }).hasMessageContaining("monitor.overlap");
        }

        /** What zero would do: a window that never reaches back, a dead letter at the first refusal. */
        @ParameterizedTest
        @ValueSource(strings = {"monitor.overlap", "monitor.dead-letter-after"})
        void zeroIsRefusedWhereItWouldLoseOrGiveUpOnFailures(String setting) {
            assertRefused(s -> set(s, setting, "PT0S")).hasMessageContaining(setting)
                    .hasMessageContaining("'PT0S' must be longer than zero");
        }

        /** P999999999D parses, but a window starting millions of years ago fails every poll. */
        @ParameterizedTest
        @ValueSource(strings = {"monitor.lookback", "monitor.overlap", "monitor.dead-letter-after", "monitor.delivered-retention"})
        void durationsBeyondAHundredYearsAreRefused(String setting) {
            for (String huge : List.of("P999999999D", "P36501D", "PT9223372036854775807S")) {
                assertRefused(s -> set(s, setting, huge)).hasMessageContaining(setting)
                        .hasMessageContaining("'" + huge + "' is longer than 100 years");
            }
        }

        private static Settings set(Settings s, String setting, String value) {
            switch (setting) {
                case "monitor.lookback" -> s.lookback = value;
                case "monitor.overlap" -> s.overlap = value;
                case "monitor.dead-letter-after" -> s.deadLetterAfter = value;
                case "monitor.delivered-retention" -> s.deliveredRetention = value;
                default -> throw new IllegalArgumentException(setting);
            }
            return s;
        }

        @Test
        void deliveredRetentionIsAnIsoDurationKeptAsGiven() {
            assertThat(parse(s -> {
                s.deliveredRetention = " P7D ";
                return s;
            }).deliveredRetention()).isEqualTo(Duration.ofDays(7));
        }

        @ParameterizedTest
        @ValueSource(strings = {"30 days", "P30", "", "-P30D"})
        void badDeliveredRetentionIsRefused(String retention) {
            assertRefused(s -> {
                s.deliveredRetention = retention;
                return s;
            }).hasMessageStartingWith("invalid setting monitor.delivered-retention of monitor 'prod': ");
        }

        /** Shorter than the overlap: the next window would return failures whose ids are already forgotten. */
        @Test
        void deliveredRetentionShorterThanTheOverlapIsRefused() {
            assertRefused(s -> {
                s.overlap = "PT10M";
                s.deliveredRetention = "PT9M";
                return s;
            }).hasMessage("invalid setting monitor.delivered-retention of monitor 'prod': 'PT9M' is shorter than the"
                    + " overlap (PT10M): each window reaches back that far and must still know what it delivered;"
                    + " the default is P30D");
        }

        @Test
        void deliveredRetentionAsLongAsTheOverlapIsEnough() {
            assertThat(parse(s -> {
                s.overlap = "PT10M";
                s.deliveredRetention = "PT10M";
                return s;
            }).deliveredRetention()).isEqualTo(Duration.ofMinutes(10));
        }

        @Test
        void missingLookbackIsRefused() {
            assertRefused(s -> {
                s.lookback = null;
                return s;
            }).hasMessageContaining("monitor.lookback");
        }
    }

    @Nested
    class OtherSettings {

        // whether a named sink exists is known from the routes present: SinkRoutesTest

        @ParameterizedTest
        @ValueSource(strings = {"", " , "})
        void noSinkIsRefused(String sinks) {
            assertRefused(s -> {
                s.sinks = sinks;
                return s;
            }).hasMessageContaining("sinks");
        }

        @ParameterizedTest
        @ValueSource(strings = {"ftp://x", "not a url", "", "   ", "app.threatconnect.com/api",
                "https://tc.example/api?x=1", "https://tc.example/api#top", "https:///api"})
        void badBaseUrlIsRefused(String baseUrl) {
            assertRefused(s -> {
                s.baseUrl = baseUrl;
                return s;
            }).hasMessageContaining("tc.base-url");
        }

        /**
         * A token or HMAC signature over plain http can be read (and, for a token, replayed) by
         * anyone on the path. Names are not resolved: one that merely starts like loopback is not.
         */
        @ParameterizedTest
        @ValueSource(strings = {"http://tc.example.org/api", "http://10.0.0.5:8080/api", "http://127.0.0.1.example.org/api",
                "http://localhost.example.org/api", "http://[::2]/api", "http://0.0.0.0/api", "HTTP://tc.example.org/api"})
        void httpBeyondLoopbackIsRefused(String baseUrl) {
            assertRefused(s -> {
                s.baseUrl = baseUrl;
                return s;
            }).hasMessageContaining("tc.base-url").hasMessageContaining("in clear text")
                    .hasMessageContaining("tc.allow-insecure-http=true");
        }

        @Test
        void allowInsecureHttpMustBeTrueOrFalse() {
            assertRefused(s -> {
                s.baseUrl = "http://tc.example.org/api";
                s.allowInsecureHttp = "yes";
                return s;
            }).hasMessageContaining("tc.allow-insecure-http").hasMessageContaining("'yes'");
        }

        @Test
        void missingBaseUrlIsRefused() {
            assertRefused(s -> {
                s.baseUrl = null;
                return s;
            }).hasMessageContaining("tc.base-url");
        }

        @ParameterizedTest
        @ValueSource(strings = {"a/b", "../x", "", ".hidden", "-x", "a b",
                "a1234567890123456789012345678901234567890123456789012345678901234"})
        void badMonitorNameIsRefused(String name) {
            assertThatThrownBy(() -> parse(s -> {
                s.name = name;
                return s;
            }))
                    .isInstanceOf(SettingException.class)
                    .hasMessageContaining("name")
                    .hasMessageContaining("state folder");
        }

        @Test
        void sixtyFourCharacterNameIsAccepted() {
            String name = "a".repeat(64);
            assertThat(parse(s -> {
                s.name = name;
                return s;
            }).name()).isEqualTo(name);
        }

        @Test
        void emptyStatusesAreRefused() {
            assertRefused(s -> {
                s.statuses = " , ";
                return s;
            }).hasMessageContaining("monitor.statuses");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "failed time", "1failedTime", "failedTime)"})
        void badTimeFieldIsRefused(String timeField) {
            assertRefused(s -> {
                s.timeField = timeField;
                return s;
            }).hasMessageContaining("monitor.time-field");
        }

        /** The clause is put in parentheses and AND-ed: one that closes them would OR its way out. */
        @ParameterizedTest
        @ValueSource(strings = {"jobId = 1) OR (jobId > 0", "a)", ") OR (b", "(a", "((a) OR b", "serverName = \"open"})
        void extraTqlThatCouldEscapeItsParenthesesIsRefused(String clause) {
            assertRefused(s -> {
                s.extraTql = clause;
                return s;
            }).hasMessageContaining("monitor.extra-tql").hasMessageContaining("'" + clause + "'")
                    .hasMessageContaining("must not close them");
        }

        @Test
        void settingExceptionIsAnIllegalArgumentException() {
            assertThat(catchThrowable(() -> parse(s -> {
                s.pageSize = "0";
                return s;
            }))).isInstanceOf(IllegalArgumentException.class);
        }
    }
}

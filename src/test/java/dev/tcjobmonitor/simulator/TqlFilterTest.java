package dev.tcjobmonitor.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.function.Predicate;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The simulator's TQL, as a specification. The clock is fixed at 2024-04-10T12:00:00Z. */
class TqlFilterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2024-04-10T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** A failed execution of job 17 that failed at 10:30Z, one and a half hours before the clock. */
    private static final String FAILED = """
            {"id": 10, "jobId": 17, "status": "Failed", "exitMessage": "boom",
             "serverName": "tc-worker-1", "queueTime": "2024-04-10T10:29:00Z",
             "startTime": "2024-04-10T10:30:00Z", "failedTime": "2024-04-10T10:30:00Z"}""";

    private static boolean matches(String tql, String executionJson) {
        return TqlFilter.compile(tql, CLOCK).test(json(executionJson));
    }

    private static String failedAt(String failedTime) {
        return "{\"id\": 1, \"jobId\": 17, \"status\": \"Failed\", \"failedTime\": \"" + failedTime + "\"}";
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AssertionError("bad test JSON: " + text, e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void emptyQueryMatchesEverything(String tql) {
        assertThat(matches(tql, FAILED)).isTrue();
        assertThat(matches(tql, "{}")).isTrue();
    }

    @Test
    void nullQueryMatchesEverything() {
        assertThat(TqlFilter.compile(null, CLOCK).test(json("{}"))).isTrue();
    }

    @Nested
    class Numbers {

        @ParameterizedTest(name = "jobId 17: {0} -> {1}")
        @CsvSource(delimiter = '|', value = {
                "jobId = 17   | true",
                "jobId = 18   | false",
                "jobId != 18  | true",
                "jobId != 17  | false",
                "jobId > 16   | true",
                "jobId > 17   | false",
                "jobId < 18   | true",
                "jobId < 17   | false",
                "jobId >= 17  | true",
                "jobId >= 18  | false",
                "jobId <= 17  | true",
                "jobId <= 16  | false",
                "jobId > -1   | true",
                "jobId = 17.0 | true",
                "jobId=17     | true",
        })
        void compareNumerically(String tql, boolean expected) {
            assertThat(matches(tql, FAILED)).isEqualTo(expected);
        }

        @Test
        void compareByValueNotByText() {
            // as text "10" < "9"; as numbers 10 > 9
            assertThat(matches("id > 9", FAILED)).isTrue();
            assertThat(matches("id < 9", FAILED)).isFalse();
        }

        @Test
        void compareIdsBeyondTheRangeOfLongAndDouble() {
            String execution = "{\"id\": 9007199254740993}";
            assertThat(matches("id = 9007199254740993", execution)).isTrue();
            assertThat(matches("id > 9007199254740992", execution)).isTrue();
            assertThat(matches("id < 99999999999999999999", execution)).isTrue();
        }

        @Test
        void numberSentAsTextStillComparesNumerically() {
            assertThat(matches("jobId > 9", "{\"jobId\": \"17\"}")).isTrue();
        }

        @Test
        void valueThatIsNotANumberMakesANumericComparisonFalse() {
            String execution = "{\"jobId\": \"seventeen\"}";
            assertThat(matches("jobId = 17", execution)).isFalse();
            assertThat(matches("jobId != 17", execution)).isFalse();
        }
    }

    @Nested
    class Strings {

        @Test
        void equalityIgnoresCase() {
            assertThat(matches("status = \"Failed\"", FAILED)).isTrue();
            assertThat(matches("status = \"failed\"", FAILED)).isTrue();
            assertThat(matches("status = \"FAILED\"", FAILED)).isTrue();
            assertThat(matches("status = \"Completed\"", FAILED)).isFalse();
        }

        @Test
        void inequalityIgnoresCase() {
            assertThat(matches("status != \"FAILED\"", FAILED)).isFalse();
            assertThat(matches("status != \"Completed\"", FAILED)).isTrue();
        }

        @Test
        void orderingIsAlphabeticalIgnoringCase() {
            assertThat(matches("serverName > \"TC-WORKER-0\"", FAILED)).isTrue();
            assertThat(matches("serverName < \"tc-worker-1\"", FAILED)).isFalse();
            assertThat(matches("serverName <= \"TC-worker-1\"", FAILED)).isTrue();
        }

        @Test
        void escapedQuotesAndBackslashesAreTakenLiterally() {
            String execution = "{\"exitMessage\": \"say \\\"hi\\\" \\\\ there\"}";
            assertThat(json(execution).get("exitMessage").asText()).isEqualTo("say \"hi\" \\ there");

            // TQL text: exitMessage = "say \"hi\" \\ there"
            assertThat(matches("exitMessage = \"say \\\"hi\\\" \\\\ there\"", execution)).isTrue();
            assertThat(matches("exitMessage = \"say \\\"hi\\\" there\"", execution)).isFalse();
        }

        @Test
        void operatorsKeywordsAndParenthesesInsideStringsAreJustText() {
            String execution = "{\"exitMessage\": \"a = b AND (c OR d), e\"}";
            assertThat(matches("exitMessage = \"a = b AND (c OR d), e\"", execution)).isTrue();
        }

        @Test
        void emptyStringIsAValue() {
            assertThat(matches("exitMessage = \"\"", "{\"exitMessage\": \"\"}")).isTrue();
            assertThat(matches("exitMessage = \"\"", FAILED)).isFalse();
        }
    }

    @Nested
    class Times {

        @ParameterizedTest(name = "failedTime 10:30Z: {0} -> {1}")
        @CsvSource(delimiter = '|', value = {
                "failedTime = \"2024-04-10T10:30:00Z\"      | true",
                "failedTime = \"2024-04-10T12:30:00+02:00\" | true",
                "failedTime != \"2024-04-10T10:30:00Z\"     | false",
                "failedTime > \"2024-04-10T10:29:59Z\"      | true",
                "failedTime > \"2024-04-10T10:30:00Z\"      | false",
                "failedTime >= \"2024-04-10T10:30:00Z\"     | true",
                "failedTime < \"2024-04-10T10:30:01Z\"      | true",
                "failedTime < \"2024-04-10T10:30:00Z\"      | false",
                "failedTime <= \"2024-04-10T10:30:00Z\"     | true",
                "failedTime <= \"2024-04-10T10:29:59Z\"     | false",
        })
        void compareAsInstantsAgainstIsoTimes(String tql, boolean expected) {
            assertThat(matches(tql, FAILED)).isEqualTo(expected);
        }

        @Test
        void executionTimesWithAnOffsetCompareAsInstants() {
            String execution = failedAt("2024-04-10T12:30:00+02:00"); // 10:30Z
            assertThat(matches("failedTime = \"2024-04-10T10:30:00Z\"", execution)).isTrue();
            assertThat(matches("failedTime < \"2024-04-10T11:00:00Z\"", execution)).isTrue();
        }

        @Test
        void aDateMeansMidnightUtcOfThatDay() {
            assertThat(matches("failedTime >= \"2024-04-01\"", failedAt("2024-04-01T00:00:00Z"))).isTrue();
            assertThat(matches("failedTime = \"2024-04-01\"", failedAt("2024-04-01T00:00:00Z"))).isTrue();
            assertThat(matches("failedTime < \"2024-04-01\"", failedAt("2024-03-31T23:59:59Z"))).isTrue();
            assertThat(matches("failedTime >= \"2024-04-01\"", failedAt("2024-03-31T23:59:59Z"))).isFalse();
            assertThat(matches("failedTime > \"2024-04-01\"", FAILED)).isTrue();
        }

        @Test
        void nowMinusHoursIsRelativeToTheClock() {
            assertThat(matches("failedTime > \"NOW() - 1 HOUR\"", failedAt("2024-04-10T11:30:00Z"))).isTrue();
            assertThat(matches("failedTime > \"NOW() - 1 HOUR\"", failedAt("2024-04-10T10:59:59Z"))).isFalse();
            assertThat(matches("failedTime >= \"NOW() - 1 HOUR\"", failedAt("2024-04-10T11:00:00Z"))).isTrue();
            assertThat(matches("failedTime > \"NOW() - 2 HOUR\"", FAILED)).isTrue();
        }

        @Test
        void nowMinusMinutesIsRelativeToTheClock() {
            assertThat(matches("failedTime > \"NOW() - 30 MINUTE\"", failedAt("2024-04-10T11:45:00Z"))).isTrue();
            assertThat(matches("failedTime > \"NOW() - 30 MINUTE\"", failedAt("2024-04-10T11:29:00Z"))).isFalse();
        }

        @Test
        void nowMinusDaysIsRelativeToTheClock() {
            assertThat(matches("failedTime > \"NOW() - 1 DAY\"", failedAt("2024-04-09T12:00:01Z"))).isTrue();
            assertThat(matches("failedTime > \"NOW() - 1 DAY\"", failedAt("2024-04-09T11:59:59Z"))).isFalse();
            assertThat(matches("failedTime > \"NOW() - 7 DAY\"", failedAt("2024-04-05T00:00:00Z"))).isTrue();
        }

        @Test
        void relativeTimesAcceptPluralsLowerCaseAndNoSpaces() {
            String execution = failedAt("2024-04-10T11:30:00Z");
            assertThat(matches("failedTime > \"now() - 2 hours\"", execution)).isTrue();
            assertThat(matches("failedTime > \"NOW()-45MINUTES\"", execution)).isTrue();
            assertThat(matches("failedTime < \"NOW()\"", execution)).isTrue();
        }

        @Test
        void relativeTimesFollowTheClockTheQueryWasCompiledWith() {
            JsonNode execution = json(failedAt("2024-04-10T11:30:00Z"));
            String tql = "failedTime > \"NOW() - 1 HOUR\"";
            Clock later = Clock.fixed(NOW.plusSeconds(3600), ZoneOffset.UTC);

            assertThat(TqlFilter.compile(tql, CLOCK).test(execution)).isTrue();
            assertThat(TqlFilter.compile(tql, later).test(execution)).isFalse();
        }

        @Test
        void everyTimeFieldComparesAsATime() {
            assertThat(matches("queueTime < \"2024-04-10T10:30:00Z\"", FAILED)).isTrue();
            assertThat(matches("startTime = \"2024-04-10T12:30:00+02:00\"", FAILED)).isTrue();
            assertThat(matches("completedTime > \"2024-01-01\"", "{\"completedTime\": \"2024-04-10T10:30:00Z\"}"))
                    .isTrue();
        }

        @Test
        void executionTimeThatCannotBeReadMakesTheComparisonFalse() {
            assertThat(matches("failedTime > \"2024-01-01\"", failedAt("yesterday"))).isFalse();
            assertThat(matches("failedTime < \"2024-01-01\"", failedAt("yesterday"))).isFalse();
        }

        @Test
        void literalThatIsNotATimeIsRefused() {
            assertThatThrownBy(() -> matches("failedTime > \"yesterday\"", FAILED))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'yesterday' is not a date or time");
        }

        @ParameterizedTest
        @ValueSource(strings = {"failedTime > \"2024-13-01\"", "failedTime > \"2024-02-30\""})
        void impossibleDateIsRefusedAsABadQuery(String tql) {
            assertThatThrownBy(() -> TqlFilter.compile(tql, CLOCK))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("2024-");
        }
    }

    @Nested
    class Lists {

        @Test
        void inMatchesAnyListedNumber() {
            assertThat(matches("jobId IN (1, 17, 30)", FAILED)).isTrue();
            assertThat(matches("jobId IN (17)", FAILED)).isTrue();
            assertThat(matches("jobId IN (1, 2, 3)", FAILED)).isFalse();
        }

        @Test
        void inMatchesAnyListedStringIgnoringCase() {
            assertThat(matches("status IN (\"Completed\", \"failed\")", FAILED)).isTrue();
            assertThat(matches("status IN (\"Completed\", \"Running\")", FAILED)).isFalse();
        }

        @Test
        void notInMatchesWhenNoListedNumberMatches() {
            assertThat(matches("jobId NOT IN (1, 2, 3)", FAILED)).isTrue();
            assertThat(matches("jobId NOT IN (1, 17)", FAILED)).isFalse();
        }

        @Test
        void notInMatchesWhenNoListedStringMatches() {
            assertThat(matches("status NOT IN (\"Completed\", \"Running\")", FAILED)).isTrue();
            assertThat(matches("status NOT IN (\"FAILED\")", FAILED)).isFalse();
        }

        @Test
        void notInIsFalseWhenTheFieldIsMissing() {
            assertThat(matches("serverName NOT IN (\"a\", \"b\")", "{\"id\": 1}")).isFalse();
            assertThat(matches("serverName NOT IN (\"a\", \"b\")", "{\"serverName\": null}")).isFalse();
        }

        @Test
        void inWorksOnTimes() {
            assertThat(matches("failedTime IN (\"2024-04-10T12:30:00+02:00\", \"2024-01-01\")", FAILED)).isTrue();
        }

        @Test
        void inIsFalseWhenTheFieldIsMissing() {
            assertThat(matches("serverName IN (\"a\", \"b\")", "{\"id\": 1}")).isFalse();
            assertThat(matches("serverName IN (\"a\", \"b\")", "{\"serverName\": null}")).isFalse();
        }

        @Test
        void inIsFalseWhenTheValueCannotBeCompared() {
            assertThat(matches("jobId IN (1, 2)", "{\"jobId\": \"seventeen\"}")).isFalse();
            assertThat(matches("failedTime IN (\"2024-01-01\")", failedAt("yesterday"))).isFalse();
        }
    }

    @Nested
    class Logic {

        @Test
        void andRequiresBoth() {
            assertThat(matches("status = \"Failed\" AND jobId = 17", FAILED)).isTrue();
            assertThat(matches("status = \"Failed\" AND jobId = 18", FAILED)).isFalse();
        }

        @Test
        void orRequiresEither() {
            assertThat(matches("jobId = 1 OR jobId = 17", FAILED)).isTrue();
            assertThat(matches("jobId = 1 OR jobId = 2", FAILED)).isFalse();
        }

        @Test
        void andBindsTighterThanOr() {
            // true OR (false AND false) = true; left to right it would be (true OR false) AND false = false
            assertThat(matches("jobId = 17 OR status = \"Completed\" AND id = 999", FAILED)).isTrue();
            // (false AND x) OR true = true; left to right it would be false AND (x OR true) = false
            assertThat(matches("jobId = 1 AND id = 10 OR status = \"Failed\"", FAILED)).isTrue();
        }

        @Test
        void parenthesesOverridePrecedence() {
            assertThat(matches("(jobId = 17 OR status = \"Completed\") AND id = 999", FAILED)).isFalse();
            assertThat(matches("(jobId = 17 OR status = \"Completed\") AND id = 10", FAILED)).isTrue();
        }

        @Test
        void parenthesesNest() {
            assertThat(matches("((jobId = 17) AND (status = \"Failed\" OR (id = 1)))", FAILED)).isTrue();
            assertThat(matches("((jobId = 17) AND (status = \"Completed\" OR (id = 1)))", FAILED)).isFalse();
        }

        @Test
        void notNegatesOneComparison() {
            assertThat(matches("NOT status = \"Completed\"", FAILED)).isTrue();
            assertThat(matches("NOT status = \"Failed\"", FAILED)).isFalse();
            // NOT binds tighter than OR: (NOT true) OR true
            assertThat(matches("NOT jobId = 17 OR id = 10", FAILED)).isTrue();
        }

        @Test
        void notNegatesAParenthesizedGroup() {
            assertThat(matches("NOT (jobId = 1 OR id = 10)", FAILED)).isFalse();
            assertThat(matches("NOT (jobId = 1 OR id = 2)", FAILED)).isTrue();
            assertThat(matches("NOT NOT jobId = 17", FAILED)).isTrue();
        }

        @Test
        void keywordsAreCaseInsensitive() {
            assertThat(matches("status = \"Failed\" and jobId in (17) or not id = 10", FAILED)).isTrue();
            assertThat(matches("jobId Not In (1, 2) aNd NoT status = \"Completed\"", FAILED)).isTrue();
            assertThat(matches("jobId = 1 Or jobId = 17", FAILED)).isTrue();
        }
    }

    @Nested
    class MissingFields {

        @ParameterizedTest
        @ValueSource(strings = {
                "serverName = \"x\"", "serverName != \"x\"", "serverName > \"a\"", "serverName < \"z\"",
                "serverName >= \"a\"", "serverName <= \"z\"", "id = 1", "id != 1",
                "failedTime > \"2000-01-01\"", "failedTime < \"NOW()\"", "failedTime != \"2024-01-01\""})
        void missingFieldMakesAComparisonFalse(String tql) {
            assertThat(matches(tql, "{\"status\": \"Running\"}")).isFalse();
        }

        @ParameterizedTest
        @ValueSource(strings = {"serverName = \"x\"", "serverName != \"x\"", "failedTime > \"2000-01-01\""})
        void nullFieldMakesAComparisonFalse(String tql) {
            assertThat(matches(tql, "{\"serverName\": null, \"failedTime\": null}")).isFalse();
        }

        @Test
        void objectOrArrayValueMakesAComparisonFalse() {
            assertThat(matches("exitMessage = \"x\"", "{\"exitMessage\": {\"text\": \"x\"}}")).isFalse();
            assertThat(matches("exitMessage != \"x\"", "{\"exitMessage\": [\"x\"]}")).isFalse();
        }
    }

    @Nested
    class BadQueries {

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
                "colour = \"red\"                   | unknown field 'colour'",
                "status = \"Failed                  | unterminated string",
                "status = \"Failed\\                | unterminated string",
                "status =                           | expected a value at the end of the query",
                "status = AND jobId = 1             | expected a quoted string or a number, found 'AND'",
                "status \"Failed\"                  | expected an operator after 'status', found 'Failed'",
                "status = \"Failed\" AND            | expected a field name at the end of the query",
                "status = \"Failed\" OR             | expected a field name at the end of the query",
                "NOT                                | expected a field name at the end of the query",
                "= 1                                | expected a field name, found '='",
                "(status = \"Failed\"               | expected ')' at the end of the query",
                "((jobId = 1) OR (jobId = 2)        | expected ')' at the end of the query",
                "status = \"Failed\")               | unexpected ')'",
                "status = \"Failed\" jobId = 17     | unexpected 'jobId'",
                "jobId = 17 18                      | unexpected '18'",
                "jobId IN 1, 2                      | expected '(' after IN, found '1'",
                "jobId IN (1, 2                     | expected ')' closing IN at the end of the query",
                "jobId IN ()                        | expected a quoted string or a number, found ')'",
                "jobId NOT = 1                      | NOT must be followed by IN after 'jobId'",
                "status ! \"Failed\"                | unexpected '!'",
                "status = 'Failed'                  | unexpected character '''",
                "jobId = 1 ; id = 2                 | unexpected character ';'",
        })
        void areRefusedWithAMessageSayingWhy(String tql, String message) {
            assertThatThrownBy(() -> TqlFilter.compile(tql.strip(), CLOCK))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(message.strip());
        }

        @Test
        void fieldNamesAreCaseSensitive() {
            assertThatThrownBy(() -> TqlFilter.compile("JobId = 1", CLOCK))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unknown field 'JobId'");
        }

        @Test
        void badQueryIsRefusedWhenCompiledNotWhenEvaluated() {
            assertThatThrownBy(() -> TqlFilter.compile("status = \"Failed\" AND", CLOCK))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void everyFieldOfAnExecutionIsKnown() {
            for (String field : TqlFilter.FIELDS) {
                String value = TqlFilter.TIME_FIELDS.contains(field) ? "\"2024-01-01\"" : "\"x\"";
                assertThatCode(() -> TqlFilter.compile(field + " != " + value + " OR " + field + " = " + value, CLOCK))
                        .as(field).doesNotThrowAnyException();
            }
        }

        @Test
        void aCompiledFilterIsReusable() {
            Predicate<JsonNode> filter = TqlFilter.compile("jobId = 17", CLOCK);
            assertThat(filter.test(json(FAILED))).isTrue();
            assertThat(filter.test(json("{\"jobId\": 18}"))).isFalse();
            assertThat(filter.test(json(FAILED))).isTrue();
        }
    }
}

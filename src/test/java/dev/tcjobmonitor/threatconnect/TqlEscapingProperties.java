package dev.tcjobmonitor.threatconnect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tcjobmonitor.simulator.TqlFilter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * No value can change the structure of a query {@link Tql} builds. The oracle is the simulator's
 * independent TQL parser/evaluator {@link TqlFilter}: every query must compile there, and must select
 * exactly the executions that the intended conjunction of clauses selects. String comparison is as
 * TqlFilter does it ({@code compareToIgnoreCase}); a time clause {@code failedTime > instant} means
 * "after the instant truncated to the second", which is never later than the instant itself.
 */
class TqlEscapingProperties {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-04-10T12:00:00Z"), ZoneOffset.UTC);
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9_.]*");

    /** Fragments that would break a query built by concatenation. */
    private static final List<String> NASTY = List.of(
            "\"", "\\", "'", "`", "(", ")", ",", " OR ", " AND ", " NOT ", " IN ", "\n", "\r\n", "\t", " ",
            "status", "failedTime", "=", "!=", ">", "<=", "\"\"", "\\\"", "\\\\", "\")", "\" OR status = \"",
            ") OR (", "é", "ß", "İ", "ı", "Σ", "𝄞", "\uD800", "\uDC00", "\u0000", "\u2028", "\u00A0", "", "Failed",
            "NOW()", "NOW() - 1 HOUR", "2024-04-10", "2024-04-10T12:00:00Z", "1", "-1", "x");

    // --- quoting ---------------------------------------------------------------------------

    @Property(tries = 1000)
    void quotedValueTokenizesBackToExactlyThatValue(@ForAll("values") String value, @ForAll("values") String other) {
        String quoted = Tql.quote(value);
        assertThat(quoted).startsWith("\"").endsWith("\"");

        Predicate<JsonNode> equalsQuoted = compile("exitMessage = " + quoted);

        assertThat(equalsQuoted.test(execution("exitMessage", value))).as("exitMessage equal to the value").isTrue();
        assertThat(equalsQuoted.test(execution("exitMessage", value + "x"))).as("value + \"x\"").isFalse();
        assertThat(equalsQuoted.test(execution("exitMessage", "x" + value))).as("\"x\" + value").isFalse();
        assertThat(equalsQuoted.test(execution("exitMessage", other)))
                .as("another exitMessage %s", show(other))
                .isEqualTo(other.compareToIgnoreCase(value) == 0);
    }

    @Property(tries = 300)
    void quotedValueInsideInMatchesOnlyThatValueWhateverFollowsIt(@ForAll("values") String value) {
        // a value cannot close the IN list, so a second clause after it still binds as AND
        Predicate<JsonNode> query = compile("exitMessage IN (" + Tql.quote(value) + ") AND jobId = 1");
        assertThat(query.test(execution("exitMessage", value).put("jobId", 1))).isTrue();
        assertThat(query.test(execution("exitMessage", value).put("jobId", 2))).isFalse();
        assertThat(query.test(execution("exitMessage", value + ")").put("jobId", 1))).isFalse();
    }

    // --- the monitor's status and time clauses ---------------------------------------------

    @Property(tries = 600)
    void anyStatusValueLeavesTheQueryATwoClauseAnd(@ForAll("values") String value, @ForAll("values") String other,
                                                   @ForAll("windowStarts") Instant windowStart,
                                                   @ForAll("offsetsNanos") long offset) {
        String tql = new Tql().in("status", List.of(value)).after("failedTime", windowStart).build();
        Predicate<JsonNode> query = compileWithoutError(tql);

        Instant truncated = windowStart.truncatedTo(ChronoUnit.SECONDS);
        List<String> statuses = statusCandidates(List.of(value), other);
        List<Instant> times = timeCandidates(windowStart, offset);
        for (String status : statuses) {
            for (Instant time : times) {
                boolean expected = status.compareToIgnoreCase(value) == 0 && time.isAfter(truncated);
                assertSelects(query, tql, execution("status", status).put("failedTime", time.toString()), expected);
            }
        }
        // the promise in the brief, stated directly
        assertThat(query.test(execution("status", value).put("failedTime", windowStart.plusSeconds(1).toString()))).isTrue();
        assertThat(query.test(execution("status", value).put("failedTime", truncated.toString()))).isFalse();
        if (other.compareToIgnoreCase(value) != 0) {
            assertThat(query.test(execution("status", other).put("failedTime", windowStart.plusSeconds(1).toString()))).isFalse();
        }
    }

    @Property(tries = 300)
    void severalStatusValuesSelectExactlyTheListedStatuses(@ForAll @Size(min = 1, max = 6) List<@From("values") String> values,
                                                           @ForAll("values") String other,
                                                           @ForAll("windowStarts") Instant windowStart,
                                                           @ForAll("offsetsNanos") long offset) {
        String tql = new Tql().in("status", values).after("failedTime", windowStart).build();
        Predicate<JsonNode> query = compileWithoutError(tql);

        Instant truncated = windowStart.truncatedTo(ChronoUnit.SECONDS);
        for (String status : statusCandidates(values, other)) {
            for (Instant time : timeCandidates(windowStart, offset)) {
                boolean expected = values.stream().anyMatch(v -> status.compareToIgnoreCase(v) == 0) && time.isAfter(truncated);
                assertSelects(query, tql, execution("status", status).put("failedTime", time.toString()), expected);
            }
        }
    }

    /** The whole shape of {@code JobMonitor.tql(Instant)}: statuses, window, job ids, exclusions, extra TQL. */
    @Property(tries = 300)
    void monitorShapedQueryIsExactlyTheConjunctionOfItsClauses(
            @ForAll @Size(min = 1, max = 4) List<@From("values") String> statuses,
            @ForAll("values") String otherStatus,
            @ForAll("timeFields") String timeField,
            @ForAll("windowStarts") Instant windowStart,
            @ForAll @Size(max = 3) List<@From("smallIds") Long> jobIds,
            @ForAll @Size(max = 3) List<@From("smallIds") Long> excludeJobIds,
            @ForAll("extraClauses") Clause extra) {
        String tql = new Tql()
                .in("status", statuses)
                .after(timeField, windowStart)
                .numberIn("jobId", jobIds)
                .numberNotIn("jobId", excludeJobIds)
                .raw(extra.tql())
                .build();
        Predicate<JsonNode> query = compileWithoutError(tql);

        Instant truncated = windowStart.truncatedTo(ChronoUnit.SECONDS);
        List<String> strings = new ArrayList<>(extra.strings());
        strings.add(otherStatus);
        int checked = 0;
        for (String status : List.of(statuses.get(0), otherStatus)) {
            for (Instant time : List.of(windowStart.plusSeconds(5), truncated.minusSeconds(5))) {
                for (long jobId = -1; jobId <= 2; jobId++) {
                    for (String text : strings) {
                        ObjectNode execution = execution("status", status)
                                .put(timeField, time.toString())
                                .put("jobId", jobId)
                                .put("id", jobId * 7)
                                .put("exitMessage", text)
                                .put("serverName", strings.get(checked++ % strings.size()));
                        long job = jobId;
                        boolean expected = statuses.stream().anyMatch(v -> status.compareToIgnoreCase(v) == 0)
                                && time.isAfter(truncated)
                                && (jobIds.isEmpty() || jobIds.contains(job))
                                && !excludeJobIds.contains(job)
                                && extra.oracle().test(execution);
                        assertSelects(query, tql, execution, expected);
                    }
                }
            }
        }
    }

    @Property(tries = 300)
    void extraClauseOrCannotLeakOutOfItsParentheses(@ForAll("values") String status, @ForAll("values") String message,
                                                    @ForAll("windowStarts") Instant windowStart) {
        String tql = new Tql().in("status", List.of(status)).after("failedTime", windowStart)
                .raw("exitMessage = " + Tql.quote(message) + " OR jobId = 1").build();
        Predicate<JsonNode> query = compileWithoutError(tql);
        // satisfies the OR's right side only: without the parentheses it would match on jobId alone
        ObjectNode wrongStatusAndEarly = execution("status", status + "x")
                .put("failedTime", windowStart.minusSeconds(10).toString()).put("jobId", 1).put("exitMessage", message + "x");
        assertThat(query.test(wrongStatusAndEarly)).isFalse();
        ObjectNode rightStatusAndLate = execution("status", status)
                .put("failedTime", windowStart.plusSeconds(10).toString()).put("jobId", 1).put("exitMessage", message + "x");
        assertThat(query.test(rightStatusAndLate)).isTrue();
    }

    // --- field names -----------------------------------------------------------------------

    @Property(tries = 1000)
    void fieldNamesThatAreNotPlainIdentifiersAreRefused(@ForAll("nonIdentifiers") String field,
                                                        @ForAll("windowStarts") Instant windowStart) {
        assertThatThrownBy(() -> new Tql().after(field, windowStart)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Tql().after(field, "NOW() - 1 HOUR")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Tql().in(field, List.of("Failed"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Tql().equalTo(field, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Tql().numberIn(field, List.of(1L))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Tql().numberNotIn(field, List.of(1L))).isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 300)
    void plainIdentifiersAreKeptVerbatimAsFieldNames(@ForAll("identifiers") String field,
                                                     @ForAll("windowStarts") Instant windowStart) {
        assertThat(new Tql().after(field, windowStart).build()).isEqualTo(field + " > " + Tql.quote(windowStart));
        assertThat(Tql.quote(windowStart)).isEqualTo("\"" + windowStart.truncatedTo(ChronoUnit.SECONDS) + "\"");
    }

    // --- the simulator's reading of relative-time lookalikes ----------------------------------

    /**
     * A status is compared as a string, so one that happens to look like a relative time is still
     * just a string and the query is still well formed. Tql quotes it correctly; the simulator's
     * TqlFilter.value() however evaluates every quoted literal that matches its NOW() pattern as a
     * time, whatever the field, and fails on amounts it cannot compute.
     */
    @Property(tries = 300)
    void statusThatLooksLikeARelativeTimeIsStillJustAString(@ForAll("relativeTimeLookalikes") String value,
                                                            @ForAll("windowStarts") Instant windowStart) {
        String tql = new Tql().in("status", List.of(value)).after("failedTime", windowStart).build();
        Predicate<JsonNode> query = compileWithoutError(tql);
        String late = windowStart.plusSeconds(1).toString();
        assertThat(query.test(execution("status", value).put("failedTime", late))).isTrue();
        assertThat(query.test(execution("status", value + "x").put("failedTime", late))).isFalse();
    }

    // --- generators --------------------------------------------------------------------------

    @Provide
    Arbitrary<String> values() {
        Arbitrary<String> anyChars = Arbitraries.strings().all().ofMaxLength(30);
        Arbitrary<String> fragments = Arbitraries.of(NASTY).list().ofMaxSize(8).map(parts -> String.join("", parts));
        Arbitrary<String> syntaxChars = Arbitraries.strings().withChars("\"\\'`(),=<>! \n\r\tANDORNOTINaeß").ofMaxLength(16);
        Arbitrary<String> surrogates = Arbitraries.strings().withCharRange('\uD7F0', '\uE010').ofMaxLength(6);
        return Arbitraries.frequencyOf(
                Tuple.of(3, anyChars),
                Tuple.of(4, fragments),
                Tuple.of(2, syntaxChars),
                Tuple.of(1, surrogates),
                Tuple.of(1, Arbitraries.just("")));
    }

    @Provide
    Arbitrary<Instant> windowStarts() {
        Arbitrary<Long> seconds = Arbitraries.longs().between(946_684_800L, 4_102_444_799L); // 2000 .. 2099
        Arbitrary<Integer> nanos = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.of(1, 999_999_999, 500_000_000)),
                Tuple.of(3, Arbitraries.integers().between(0, 999_999_999)));
        return Combinators.combine(seconds, nanos).as(Instant::ofEpochSecond);
    }

    /** Offsets of an execution's time from the truncated window start, around the interesting edges. */
    @Provide
    Arbitrary<Long> offsetsNanos() {
        long day = 86_400_000_000_000L;
        return Arbitraries.oneOf(
                Arbitraries.of(-1L, 0L, 1L, 999_999_999L, 1_000_000_000L, -1_000_000_000L),
                Arbitraries.longs().between(-2_000_000_000L, 2_000_000_000L),
                Arbitraries.longs().between(-3 * day, 3 * day));
    }

    @Provide
    Arbitrary<Long> smallIds() {
        return Arbitraries.longs().between(-2, 2);
    }

    @Provide
    Arbitrary<String> timeFields() {
        return Arbitraries.of("failedTime", "completedTime", "startTime", "queueTime");
    }

    @Provide
    Arbitrary<String> identifiers() {
        Arbitrary<Character> first = Arbitraries.chars().range('a', 'z').range('A', 'Z');
        Arbitrary<String> rest = Arbitraries.strings().alpha().numeric().withChars("_.").ofMaxLength(20);
        return Combinators.combine(first, rest).as((f, r) -> f + r);
    }

    @Provide
    Arbitrary<String> nonIdentifiers() {
        Arbitrary<String> injections = Combinators.combine(
                Arbitraries.of("failedTime", "status", "a", "jobId"),
                Arbitraries.of(" > \"2000-01-01\" OR id", " ", "\n", "\r", "\t", "-x", " OR 1", "(", ")", "\"", "'",
                        "`", "\\", "=", ",", "é", "\u0000", "\u00A0", "\u2028", "$", "\uD800", "𝄞"),
                Arbitraries.of(true, false))
                .as((name, bad, prefix) -> prefix ? bad + name : name + bad);
        Arbitrary<String> leading = Combinators.combine(
                Arbitraries.of("", "1", "_", ".", "-", " ", "é", "Ａ", "İ", "\n"),
                identifiers())
                .as((bad, name) -> bad + name);
        return Arbitraries.frequencyOf(
                        Tuple.of(3, Arbitraries.strings().all().ofMaxLength(20)),
                        Tuple.of(3, values()),
                        Tuple.of(3, injections),
                        Tuple.of(2, leading))
                .filter(field -> !IDENTIFIER.matcher(field).matches());
    }

    @Provide
    Arbitrary<String> relativeTimeLookalikes() {
        return Combinators.combine(
                        Arbitraries.of("NOW()", "now()", "Now() "),
                        Arbitraries.of("-", "+", " - ", " + "),
                        Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(25),
                        Arbitraries.of("SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "days", "hours"))
                .as((now, sign, amount, unit) -> now + sign + amount + " " + unit);
    }

    /** A well-formed operator clause and what it should mean for an execution. */
    record Clause(String tql, Predicate<JsonNode> oracle, List<String> strings) {
        @Override
        public String toString() {
            return show(tql);
        }
    }

    @Provide
    Arbitrary<Clause> extraClauses() {
        Arbitrary<Clause> simple = Arbitraries.oneOf(stringComparisons(), numberComparisons(), numberLists());
        Arbitrary<Clause> either = Combinators.combine(simple, simple).as((a, b) -> new Clause(
                a.tql() + " OR " + b.tql(), a.oracle().or(b.oracle()), concat(a.strings(), b.strings())));
        Arbitrary<Clause> both = Combinators.combine(simple, simple).as((a, b) -> new Clause(
                a.tql() + " AND " + b.tql(), a.oracle().and(b.oracle()), concat(a.strings(), b.strings())));
        Arbitrary<String> padding = Arbitraries.of("", " ", "\n", " \t ");
        return Combinators.combine(Arbitraries.frequencyOf(Tuple.of(3, simple), Tuple.of(2, either), Tuple.of(1, both)),
                        padding, padding)
                .as((clause, before, after) -> new Clause(before + clause.tql() + after, clause.oracle(), clause.strings()));
    }

    private Arbitrary<Clause> stringComparisons() {
        return Combinators.combine(Arbitraries.of("exitMessage", "serverName"), Arbitraries.of("=", "!="), values())
                .as((field, operator, literal) -> new Clause(
                        field + " " + operator + " " + Tql.quote(literal),
                        execution -> {
                            boolean equal = execution.get(field).asText().compareToIgnoreCase(literal) == 0;
                            return operator.equals("=") == equal;
                        },
                        List.of(literal, literal.toUpperCase(Locale.ROOT), literal + "x")));
    }

    private Arbitrary<Clause> numberComparisons() {
        return Combinators.combine(Arbitraries.of("jobId", "id"), Arbitraries.of("=", "!=", ">", "<", ">=", "<="),
                        Arbitraries.longs().between(-3, 3))
                .as((field, operator, number) -> new Clause(
                        field + " " + operator + " " + number,
                        execution -> {
                            int order = Long.compare(execution.get(field).asLong(), number);
                            return switch (operator) {
                                case "=" -> order == 0;
                                case "!=" -> order != 0;
                                case ">" -> order > 0;
                                case "<" -> order < 0;
                                case ">=" -> order >= 0;
                                default -> order <= 0;
                            };
                        },
                        List.of()));
    }

    private Arbitrary<Clause> numberLists() {
        return Combinators.combine(Arbitraries.of("jobId", "id"), Arbitraries.of(true, false),
                        smallIds().set().ofMinSize(1).ofMaxSize(3))
                .as((field, negated, numbers) -> new Clause(
                        field + (negated ? " NOT IN (" : " IN (")
                                + numbers.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")",
                        execution -> numbers.contains(execution.get(field).asLong()) != negated,
                        List.of()));
    }

    // --- helpers -----------------------------------------------------------------------------

    private static Predicate<JsonNode> compile(String tql) {
        return TqlFilter.compile(tql, CLOCK);
    }

    private static Predicate<JsonNode> compileWithoutError(String tql) {
        try {
            return TqlFilter.compile(tql, CLOCK);
        } catch (RuntimeException e) {
            throw new AssertionError("TqlFilter cannot compile " + show(tql) + ": " + e, e);
        }
    }

    /** Cheap when it holds: the message is only built for a failure. */
    private static void assertSelects(Predicate<JsonNode> query, String tql, ObjectNode execution, boolean expected) {
        if (query.test(execution) != expected) {
            fail("query %s should %s %s", show(tql), expected ? "select" : "not select", show(execution.toString()));
        }
    }

    private static ObjectNode execution(String field, String value) {
        return JSON.createObjectNode().put(field, value);
    }

    /** The values themselves, other cases of them, near misses and an unrelated value. */
    private static List<String> statusCandidates(List<String> values, String other) {
        Set<String> candidates = new LinkedHashSet<>();
        for (String value : values) {
            candidates.add(value);
            candidates.add(value.toUpperCase(Locale.ROOT));
            candidates.add(value.toLowerCase(Locale.ROOT));
            candidates.add(value + "x");
            candidates.add("x" + value);
            candidates.add(value + " ");
            if (!value.isEmpty()) {
                candidates.add(value.substring(1));
            }
        }
        candidates.add(other);
        candidates.add("");
        return List.copyOf(candidates);
    }

    private static List<Instant> timeCandidates(Instant windowStart, long offsetNanos) {
        Instant truncated = windowStart.truncatedTo(ChronoUnit.SECONDS);
        return List.of(windowStart, windowStart.plusNanos(1), windowStart.minusNanos(1), truncated, truncated.plusNanos(1),
                truncated.minusNanos(1), truncated.plusNanos(offsetNanos), windowStart.plusSeconds(3600),
                truncated.minusSeconds(3600));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Java-escaped, so that control characters and lone surrogates are readable in failure messages. */
    static String show(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out.append(c);
            } else if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.append('"').toString();
    }
}

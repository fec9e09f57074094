package dev.tcjobmonitor.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simulator's TQL: the fields of a job execution; {@code = != > < >= <= IN NOT IN}; AND (binding
 * tighter) and OR; NOT; parentheses; double-quoted strings with backslash escapes; numbers; times
 * as ISO-8601 instants, dates, or {@code "NOW() - N MINUTE|HOUR|DAY"}. A query it cannot read is an
 * {@link IllegalArgumentException} whose message becomes ThreatConnect's 400 message.
 */
public final class TqlFilter {

    static final Set<String> TIME_FIELDS = Set.of("queueTime", "startTime", "completedTime", "failedTime");
    static final Set<String> FIELDS = Set.of("id", "jobId", "status", "exitMessage", "serverName",
            "queueTime", "startTime", "completedTime", "failedTime");
    private static final Pattern RELATIVE_TIME =
            Pattern.compile("NOW\\(\\)\\s*(?:([+-])\\s*(\\d+)\\s*(SECOND|MINUTE|HOUR|DAY|WEEK)S?)?", Pattern.CASE_INSENSITIVE);

    private final List<Token> tokens;
    private final Clock clock;
    private final Set<String> ignoredFields;
    private int position;

    private TqlFilter(String tql, Clock clock, Set<String> ignoredFields) {
        this.tokens = tokenize(tql);
        this.clock = clock;
        this.ignoredFields = ignoredFields;
    }

    /** Compiles {@code tql}; an empty query matches everything. */
    public static Predicate<JsonNode> compile(String tql, Clock clock) {
        return compile(tql, clock, Set.of());
    }

    /**
     * Compiles {@code tql} as an instance that does not filter on {@code ignoredFields}: each
     * comparison on one of them is still checked for syntax but counts as true, so in a query of
     * AND-ed clauses (the monitor's) those clauses are dropped.
     */
    public static Predicate<JsonNode> compile(String tql, Clock clock, Set<String> ignoredFields) {
        if (tql == null || tql.isBlank()) {
            return execution -> true;
        }
        TqlFilter parser = new TqlFilter(tql, clock, ignoredFields);
        Predicate<JsonNode> predicate = parser.or();
        if (parser.position < parser.tokens.size()) {
            throw new IllegalArgumentException("unexpected '" + parser.tokens.get(parser.position).text + "'");
        }
        return predicate;
    }

    private Predicate<JsonNode> or() {
        Predicate<JsonNode> left = and();
        while (acceptKeyword("OR")) {
            left = left.or(and());
        }
        return left;
    }

    private Predicate<JsonNode> and() {
        Predicate<JsonNode> left = unary();
        while (acceptKeyword("AND")) {
            left = left.and(unary());
        }
        return left;
    }

    private Predicate<JsonNode> unary() {
        if (acceptKeyword("NOT")) {
            return unary().negate();
        }
        if (accept(Kind.OPEN)) {
            Predicate<JsonNode> inner = or();
            expect(Kind.CLOSE, "')'");
            return inner;
        }
        return comparison();
    }

    private Predicate<JsonNode> comparison() {
        Token field = expect(Kind.WORD, "a field name");
        Predicate<JsonNode> comparison = comparison(field);
        return ignoredFields.contains(field.text) ? execution -> true : comparison;
    }

    private Predicate<JsonNode> comparison(Token field) {
        if (!FIELDS.contains(field.text)) {
            throw new IllegalArgumentException("unknown field '" + field.text + "'");
        }
        boolean negated = acceptKeyword("NOT");
        if (acceptKeyword("IN")) {
            expect(Kind.OPEN, "'(' after IN");
            List<Token> values = new ArrayList<>();
            do {
                values.add(value());
            } while (accept(Kind.COMMA));
            expect(Kind.CLOSE, "')' closing IN");
            if (TIME_FIELDS.contains(field.text)) {
                values.forEach(value -> time(value.text));
            }
            Predicate<JsonNode> in = execution -> values.stream().anyMatch(v -> Integer.valueOf(0).equals(compare(execution, field.text, v)));
            return negated ? execution -> has(execution, field.text) && !in.test(execution) : in;
        }
        if (negated) {
            throw new IllegalArgumentException("NOT must be followed by IN after '" + field.text + "'");
        }
        Token operator = expect(Kind.OPERATOR, "an operator after '" + field.text + "'");
        Token value = value();
        if (TIME_FIELDS.contains(field.text)) {
            time(value.text); // an unreadable time is a bad query, not a silent non-match
        }
        return execution -> {
            Integer order = compare(execution, field.text, value);
            if (order == null) {
                return false;
            }
            return switch (operator.text) {
                case "=" -> order == 0;
                case "!=" -> order != 0;
                case ">" -> order > 0;
                case "<" -> order < 0;
                case ">=" -> order >= 0;
                case "<=" -> order <= 0;
                default -> throw new IllegalStateException(operator.text);
            };
        };
    }

    private Token value() {
        Token token = next("a value");
        if (token.kind != Kind.STRING && token.kind != Kind.NUMBER) {
            throw new IllegalArgumentException("expected a quoted string or a number, found '" + token.text + "'");
        }
        return token;
    }

    /** The order of the execution's field against the literal, or null when they cannot be compared. */
    private Integer compare(JsonNode execution, String field, Token literal) {
        JsonNode node = execution.get(field);
        if (node == null || node.isNull() || node.isContainerNode()) {
            return null;
        }
        if (TIME_FIELDS.contains(field)) {
            Instant actual = parseInstant(node.asText());
            Instant expected = time(literal.text);
            return actual == null || expected == null ? null : actual.compareTo(expected);
        }
        if (literal.kind == Kind.NUMBER) {
            try {
                return new BigDecimal(node.asText()).compareTo(new BigDecimal(literal.text));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        int order = node.asText().compareToIgnoreCase(literal.text);
        return Integer.signum(order);
    }

    /** A time literal as an instant; anything unreadable (or out of range) is a bad query. */
    private Instant time(String text) {
        try {
            return parseTime(text);
        } catch (ArithmeticException | java.time.DateTimeException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a usable date or time");
        }
    }

    private Instant parseTime(String text) {
        Matcher relative = RELATIVE_TIME.matcher(text.strip());
        if (relative.matches()) {
            Instant now = clock.instant();
            if (relative.group(1) == null) {
                return now;
            }
            Duration amount = switch (relative.group(3).toUpperCase(Locale.ROOT)) {
                case "SECOND" -> Duration.ofSeconds(Long.parseLong(relative.group(2)));
                case "MINUTE" -> Duration.ofMinutes(Long.parseLong(relative.group(2)));
                case "HOUR" -> Duration.ofHours(Long.parseLong(relative.group(2)));
                case "DAY" -> Duration.ofDays(Long.parseLong(relative.group(2)));
                default -> Duration.ofDays(7 * Long.parseLong(relative.group(2)));
            };
            return relative.group(1).equals("-") ? now.minus(amount) : now.plus(amount);
        }
        if (isDate(text)) {
            try {
                return LocalDate.parse(text).atStartOfDay().toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + text + "' is not a date");
            }
        }
        Instant instant = parseInstant(text);
        if (instant == null) {
            throw new IllegalArgumentException("'" + text + "' is not a date or time");
        }
        return instant;
    }

    private static boolean isDate(String text) {
        return text.matches("\\d{4}-\\d{2}-\\d{2}");
    }

    private static Instant parseInstant(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static boolean has(JsonNode execution, String field) {
        JsonNode node = execution.get(field);
        return node != null && !node.isNull();
    }

    // --- tokens ------------------------------------------------------------------------------

    private enum Kind { WORD, STRING, NUMBER, OPERATOR, OPEN, CLOSE, COMMA }

    private record Token(Kind kind, String text) {
    }

    private boolean acceptKeyword(String keyword) {
        if (position < tokens.size() && tokens.get(position).kind == Kind.WORD
                && tokens.get(position).text.equalsIgnoreCase(keyword)) {
            position++;
            return true;
        }
        return false;
    }

    private boolean accept(Kind kind) {
        if (position < tokens.size() && tokens.get(position).kind == kind) {
            position++;
            return true;
        }
        return false;
    }

    private Token expect(Kind kind, String what) {
        Token token = next(what);
        if (token.kind != kind) {
            throw new IllegalArgumentException("expected " + what + ", found '" + token.text + "'");
        }
        return token;
    }

    private Token next(String what) {
        if (position >= tokens.size()) {
            throw new IllegalArgumentException("expected " + what + " at the end of the query");
        }
        return tokens.get(position++);
    }

    private static List<Token> tokenize(String tql) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < tql.length()) {
            char c = tql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(') {
                tokens.add(new Token(Kind.OPEN, "("));
                i++;
            } else if (c == ')') {
                tokens.add(new Token(Kind.CLOSE, ")"));
                i++;
            } else if (c == ',') {
                tokens.add(new Token(Kind.COMMA, ","));
                i++;
            } else if (c == '"') {
                StringBuilder value = new StringBuilder();
                i++;
                while (true) {
                    if (i >= tql.length()) {
                        throw new IllegalArgumentException("unterminated string");
                    }
                    char s = tql.charAt(i++);
                    if (s == '"') {
                        break;
                    }
                    if (s == '\\') {
                        if (i >= tql.length()) {
                            throw new IllegalArgumentException("unterminated string");
                        }
                        s = tql.charAt(i++);
                    }
                    value.append(s);
                }
                tokens.add(new Token(Kind.STRING, value.toString()));
            } else if ("=!<>".indexOf(c) >= 0) {
                String two = i + 1 < tql.length() ? tql.substring(i, i + 2) : "";
                String op = two.equals("!=") || two.equals(">=") || two.equals("<=") ? two : String.valueOf(c);
                if (op.equals("!")) {
                    throw new IllegalArgumentException("unexpected '!'");
                }
                tokens.add(new Token(Kind.OPERATOR, op));
                i += op.length();
            } else if (Character.isDigit(c) || (c == '-' && i + 1 < tql.length() && Character.isDigit(tql.charAt(i + 1)))) {
                int start = i++;
                while (i < tql.length() && (Character.isDigit(tql.charAt(i)) || tql.charAt(i) == '.')) {
                    i++;
                }
                tokens.add(new Token(Kind.NUMBER, tql.substring(start, i)));
            } else if (Character.isLetter(c) || c == '_') {
                int start = i++;
                while (i < tql.length() && (Character.isLetterOrDigit(tql.charAt(i)) || tql.charAt(i) == '_' || tql.charAt(i) == '.')) {
                    i++;
                }
                tokens.add(new Token(Kind.WORD, tql.substring(start, i)));
            } else {
                throw new IllegalArgumentException("unexpected character '" + c + "' at " + i);
            }
        }
        return tokens;
    }
}

package dev.tcjobmonitor.threatconnect;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds the TQL query of one poll. Every value is quoted here and nowhere else, so nothing an
 * operator or ThreatConnect supplies can change the structure of the query.
 */
public final class Tql {

    private final List<String> clauses = new ArrayList<>();

    /** {@code "a \"b\""}: double quotes, with {@code \ " ' `} escaped by a backslash. */
    public static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '"' || c == '\'' || c == '`') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('"').toString();
    }

    /** ThreatConnect's timestamp form: ISO-8601 UTC to the second. */
    public static String quote(Instant instant) {
        return quote(instant.truncatedTo(ChronoUnit.SECONDS).toString());
    }

    public Tql in(String field, List<String> values) {
        clauses.add(field(field) + " IN (" + values.stream().map(Tql::quote).collect(Collectors.joining(", ")) + ")");
        return this;
    }

    public Tql after(String field, Instant instant) {
        clauses.add(field(field) + " > " + quote(instant));
        return this;
    }

    /** Adds {@code field > "NOW() - 1 HOUR"}-style relative times, quoted as TQL wants them. */
    public Tql after(String field, String relativeTime) {
        clauses.add(field(field) + " > " + quote(relativeTime));
        return this;
    }

    public Tql equalTo(String field, long number) {
        clauses.add(field(field) + " = " + number);
        return this;
    }

    public Tql numberIn(String field, List<Long> numbers) {
        if (!numbers.isEmpty()) {
            clauses.add(field(field) + " IN (" + joinNumbers(numbers) + ")");
        }
        return this;
    }

    public Tql numberNotIn(String field, List<Long> numbers) {
        if (!numbers.isEmpty()) {
            clauses.add(field(field) + " NOT IN (" + joinNumbers(numbers) + ")");
        }
        return this;
    }

    /** An operator-written clause, kept whole in parentheses so its ORs cannot leak out. */
    public Tql raw(String clause) {
        if (clause != null && !clause.isBlank()) {
            clauses.add("(" + clause.strip() + ")");
        }
        return this;
    }

    /**
     * Why {@code clause} could not stay whole inside the parentheses {@link #raw} puts it in (a
     * parenthesis closed before it was opened, one left open, a string left open), or null when it
     * can. Parentheses inside quoted strings ("..." or '...', backslash escapes) do not count.
     */
    public static String unbalanced(String clause) {
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < clause.length(); i++) {
            char c = clause.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth < 0) {
                return "'" + clause + "' closes a parenthesis it did not open (at character " + (i + 1) + ")";
            }
        }
        if (quote != 0) {
            return "'" + clause + "' leaves a quoted string open";
        }
        return depth > 0 ? "'" + clause + "' leaves " + depth + " parenthesis(es) open" : null;
    }

    public String build() {
        return String.join(" AND ", clauses);
    }

    @Override
    public String toString() {
        return build();
    }

    private static String joinNumbers(List<Long> numbers) {
        return numbers.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    /** Field names are identifiers, never quoted: refuse anything that could carry an operator. */
    private static String field(String name) {
        if (!name.matches("[A-Za-z][A-Za-z0-9_.]*")) {
            throw new IllegalArgumentException("not a TQL field name: '" + name + "'");
        }
        return name;
    }
}

package dev.tcjobmonitor.threatconnect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TqlTest {

    @Test
    void buildsTheDocumentedExamplesExactly() {
        assertThat(new Tql().after("completedTime", "NOW() - 1 HOUR").build()).isEqualTo("completedTime > \"NOW() - 1 HOUR\"");
        assertThat(new Tql().equalTo("jobId", 12345).build()).isEqualTo("jobId = 12345");
    }

    @Test
    void documentedExampleEncodesAsInTheReference() {
        String url = ApiEndpoint.of("https://app.threatconnect.com/api")
                .executionsUrl(new Tql().after("completedTime", "NOW() - 1 HOUR").build(), 100).toString();
        assertThat(url).contains("?tql=completedTime%20%3E%20%22NOW%28%29%20-%201%20HOUR%22&resultLimit=100");
    }

    @Test
    void combinesTheMonitorsClausesWithAnd() {
        String tql = new Tql()
                .in("status", List.of("Failed"))
                .after("failedTime", Instant.parse("2026-11-28T10:00:00.123Z"))
                .numberIn("jobId", List.of(1L, 2L))
                .numberNotIn("jobId", List.of(3L))
                .raw("serverName = \"a\" OR serverName = \"b\"")
                .build();

        assertThat(tql).isEqualTo("status IN (\"Failed\") AND failedTime > \"2026-11-28T10:00:00Z\""
                + " AND jobId IN (1, 2) AND jobId NOT IN (3) AND (serverName = \"a\" OR serverName = \"b\")");
    }

    @Test
    void leavesOutEmptyOptionalClauses() {
        assertThat(new Tql().in("status", List.of("Failed")).numberIn("jobId", List.of())
                .numberNotIn("jobId", List.of()).raw("  ").build()).isEqualTo("status IN (\"Failed\")");
    }

    @Test
    void escapesQuotesBackslashesApostrophesAndBackticks() {
        assertThat(Tql.quote("a\"b")).isEqualTo("\"a\\\"b\"");
        assertThat(Tql.quote("a\\b")).isEqualTo("\"a\\\\b\"");
        assertThat(Tql.quote("it's `x`")).isEqualTo("\"it\\'s \\`x\\`\"");
    }

    @Test
    void aHostileValueStaysInsideItsString() {
        String hostile = "Failed\") OR (1 = 1) OR status IN (\"\\";
        String tql = new Tql().in("status", List.of(hostile)).build();

        // the only unescaped quotes are the two that delimit the value
        String unescapedQuotes = tql.replace("\\\\", "").replace("\\\"", "");
        assertThat(unescapedQuotes.chars().filter(c -> c == '"').count()).isEqualTo(2);
    }

    @Test
    void refusesFieldNamesThatCouldCarryAnOperator() {
        assertThatThrownBy(() -> new Tql().after("failedTime > \"2000\" OR x", Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

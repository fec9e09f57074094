package dev.tcjobmonitor.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tcjobmonitor.threatconnect.ExecutionPageReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A failure time means what an ISO-8601 offset date-time means, however it is written. */
class FailedExecutionTest {

    private static Optional<Instant> read(String failedTime) {
        return new FailedExecution(JsonNodeFactory.instance.objectNode().put("failedTime", failedTime)).instant("failedTime");
    }

    private static Optional<Instant> asOffsetDateTime(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // what ThreatConnect sends, with fractions of every length
            "2026-11-28T10:15:30Z", "2026-11-28T10:15:30.1Z", "2026-11-28T10:15:30.12Z", "2026-11-28T10:15:30.123Z",
            "2026-11-28T10:15:30.1234Z", "2026-11-28T10:15:30.12345Z", "2026-11-28T10:15:30.123456Z",
            "2026-11-28T10:15:30.1234567Z", "2026-11-28T10:15:30.12345678Z", "2026-11-28T10:15:30.123456789Z",
            "2026-11-28T10:15:30.000000001Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
            "2024-02-29T12:00:00Z", "2026-11-28T00:00:00.0Z",
            // leap years by the century rules, and around the epoch
            "2000-02-29T00:00:00Z", "0004-02-29T00:00:00Z", "1969-12-31T23:59:59.999Z", "1970-01-01T00:00:00Z",
            "1900-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-00-10T00:00:00Z",
            "2026-11-00T00:00:00Z",
            // other offsets and forms
            "2026-11-28T10:15:30+01:00", "2026-11-28T10:15:30.5-05:30", "2026-11-28T10:15Z", "2026-11-28T10:15:30+00:00",
            "+12026-11-28T10:15:30Z", "2026-11-28T10:15:30+01:00:30",
            // not a time, or an impossible one
            "2026-11-28T10:15:30.1234567890Z", "2026-11-28T10:15:30.Z", "2026-02-30T10:15:30Z", "2025-02-29T10:15:30Z",
            "2026-13-28T10:15:30Z", "2026-11-28T24:00:00Z", "2026-11-28T10:60:30Z", "2026-11-28T10:15:60Z",
            "2026-11-28t10:15:30Z", "2026-11-28T10:15:30z", "2026-11-28 10:15:30Z", " 2026-11-28T10:15:30Z",
            "2026-11-28T10:15:30Z ", "2026-11-2810:15:30Z", "2026-1a-28T10:15:30Z", "2026-11-28T10:15:30",
            "２０２６-11-28T10:15:30Z", "2026-11-28T10:15:30.12a4Z", "2026-11-28", "", "yesterday"})
    void meansWhatAnOffsetDateTimeMeans(String failedTime) {
        assertThat(read(failedTime)).isEqualTo(asOffsetDateTime(failedTime));
        // and the same read from a page (streamed: the time is read from the execution's JSON text)
        assertThat(readFromPage(failedTime)).isEqualTo(asOffsetDateTime(failedTime));
    }

    private static Optional<Instant> readFromPage(String failedTime) {
        String page = "{\"status\":\"Success\",\"data\":["
                + JsonNodeFactory.instance.objectNode().put("id", 1).put("failedTime", failedTime) + "]}";
        return new ExecutionPageReader().read(200, new ByteArrayInputStream(page.getBytes(StandardCharsets.UTF_8)))
                .executions().get(0).instant("failedTime");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-28T10:15:30Z", "2026-11-28T10:15:30.250Z"})
    void theUsualFormIsRead(String failedTime) {
        assertThat(read(failedTime)).contains(Instant.parse(failedTime));
    }
}

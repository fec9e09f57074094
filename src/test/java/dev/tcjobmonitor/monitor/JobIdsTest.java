package dev.tcjobmonitor.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A job id reads as the integer its text means, exactly as an exact decimal reading says, or as none. */
class JobIdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"174", " 174 ", "0174", "174.0", "1.74E2", "0", "-5", "999999999999999999", "9223372036854775807",
            "9223372036854775808", "99999999999999999999", "17.5", "1e400", "abc", "", " ", "+7", "7a", "0x10", "١٧٤"})
    void readsAsAnExactDecimalReadingDoes(String text) {
        assertThat(JobIds.parse(text)).as(text).isEqualTo(exactly(text));
    }

    private static Optional<Long> exactly(String text) {
        try {
            return Optional.of(new BigDecimal(text.strip()).longValueExact());
        } catch (NumberFormatException | ArithmeticException notAnInteger) {
            return Optional.empty();
        }
    }
}

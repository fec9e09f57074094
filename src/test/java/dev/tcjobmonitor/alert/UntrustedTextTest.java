package dev.tcjobmonitor.alert;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** One clean line out of whatever ThreatConnect put in a header value. */
class UntrustedTextTest {

    @ParameterizedTest
    @ValueSource(strings = {"4242", "Failed", "job-7:run-3", "a b c", "~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./"})
    void aCleanAsciiLineStaysAsItIs(String text) {
        assertThat(UntrustedText.oneLine(text)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "' Failed '|Failed",
            "'a  b'|a b",
            "'a\tb'|a b",
            "'a\r\nBcc: x@y'|a Bcc: x@y",
            "'Job\u2028name'|Job name",
            "'Job\u202Eeman'|Jobeman",
            "'Jöb   naïve'|Jöb naïve",
            "'   '|''"})
    void everythingElseIsCleanedToOneLine(String text, String expected) {
        assertThat(UntrustedText.oneLine(text)).isEqualTo(expected);
    }
}

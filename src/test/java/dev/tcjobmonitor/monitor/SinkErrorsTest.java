package dev.tcjobmonitor.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Address;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.ConnectException;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which refusals go to the dead letter at once: those of the alert itself, which no retry
 * changes. The exceptions are the ones camel-http, the Kafka client and Angus Mail throw.
 */
class SinkErrorsTest {

    private static HttpOperationFailedException http(int status) {
        return new HttpOperationFailedException("http://127.0.0.1:8080", status, "status " + status, null, Map.of(), "");
    }

    private static SMTPSendFailedException smtp(String command, int code) {
        return new SMTPSendFailedException(command, code, code + " refused", null, new Address[0], new Address[0], new Address[0]);
    }

    private static InternetAddress soc() {
        try {
            return new InternetAddress("soc@example.org");
        } catch (AddressException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {400, 402, 411, 413, 414, 415, 422, 431})
    void anHttpAnswerThatRefusesTheRequestItselfIsForGood(int status) {
        assertThat(SinkErrors.isPermanent(http(status))).isTrue();
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {401, 403, 404, 405, 407, 410, 421, 408, 409, 423, 425, 429, 500, 502, 503, 504, 302})
    void anHttpAnswerAboutTheEndpointItsAccessOrLaterMayPass(int status) {
        // the same for every alert, and fixed by waiting or by an operator: the window stays open
        assertThat(SinkErrors.isPermanent(http(status))).isFalse();
    }

    static Stream<Arguments> kafka() {
        return Stream.of(
                Arguments.of(new RecordTooLargeException("too large"), true),
                Arguments.of(new InvalidRecordException("invalid"), true),
                Arguments.of(new SerializationException("cannot serialize"), true),
                Arguments.of(new TimeoutException("Topic not present in metadata after 1500 ms."), false),
                Arguments.of(new NetworkException("disconnected"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void kafka(Exception refusal, boolean forGood) {
        assertThat(SinkErrors.isPermanent(refusal)).isEqualTo(forGood);
    }

    static Stream<Arguments> smtp() {
        return Stream.of(
                Arguments.of("552 to the end of the data (message too large)", smtp(".", 552), true),
                Arguments.of("554 to the end of the data (content refused)", smtp(".", 554), true),
                Arguments.of("550 to DATA", smtp("DATA", 550), true),
                Arguments.of("552 to MAIL FROM (declared size)", smtp("MAIL FROM:<monitor@example.org> SIZE=3000000", 552), true),
                Arguments.of("451 to the end of the data (try later)", smtp(".", 451), false),
                Arguments.of("421 to DATA (closing)", smtp("DATA", 421), false),
                Arguments.of("553 to MAIL FROM (the configured sender)", new SMTPSenderFailedException(soc(), "MAIL FROM:<x>", 553, "553"), false),
                Arguments.of("550 to RCPT TO (the configured recipient)", new SendFailedException("Invalid Addresses",
                        new SMTPAddressFailedException(soc(), "RCPT TO:<soc@example.org>", 550, "550 no such user")), false),
                Arguments.of("552 to RCPT TO (a full mailbox, RFC 5321: as 452)",
                        new SMTPAddressFailedException(soc(), "RCPT TO:<soc@example.org>", 552, "552 mailbox full"), false),
                Arguments.of("530 to MAIL FROM (authentication required)", smtp("MAIL FROM:<x>", 530), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void smtp(String reply, Exception refusal, boolean forGood) {
        assertThat(SinkErrors.isPermanent(refusal)).isEqualTo(forGood);
    }

    @Test
    void aRefusalWrappedByCamelIsJudgedByItsCause() {
        assertThat(SinkErrors.isPermanent(new RuntimeCamelException(http(400)))).isTrue();
        assertThat(SinkErrors.isPermanent(new RuntimeCamelException(http(503)))).isFalse();
    }

    @Test
    void aSinkThatCannotBeReachedOrNoErrorAtAllMayPass() {
        assertThat(SinkErrors.isPermanent(new ConnectException("Connection refused"))).isFalse();
        assertThat(SinkErrors.isPermanent(null)).isFalse();
    }
}

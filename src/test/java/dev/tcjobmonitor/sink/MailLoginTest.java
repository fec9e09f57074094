package dev.tcjobmonitor.sink;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The email sink's login is checked at start: a password never goes over SMTP in clear text unasked. */
class MailLoginTest {

    private static final String PASSWORD = "Mail-Password-Q8";

    private static MailLogin login(String username, String protocol, boolean startTls, boolean allowInsecureAuth) {
        MailLogin login = new MailLogin();
        login.setUsername(username);
        login.setPassword(PASSWORD);
        login.setProtocol(protocol);
        login.setStartTls(startTls);
        login.setAllowInsecureAuth(allowInsecureAuth);
        return login;
    }

    @ParameterizedTest(name = "username={0}, protocol={1}, starttls={2}, allow-insecure-auth={3}")
    @CsvSource({
            // encrypted before the login: STARTTLS required, or TLS from the start
            "monitor, smtp,  true,  false",
            "monitor, smtps, false, false",
            "monitor, SMTPS, false, false",
            // no login at all: nothing secret to send
            "'',      smtp,  false, false",
            // in clear text, asked for on purpose (then warned about at every start)
            "monitor, smtp,  false, true"})
    void aLoginIsAcceptedWhenEncryptedAbsentOrAllowedOnPurpose(String username, String protocol, boolean startTls,
                                                               boolean allowInsecureAuth) {
        assertThatCode(login(username, protocol, startTls, allowInsecureAuth)::check).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "protocol={0}")
    @CsvSource({"smtp", "' smtp '"})
    void aLoginOverSmtpWithoutStartTlsIsRefusedNamingTheSettings(String protocol) {
        assertThatThrownBy(login("monitor", protocol, false, false)::check)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid setting sink.email.username:")
                .hasMessageContaining("in clear text")
                .hasMessageContaining("sink.email.starttls=true")
                .hasMessageContaining("sink.email.protocol=smtps")
                .hasMessageContaining("sink.email.allow-insecure-auth=true")
                .hasMessageNotContaining(PASSWORD)
                .hasMessageNotContaining("\n");
    }
}

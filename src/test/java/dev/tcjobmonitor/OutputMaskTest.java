package dev.tcjobmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The standalone process's stdout and stderr never show the value of a secret setting. */
class OutputMaskTest {

    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final OutputMask mask = new OutputMask(StandardCharsets.UTF_8);
    private final PrintStream out = new PrintStream(mask.filter(written), true, StandardCharsets.UTF_8);

    private String written() {
        return written.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aSettingNamedSecretPasswordTokenOrJaasIsASecretAsAPropertyOrAsAnEnvironmentVariable() {
        Set<String> secrets = OutputMask.secretsOf(Map.of(
                "tc.secret-key", "HmacSecret-1",
                "TC_EU_API_TOKEN", "Token-2",
                "monitor.cluster.password", "DbPw-3",
                "SINK_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"Sasl-4\";",
                "tc.access-id", "not-a-secret",
                "sink.email.username", "also-not-one"));

        assertThat(secrets).contains("HmacSecret-1", "Token-2", "DbPw-3", "Sasl-4")
                .noneMatch(secret -> secret.contains("not-a-secret") || secret.contains("also-not-one"));
    }

    @Test
    void aSinksUrlHidesItsPathUserInfoAndSecretParametersButNotItsHostOrItsOptions() {
        Set<String> secrets = OutputMask.secretsOf(Map.of(
                "sink.slack.webhook-url", "https://hooks.slack.com/services/T000/B000/XXXXXXXX",
                "SINK_CUSTOM_URI", "https://user:UserPw-5@hooks.example.org/hook?httpMethod=POST&authPassword=RAW(AuthPw-6)&connectTimeout=5000",
                "tc.base-url", "https://tc.example.org/api",
                "monitor.cluster.jdbc-url", "jdbc:postgresql://db.example.org:5432/tc_monitor?password=JdbcPw-7&ssl=true"));

        assertThat(secrets).contains("/services/T000/B000/XXXXXXXX", "UserPw-5", "/hook", "AuthPw-6", "JdbcPw-7")
                .noneMatch(secret -> secret.contains("hooks.slack.com") || secret.contains("POST") || secret.contains("5000")
                        || secret.contains("/api") || secret.contains("/tc_monitor"));
    }

    @Test
    void everyHiddenValueIsReplacedInEveryLineWrittenLongestFirst() {
        mask.hide(Set.of("/services/T000/B000/XXXXXXXX", "XXXXXXXX", "Token-2222"));

        out.println("DEBUG DefaultComponent - Creating endpoint uri=[https://hooks.slack.com/services/T000/B000/XXXXXXXX?httpMethod=POST]");
        out.println("DEBUG MainClientExec - ex-0001 executing POST /services/T000/B000/XXXXXXXX HTTP/1.1 Token-2222 and Token-2222");

        assertThat(written()).isEqualTo("""
                DEBUG DefaultComponent - Creating endpoint uri=[https://hooks.slack.comxxxxxx?httpMethod=POST]
                DEBUG MainClientExec - ex-0001 executing POST xxxxxx HTTP/1.1 xxxxxx and xxxxxx
                """);
    }

    @Test
    void valuesTooShortToBeSecretsAreLeftAlone() {
        // a test's TC_API_TOKEN=token must not turn the setting's name tc.api-token into tc.api-xxxxxx
        mask.hide(Set.of("token", "true", "changeit"));

        out.println("tc.api-token=true, truststore password changeit");

        assertThat(written()).isEqualTo("tc.api-token=true, truststore password xxxxxx\n");
    }

    @Test
    void aStackTraceIsMaskedThoughAPrintStreamWritesEachLineInPieces() {
        mask.hide(Set.of("PathSecret-8"));

        new IllegalStateException("HTTP operation failed invoking http://h/services/PathSecret-8").printStackTrace(out);

        assertThat(written()).contains("invoking http://h/services/xxxxxx").doesNotContain("PathSecret-8");
    }

    @Test
    void aLineLongerThanAPrintStreamsBufferIsMaskedWhole() {
        mask.hide(Set.of("PathSecret-9"));
        // a PrintStream hands a long line on in chunks of 8 KiB, flushing after each: the secret spans two
        PrintStream logging = StandaloneLogging.withoutVetoWarnings(out);
        String line = "x".repeat(8192 - 6) + "PathSecret-9" + "y".repeat(100);

        logging.println(line);

        assertThat(written()).isEqualTo("x".repeat(8192 - 6) + "xxxxxx" + "y".repeat(100) + "\n");
    }

    @Test
    void aLineWithoutItsLineBreakIsWrittenWhenTheStreamCloses() throws IOException {
        mask.hide(Set.of("Token-10"));

        out.print("last words Token-10");
        out.flush();
        assertThat(written()).as("held until its line ends: the rest of a secret may follow").isEmpty();
        out.close();

        assertThat(written()).isEqualTo("last words xxxxxx");
    }
}

package dev.tcjobmonitor.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.camel.CamelContext;
import org.apache.camel.NoSuchEndpointException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.CamelContextHelper;
import org.junit.jupiter.api.Test;

/**
 * An error text names an endpoint by scheme://host[:port] only: a chat webhook's URL is its secret
 * (Slack and Teams put it in the path), and a URI may carry a login or a token.
 */
class ErrorTextTest {

    private static final String SLACK = "https://hooks.slack.com/services/T000/B000/SlackPathSecret1";

    @Test
    void aRefusingWebhookIsNamedByItsSchemeAndHostOnly() {
        HttpOperationFailedException refused = new HttpOperationFailedException(SLACK, 503, "Service Unavailable", null, null, null);

        assertThat(ErrorText.describe(new IllegalStateException("wrapped", refused)))
                .isEqualTo("HttpOperationFailedException: HTTP operation failed invoking https://hooks.slack.com with statusCode: 503");
    }

    @Test
    void oneEndpointsOriginIsItsSchemeAndHostOrItsCamelNameWithoutPathQueryOrLogin() {
        // what --check prints of a sink it cannot check (sink.<name>.uri)
        assertThat(ErrorText.origin("https://hooks.slack.com/services/T000/B000/XXXX?x=1"))
                .isEqualTo("https://hooks.slack.com");
        assertThat(ErrorText.origin("http://user:p@ss@10.0.0.1:8080/hook")).isEqualTo("http://10.0.0.1:8080");
        assertThat(ErrorText.origin("log:dev.tcjobmonitor.alerts?level=INFO")).isEqualTo("log:dev.tcjobmonitor.alerts");
        assertThat(ErrorText.origin("not a uri")).isEqualTo("its endpoint");
    }

    @Test
    void userInfoIsCutWholeEvenWhenThePasswordHoldsAnAtSign() {
        String text = ErrorText.withEndpointOrigins("cannot reach https://tc-monitor:Pa@ss@w0rd@hooks.example.org:8443/hook?x=1");

        assertThat(text).isEqualTo("cannot reach https://hooks.example.org:8443").doesNotContain("w0rd").doesNotContain("ss@");
    }

    @Test
    void anIpv6EndpointKeepsItsAddressAndPort() {
        assertThat(ErrorText.withEndpointOrigins("invoking http://[fd00::1]:8080/services/T/B/Secret1 with statusCode: 500"))
                .isEqualTo("invoking http://[fd00::1]:8080 with statusCode: 500");
    }

    @Test
    void theSentenceAroundAnEndpointKeepsItsPunctuationAndBrackets() {
        assertThat(ErrorText.withEndpointOrigins("No endpoint could be found for: htps://127.0.0.1:9/hook/T/B/Secret1?httpMethod=POST, please check"))
                .isEqualTo("No endpoint could be found for: htps://127.0.0.1:9, please check");
        assertThat(ErrorText.withEndpointOrigins("Failed to resolve endpoint: [" + SLACK + "] due to: x."))
                .isEqualTo("Failed to resolve endpoint: [https://hooks.slack.com] due to: x.");
        assertThat(ErrorText.withEndpointOrigins("refused '" + SLACK + "'.")).isEqualTo("refused 'https://hooks.slack.com'.");
    }

    @Test
    void aWebhookCamelCannotResolveIsNamedByItsOriginOnly() throws Exception {
        // a typo in sink.custom.uri's scheme: Camel's own message names the URI as written
        try (CamelContext context = new DefaultCamelContext()) {
            assertThatThrownBy(() -> CamelContextHelper.getMandatoryEndpoint(context,
                    "htps://hooks.slack.com/services/T000/B000/SlackPathSecret1?httpMethod=POST"))
                    .isInstanceOf(NoSuchEndpointException.class)
                    .satisfies(unknown -> assertThat(ErrorText.describe(unknown))
                            .startsWith("NoSuchEndpointException: No endpoint could be found for: htps://hooks.slack.com, please check")
                            .doesNotContain("SlackPathSecret1").doesNotContain("/services"));
        }
    }
}

package dev.tcjobmonitor.threatconnect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ApiEndpointTest {

    private final ApiEndpoint endpoint = ApiEndpoint.of("https://tc.example.com/api/");

    @Test
    void followsNextLinksOnTheSameOrigin() {
        assertThat(endpoint.sameOrigin("https://tc.example.com:443/api/v3/job/executions?resultStart=10").toString())
                .isEqualTo("https://tc.example.com:443/api/v3/job/executions?resultStart=10");
        // host names are case-insensitive: the same origin, and the link is followed as given
        assertThat(endpoint.sameOrigin("https://TC.example.com/api/v3/job/executions?resultStart=10"))
                .hasToString("https://TC.example.com/api/v3/job/executions?resultStart=10");
    }

    @Test
    void resolvesRelativeNextLinksAgainstTheBase() {
        assertThat(endpoint.sameOrigin("/api/v3/job/executions?resultStart=10").toString())
                .isEqualTo("https://tc.example.com/api/v3/job/executions?resultStart=10");
    }

    @Test
    void refusesNextLinksToAnotherHostSchemeOrPort() {
        for (String foreign : new String[] {
                "https://evil.example.com/api/v3/job/executions",
                "http://tc.example.com/api/v3/job/executions",
                "https://tc.example.com:8443/api/v3/job/executions",
                "https://tc.example.com.evil.example/api",
                "https://tc.example.com@evil.example/api"}) {
            assertThatThrownBy(() -> endpoint.sameOrigin(foreign))
                    .as(foreign)
                    .isInstanceOf(ThreatConnectException.class)
                    .hasMessageContaining("refused to follow a next link");
        }
    }

    @Test
    void encodesCharactersANextLinkShouldNotCarryRaw() {
        assertThat(endpoint.sameOrigin("https://tc.example.com/api/v3/job/executions?tql=a b\"c&x=%20").getRawQuery())
                .isEqualTo("tql=a%20b%22c&x=%20");
    }

    @Test
    void signsTheRawPathAndQuery() {
        assertThat(ApiEndpoint.pathAndQuery(endpoint.executionsUrl("jobId = 1", 50)))
                .isEqualTo("/api/v3/job/executions?tql=jobId%20%3D%201&resultLimit=50");
    }

    @Test
    void rejectsBaseUrlsThatAreNotAnHttpApiRoot() {
        for (String bad : new String[] {"", "ftp://tc.example.com/api", "tc.example.com/api",
                "https://user:pw@tc.example.com/api", "https://tc.example.com/api?x=1"}) {
            assertThatThrownBy(() -> ApiEndpoint.of(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** A password in the URL, URL-encoded or not ('/' and ':' end an authority early), never reaches the message. */
    @Test
    void aBaseUrlWithAPasswordIsRejectedWithoutShowingIt() {
        for (String bad : new String[] {"https://user:Base-S3cret@tc.example.com/api", "https://user:Base-S3cret/x@tc.example.com/api",
                "https://user:Base-S3cret:x@tc.example.com/api", "https://user:Base-S3cret?@tc.example.com/api"}) {
            assertThatThrownBy(() -> ApiEndpoint.of(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining("Base-S3cret").hasMessageContaining("tc.example.com");
        }
    }
}

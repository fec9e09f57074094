package dev.tcjobmonitor.threatconnect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Signatures against the independently computed vectors of shared/reference/hmac-vectors.json. */
class HmacSignerTest {

    static Stream<JsonNode> vectors() throws IOException {
        try (InputStream in = HmacSignerTest.class.getResourceAsStream("/hmac-vectors.json")) {
            List<JsonNode> vectors = new ArrayList<>();
            new ObjectMapper().readTree(in).forEach(vectors::add);
            return vectors.stream();
        }
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("vectors")
    void signsEveryReferenceVector(JsonNode vector) {
        HmacSigner signer = new HmacSigner(vector.get("accessId").asText(), vector.get("secretKey").asText(),
                Clock.fixed(Instant.ofEpochSecond(vector.get("timestamp").asLong()), ZoneOffset.UTC));

        Map<String, String> headers = signer.sign(vector.get("method").asText(), vector.get("signedPath").asText());

        assertThat(headers).containsEntry("Authorization", vector.get("authorization").asText())
                .containsEntry("Timestamp", vector.get("timestamp").asText());
    }

    @Test
    void eachRequestIsSignedWithItsOwnPathAndQuery() {
        HmacSigner signer = new HmacSigner("api-user-01", "s3cr3t/with+base64=chars",
                Clock.fixed(Instant.ofEpochSecond(1700000000), ZoneOffset.UTC));
        ApiEndpoint endpoint = ApiEndpoint.of("https://tc.example.com/api");
        var secondPage = endpoint.sameOrigin(
                "https://tc.example.com/api/v3/job/executions?tql=jobId%20%3D%2012345&resultStart=10000&resultLimit=10000");

        String authorization = signer.sign("GET", ApiEndpoint.pathAndQuery(secondPage)).get("Authorization");

        assertThat(authorization).isEqualTo("TC api-user-01:vhZOSdnc00W9wEFkUGqPAyytCJAys5rWZDSGBpQZoHE=");
    }

    @Test
    void neverShowsTheSecretKey() {
        assertThat(new HmacSigner("id", "S3cr3t-Value", Clock.systemUTC()).toString()).doesNotContain("S3cr3t-Value");
        assertThat(new TokenSigner("T0ken-Value").toString()).doesNotContain("T0ken-Value");
    }

    @Test
    void tokenAuthenticationSendsTheTokenHeaderOnly() {
        assertThat(new TokenSigner("abc").sign("GET", "/api/v3/job/executions"))
                .containsOnly(Map.entry("Authorization", "TC-Token abc"));
    }
}

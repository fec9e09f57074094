package dev.tcjobmonitor.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The simulator's signature check against every vector of shared/reference/hmac-vectors.json
 * (src/test/resources holds a copy): the simulator is the judge of the monitor's signing in every
 * end-to-end test, so it must be right on its own, not by agreeing with the monitor's signer.
 */
class HmacVerifierTest {

    static Stream<JsonNode> vectors() throws IOException {
        try (InputStream in = HmacVerifierTest.class.getResourceAsStream("/hmac-vectors.json")) {
            List<JsonNode> vectors = new ArrayList<>();
            new ObjectMapper().readTree(in).forEach(vectors::add);
            assertThat(vectors).as("the reference's vectors").hasSizeGreaterThanOrEqualTo(5);
            return vectors.stream();
        }
    }

    private static String text(JsonNode vector, String field) {
        return vector.get(field).asText();
    }

    private static HmacVerifier.Credentials credentialsOf(JsonNode vector) {
        return HmacVerifier.credentials(text(vector, "authorization")).orElseThrow();
    }

    private static boolean verifies(JsonNode vector, String secretKey, String method, String target, String timestamp) {
        return HmacVerifier.verifies(secretKey, method, target, timestamp, credentialsOf(vector).signature());
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("vectors")
    void buildsTheReferenceStringToSign(JsonNode vector) {
        assertThat(HmacVerifier.stringToSign(text(vector, "method"), text(vector, "signedPath"), text(vector, "timestamp")))
                .isEqualTo(text(vector, "stringToSign"));
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("vectors")
    void acceptsEveryReferenceSignature(JsonNode vector) {
        assertThat(credentialsOf(vector).accessId()).isEqualTo(text(vector, "accessId"));
        assertThat(verifies(vector, text(vector, "secretKey"), text(vector, "method"), text(vector, "signedPath"),
                text(vector, "timestamp"))).isTrue();
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("vectors")
    void rejectsTheReferenceSignatureForAnyOtherRequest(JsonNode vector) {
        String key = text(vector, "secretKey");
        String method = text(vector, "method");
        String target = text(vector, "signedPath");
        String timestamp = text(vector, "timestamp");

        assertThat(verifies(vector, key + "x", method, target, timestamp)).as("another secret key").isFalse();
        assertThat(verifies(vector, key, "POST", target, timestamp)).as("another method").isFalse();
        assertThat(verifies(vector, key, method, target + "&resultStart=1", timestamp)).as("another query").isFalse();
        assertThat(verifies(vector, key, method, target.replace("/api/", "/API/"), timestamp)).as("another path").isFalse();
        assertThat(verifies(vector, key, method, target, String.valueOf(Long.parseLong(timestamp) + 1))).as("another time").isFalse();
        if (target.contains("?")) {
            assertThat(verifies(vector, key, method, target.substring(0, target.indexOf('?')), timestamp))
                    .as("the query left out of the string to sign").isFalse();
        }
        if (target.contains("%20")) {
            assertThat(verifies(vector, key, method, target.replace("%20", "+"), timestamp))
                    .as("the query encoded otherwise than on the wire").isFalse();
        }
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("vectors")
    void rejectsATamperedSignature(JsonNode vector) {
        String signature = credentialsOf(vector).signature();
        char first = signature.charAt(0);
        String tampered = (first == 'A' ? 'B' : 'A') + signature.substring(1);

        assertThat(HmacVerifier.verifies(text(vector, "secretKey"), text(vector, "method"), text(vector, "signedPath"),
                text(vector, "timestamp"), tampered)).isFalse();
        assertThat(HmacVerifier.verifies(text(vector, "secretKey"), text(vector, "method"), text(vector, "signedPath"),
                text(vector, "timestamp"), signature.replace("=", ""))).as("padding left off").isFalse();
    }

    @Test
    void headersOfAnotherFormCarryNoCredentials() {
        assertThat(HmacVerifier.credentials(null)).isEmpty();
        assertThat(HmacVerifier.credentials("TC-Token abc")).isEmpty();
        assertThat(HmacVerifier.credentials("Bearer abc")).isEmpty();
        assertThat(HmacVerifier.credentials("TC no-signature")).isEmpty();
        assertThat(HmacVerifier.credentials("TC :signature")).isEmpty();
        assertThat(HmacVerifier.credentials("TC id:")).isEmpty();
        assertThat(HmacVerifier.credentials("TC user:with:colons:c2ln")).contains(new HmacVerifier.Credentials("user:with:colons", "c2ln"));
    }

    /** The hand-written Base64 is the RFC's, padding included, for every length modulo three. */
    @Test
    void base64IsRfc4648() {
        // RFC 4648 section 10's test vectors
        assertThat(HmacVerifier.base64(bytes(""))).isEqualTo("");
        assertThat(HmacVerifier.base64(bytes("f"))).isEqualTo("Zg==");
        assertThat(HmacVerifier.base64(bytes("fo"))).isEqualTo("Zm8=");
        assertThat(HmacVerifier.base64(bytes("foo"))).isEqualTo("Zm9v");
        assertThat(HmacVerifier.base64(bytes("foob"))).isEqualTo("Zm9vYg==");
        assertThat(HmacVerifier.base64(bytes("fooba"))).isEqualTo("Zm9vYmE=");
        assertThat(HmacVerifier.base64(bytes("foobar"))).isEqualTo("Zm9vYmFy");
        // every byte value, against the JDK's encoder as a second opinion
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        assertThat(HmacVerifier.base64(all)).isEqualTo(Base64.getEncoder().encodeToString(all));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}

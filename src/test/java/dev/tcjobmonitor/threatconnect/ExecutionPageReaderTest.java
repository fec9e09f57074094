package dev.tcjobmonitor.threatconnect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading one response of {@code /v3/job/executions}. */
class ExecutionPageReaderTest {

    /** Messages are meant for one log line: a short fixed text plus a 200-character excerpt at most. */
    private static final int MAX_MESSAGE = 300;

    private final ExecutionPageReader reader = new ExecutionPageReader();

    private static InputStream body(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private ExecutionPage read(int status, String text) {
        return reader.read(status, body(text));
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertRefused(int status, String text) {
        return assertThatThrownBy(() -> read(status, text))
                .isInstanceOf(ThreatConnectException.class)
                .satisfies(e -> assertThat(e.getMessage())
                        .doesNotContain("\n", "\r")
                        .hasSizeLessThanOrEqualTo(MAX_MESSAGE));
    }

    @Nested
    class GoodPages {

        @Test
        void pageWithDataAndNext() {
            ExecutionPage page = read(200, """
                    {"status":"Success",
                     "data":[{"id":2,"jobId":17,"status":"Failed"},{"id":1,"jobId":17,"status":"Failed"}],
                     "next":"https://tc.example/api/v3/job/executions?tql=x&resultStart=2&resultLimit=2",
                     "countFailure":2,"countSuccess":0}""");

            assertThat(page.executions()).extracting(e -> e.fields().get("id").asLong()).containsExactly(2L, 1L);
            assertThat(page.next()).contains("https://tc.example/api/v3/job/executions?tql=x&resultStart=2&resultLimit=2");
        }

        @Test
        void pageWithoutNextIsTheLast() {
            ExecutionPage page = read(200, "{\"status\":\"Success\",\"data\":[{\"id\":1}]}");

            assertThat(page.executions()).hasSize(1);
            assertThat(page.next()).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"\"", "\"  \"", "null", "42", "{}"})
        void nextThatIsBlankOrNotTextMeansNoNext(String next) {
            ExecutionPage page = read(200, "{\"status\":\"Success\",\"data\":[],\"next\":" + next + "}");

            assertThat(page.next()).isEmpty();
        }

        @Test
        void nextLinkIsKeptRawForTheCallerToCheck() {
            String next = "/api/v3/job/executions?tql=failedTime%20%3E%20%22x%22&resultStart=100";
            ExecutionPage page = read(200, "{\"status\":\"Success\",\"data\":[],\"next\":\"" + next + "\"}");

            assertThat(page.next()).contains(next);
        }

        @Test
        void emptyDataIsAGoodEmptyPage() {
            ExecutionPage page = read(200, "{\"status\":\"Success\",\"data\":[]}");

            assertThat(page.executions()).isEmpty();
            assertThat(page.next()).isEmpty();
        }

        @Test
        void anyTwoHundredStatusCounts() {
            assertThat(read(203, "{\"status\":\"Success\",\"data\":[{\"id\":1}]}").executions()).hasSize(1);
            assertThat(read(299, "{\"status\":\"Success\",\"data\":[]}").executions()).isEmpty();
        }

        @Test
        void executionsArePassedThroughExactlyIncludingUnknownFields() throws IOException {
            String execution = "{\"id\":5,\"jobId\":17,\"status\":\"Failed\",\"score\":1.10,\"ratio\":3.0,"
                    + "\"big\":12345678901234567890,\"tiny\":1E-30,"
                    + "\"custom\":{\"nested\":[1,\"two\",{\"three\":3.00}],\"flag\":true,\"nothing\":null},"
                    + "\"exitMessage\":\"line 1\\nline 2 \\\"quoted\\\" \\u00e9\"}";

            ExecutionPage page = read(200, "{\"status\":\"Success\",\"data\":[" + execution + "]}");

            JsonNode only = page.executions().get(0).fields();
            assertThat(only.get("score").decimalValue()).isEqualTo(new BigDecimal("1.10"));
            assertThat(only.get("score").decimalValue().scale()).isEqualTo(2);
            assertThat(only.get("big").bigIntegerValue()).isEqualTo(new BigInteger("12345678901234567890"));
            assertThat(only.at("/custom/nested/2/three").decimalValue()).isEqualTo(new BigDecimal("3.00"));
            assertThat(only.get("exitMessage").asText()).isEqualTo("line 1\nline 2 \"quoted\" \u00e9");
            assertThat(only.get("score").toString()).isEqualTo("1.10");
            assertThat(only.toString()).contains("\"score\":1.10", "\"ratio\":3.0", "\"three\":3.00",
                    "\"big\":12345678901234567890", "\"custom\":{\"nested\":[1,\"two\",{\"three\":3.00}],\"flag\":true,\"nothing\":null}");
            assertThat(only.toString()).isEqualTo(ExecutionPageReader.JSON.readTree(execution).toString());
        }

        @Test
        void executionsKeepTheirFieldOrderAndTheirOrderOnThePage() {
            ExecutionPage page = read(200,
                    "{\"status\":\"Success\",\"data\":[{\"z\":1,\"a\":2},{\"id\":9},{\"id\":3}]}");

            assertThat(page.executions().get(0).fields().fieldNames()).toIterable().containsExactly("z", "a");
            assertThat(page.executions()).extracting(e -> e.fields().toString())
                    .containsExactly("{\"z\":1,\"a\":2}", "{\"id\":9}", "{\"id\":3}");
        }
    }

    @Nested
    class RefusedPages {

        @Test
        void unauthorizedNamesTheHttpStatusAndThreatConnectsMessage() {
            assertRefused(401, """
                    {"status":"Error","errCode":"0x1001","message":"Signature Data Did Not Match Expected Result"}""")
                    .hasMessageContaining("401")
                    .hasMessageContaining("Signature Data Did Not Match Expected Result")
                    .hasMessageContaining("Error");
        }

        @Test
        void errorEnvelopeWithHttp200IsRefused() {
            assertRefused(200, "{\"status\":\"Error\",\"message\":\"Invalid TQL: unknown field 'x'\"}")
                    .hasMessageContaining("HTTP 200")
                    .hasMessageContaining("Invalid TQL: unknown field 'x'");
        }

        @Test
        void successEnvelopeWithAnErrorHttpStatusIsRefused() {
            assertRefused(500, "{\"status\":\"Success\",\"data\":[{\"id\":1}]}")
                    .hasMessageContaining("HTTP 500");
        }

        @Test
        void missingStatusIsRefused() {
            assertRefused(200, "{\"data\":[{\"id\":1}]}")
                    .hasMessageContaining("status missing")
                    .hasMessageContaining("(no message)");
        }

        @Test
        void statusIsMatchedExactly() {
            assertRefused(200, "{\"status\":\"success\",\"data\":[]}").hasMessageContaining("status success");
        }

        @Test
        void truncatedJsonIsRefusedAsNotValidJson() {
            assertRefused(200, "{\"status\":\"Success\",\"data\":[{\"id\":1,\"jobId\":")
                    .hasMessageContaining("HTTP 200")
                    .hasMessageContaining("not valid JSON");
        }

        @Test
        void emptyBodyIsRefused() {
            assertRefused(200, "").hasMessageContaining("HTTP 200").hasMessageContaining("empty body");
        }

        @Test
        void whitespaceBodyIsRefusedAsEmpty() {
            assertRefused(204, "  \r\n ").hasMessageContaining("empty body");
        }

        @Test
        void missingBodyIsRefusedAsEmpty() {
            assertThatThrownBy(() -> reader.read(204, null))
                    .isInstanceOf(ThreatConnectException.class)
                    .hasMessageContaining("HTTP 204")
                    .hasMessageContaining("empty body");
        }

        @Test
        void htmlErrorPageFromAProxyIsRefused() {
            assertRefused(502, """
                    <html>
                    <head><title>502 Bad Gateway</title></head>
                    <body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body>
                    </html>
                    """)
                    .hasMessageContaining("HTTP 502")
                    .hasMessageMatching(".*not (valid )?JSON.*");
        }

        @Test
        void missingDataIsRefused() {
            assertRefused(200, "{\"status\":\"Success\"}")
                    .hasMessageContaining("no data array")
                    .hasMessageContaining("data is missing");
        }

        @ParameterizedTest
        @ValueSource(strings = {"{}", "\"rows\"", "null", "3"})
        void dataThatIsNotAnArrayIsRefused(String data) {
            assertRefused(200, "{\"status\":\"Success\",\"data\":" + data + "}")
                    .hasMessageContaining("no data array");
        }

        @Test
        void dataAsAnObjectSaysWhatItWas() {
            assertRefused(200, "{\"status\":\"Success\",\"data\":{\"id\":1}}").hasMessageContaining("data is object");
        }

        @Test
        void topLevelArrayIsRefused() {
            assertRefused(200, "[{\"id\":1},{\"id\":2}]")
                    .hasMessageContaining("not an object")
                    .hasMessageContaining("[{\"id\":1}");
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"Success\"", "42", "true", "null"})
        void topLevelScalarIsRefused(String body) {
            assertRefused(200, body).hasMessageContaining("not an object");
        }

        @Test
        void hugeMultiLineServerMessageIsCutToOneShortLine() {
            StringBuilder message = new StringBuilder();
            for (int i = 0; i < 2_000; i++) {
                message.append("stack frame ").append(i).append("\\r\\n\\tat com.example.Thing.method(Thing.java:")
                        .append(i).append(")\\n");
            }
            assertRefused(500, "{\"status\":\"Error\",\"message\":\"" + message + "\"}")
                    .hasMessageContaining("HTTP 500")
                    .hasMessageContaining("stack frame 0 at com.example.Thing.method(Thing.java:0)")
                    .hasMessageEndingWith("...");
        }

        @Test
        void hugeTopLevelArrayIsCutToOneShortLine() {
            StringBuilder array = new StringBuilder("[");
            for (int i = 0; i < 1_000; i++) {
                array.append(i == 0 ? "" : ",\n").append("{\"id\":").append(i).append('}');
            }
            assertRefused(200, array.append(']').toString()).hasMessageContaining("not an object");
        }

        @Test
        void hugeHtmlBodyIsCutToOneShortLine() {
            assertRefused(502, "<html>\n" + "<p>Bad gateway</p>\n".repeat(5_000) + "</html>")
                    .hasMessageContaining("HTTP 502");
        }

        @ParameterizedTest
        @ValueSource(ints = {200, 503})
        void hugeBareWordBodyIsCutToOneShortLine(int status) {
            assertRefused(status, "Service" + "x".repeat(1_000)).hasMessageContaining("HTTP " + status);
        }

        @Test
        void hugeMultiLineStatusIsCutToOneShortLine() {
            assertRefused(500, "{\"status\":\"" + "Error\\n".repeat(500) + "\",\"message\":\"m\"}")
                    .hasMessageContaining("HTTP 500");
        }

        @Test
        void messageThatIsNotTextIsStillOneLine() {
            assertRefused(400, "{\"status\":\"Error\",\"message\":{\"detail\":\"x\\ny\"}}").hasMessageContaining("HTTP 400");
        }
    }
}

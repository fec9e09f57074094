package dev.tcjobmonitor.benchmark;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tcjobmonitor.threatconnect.ApiEndpoint;
import dev.tcjobmonitor.threatconnect.HmacSigner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The simulator's share of a poll: every page of a window fetched, signed, read to the last byte
 * and thrown away (only {@code next} is picked out). What a poll costs beyond this is the client's.
 */
final class BareFetch {

    private static final JsonFactory JSON = new JsonFactory();

    private final ApiEndpoint endpoint;
    private final HmacSigner signer;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    BareFetch(String baseUrl, String accessId, String secretKey) {
        this.endpoint = ApiEndpoint.of(baseUrl);
        this.signer = new HmacSigner(accessId, secretKey, Clock.systemUTC());
    }

    /** Fetches the whole window starting at {@code windowStart}; returns the number of bytes read. */
    long fetchAll(Instant windowStart, int pageSize) throws IOException, InterruptedException {
        return fetch(windowStart, pageSize, Integer.MAX_VALUE)[1];
    }

    /** Fetches at most {@code maxPages} pages of the window; returns {pages, bytes}. */
    long[] fetch(Instant windowStart, int pageSize, int maxPages) throws IOException, InterruptedException {
        String tql = "status IN (\"Failed\") AND failedTime > \"" + windowStart.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"";
        URI page = endpoint.executionsUrl(tql, pageSize);
        long bytes = 0;
        long pages = 0;
        while (page != null && pages < maxPages) {
            pages++;
            HttpRequest.Builder request = HttpRequest.newBuilder(page).GET().timeout(Duration.ofSeconds(60))
                    .header("Accept", "application/json");
            signer.sign("GET", ApiEndpoint.pathAndQuery(page)).forEach(request::header);
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode() + ": " + new String(response.body()));
            }
            bytes += response.body().length;
            page = next(response.body());
        }
        return new long[] {pages, bytes};
    }

    private URI next(byte[] body) throws IOException {
        try (JsonParser parser = JSON.createParser(body)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if (name.equals("next")) {
                    return endpoint.sameOrigin(parser.getText());
                }
                parser.skipChildren();
            }
        }
        return null;
    }
}

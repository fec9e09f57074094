package dev.tcjobmonitor.benchmark;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The floor: a minimal, single-threaded, hand-written program doing what one {@code --once} poll of
 * the monitor does for the file sink, with the JDK HTTP client and Jackson's streaming parser only
 * (no Camel, no databind, no logging framework). Same inputs (the monitor's environment variables),
 * same outputs (byte-identical alert lines apart from {@code detectedAt}, same delivered-ids ledger,
 * same watermark file), same crash guarantee:
 * <ul>
 * <li>window: watermark minus {@code MONITOR_OVERLAP}, or now minus {@code MONITOR_LOOKBACK};</li>
 * <li>every page request signed anew (ThreatConnect HMAC: {@code TC id:Base64(HMAC-SHA256(path?query:GET:ts))});</li>
 * <li>{@code next} followed only to tc.base-url's scheme, host and port;</li>
 * <li>a page counts only when HTTP 2xx and {@code "status":"Success"} with a {@code data} array: its
 * kept failures are delivered after the whole page was read and checked, as the monitor does;</li>
 * <li>kept: status {@code Failed} (case-insensitive) and failedTime inside the window (or unreadable),
 * and an id not in {@code delivered-file.tsv};</li>
 * <li>each alert line is appended in one write, then its id in one write (so a crash duplicates
 * at most one alert, never loses one); an unterminated last line is cut before the first append;</li>
 * <li>the watermark is replaced atomically (temp file, fsync, rename) after the last page; then
 * delivered ids older than the retention are forgotten, as the monitor does.</li>
 * </ul>
 * What it leaves out, because a successful benchmark run never needs it: retries with backoff,
 * other sinks, health, dead letters, notices, token auth, TLS options. On any error it exits 1.
 */
public final class FloorMonitor {

    private static final String MONITOR = "default";
    private static final String SINK = "file";
    private static final String STATUS = "Failed";
    private static final String TIME_FIELD = "failedTime";
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Duration MIN_MEMORY = Duration.ofDays(1);

    private final JsonFactory json = new JsonFactoryBuilder().rootValueSeparator((String) null).build();
    private final URI base;
    private final String baseUrl;
    private final String accessId;
    private final SecretKeySpec key;
    private final int pageSize;
    private final Duration lookback;
    private final Duration overlap;
    private final Path stateDir;
    private final Path alertDir;
    private final HttpClient http;
    private final Map<String, Long> delivered = new HashMap<>();
    private FileChannel ledger;
    private FileChannel alertFile;
    private Path alertPath;

    // counters for the summary line
    private int pages;
    private int executions;
    private int failures;
    private int newFailures;

    private FloorMonitor(Map<String, String> env) {
        baseUrl = env.getOrDefault("TC_BASE_URL", "https://app.threatconnect.com/api").strip().replaceAll("/+$", "");
        base = URI.create(baseUrl);
        accessId = require(env, "TC_ACCESS_ID");
        key = new SecretKeySpec(require(env, "TC_SECRET_KEY").getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        pageSize = Integer.parseInt(env.getOrDefault("MONITOR_PAGE_SIZE", "1000"));
        lookback = Duration.parse(env.getOrDefault("MONITOR_LOOKBACK", "PT1H"));
        overlap = Duration.parse(env.getOrDefault("MONITOR_OVERLAP", "PT10M"));
        stateDir = Path.of(env.getOrDefault("MONITOR_STATE_DIR", "data/state")).resolve(MONITOR);
        alertDir = Path.of(env.getOrDefault("SINK_FILE_DIRECTORY", "data/alerts"));
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(Long.parseLong(env.getOrDefault("TC_CONNECT_TIMEOUT", "10000"))))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public static void main(String[] args) {
        try {
            new FloorMonitor(System.getenv()).poll();
        } catch (Exception e) {
            System.err.println("floor: poll failed: " + e);
            System.exit(1);
        }
        System.exit(0);
    }

    private void poll() throws Exception {
        long started = System.nanoTime();
        Files.createDirectories(stateDir);
        Path watermarkFile = stateDir.resolve("watermark");
        Path ledgerFile = stateDir.resolve("delivered-" + SINK + ".tsv");
        loadLedger(ledgerFile);
        ledger = FileChannel.open(ledgerFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);

        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant windowStart = Files.exists(watermarkFile)
                ? Instant.parse(Files.readString(watermarkFile).strip()).minus(overlap)
                : now.minus(lookback);
        String tql = "status IN (\"" + STATUS + "\") AND " + TIME_FIELD + " > \"" + windowStart + "\"";
        URI page = URI.create(baseUrl + "/v3/job/executions?tql=" + encode(tql) + "&resultLimit=" + pageSize);
        try {
            while (page != null) {
                page = readPage(page, windowStart);
            }
        } finally {
            ledger.close();
            if (alertFile != null) {
                alertFile.close();
            }
        }
        writeAtomically(watermarkFile, now + "\n");
        forgetDeliveredBefore(ledgerFile, now.minus(overlap).minus(overlap.compareTo(MIN_MEMORY) > 0 ? overlap : MIN_MEMORY));
        System.out.printf("Poll of '%s' done in %d ms: window %s..%s, %d page(s), %d execution(s), %d failed, %d new, delivered %s=%d%n",
                MONITOR, (System.nanoTime() - started) / 1_000_000, windowStart, now, pages, executions, failures,
                newFailures, SINK, newFailures);
    }

    /** One page: signed GET, streamed parse, checks, then delivery of its new failures. Returns the next page or null. */
    private URI readPage(URI page, Instant windowStart) throws Exception {
        String pathAndQuery = page.getRawQuery() == null ? page.getRawPath() : page.getRawPath() + "?" + page.getRawQuery();
        long timestamp = Instant.now().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(page)
                .GET()
                .timeout(Duration.ofMillis(60_000))
                .header("Accept", "application/json")
                .header("Timestamp", Long.toString(timestamp))
                .header("Authorization", sign(pathAndQuery + ":GET:" + timestamp))
                .build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        Instant detectedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<Kept> kept = new ArrayList<>();
        String status = null;
        String next = null;
        boolean sawData = false;
        int onPage = 0;
        try (InputStream body = response.body(); JsonParser parser = json.createParser(body)) {
            if (response.statusCode() < 200 || response.statusCode() > 299) {
                throw new IOException("ThreatConnect answered HTTP " + response.statusCode() + ": "
                        + new String(body.readNBytes(500), StandardCharsets.UTF_8));
            }
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("the answer is not a JSON object");
            }
            ByteArrayBuilder buffer = new ByteArrayBuilder(1024);
            try (JsonGenerator out = json.createGenerator(buffer)) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    switch (field) {
                        case "data" -> {
                            if (value != JsonToken.START_ARRAY) {
                                throw new IOException("data is not an array");
                            }
                            sawData = true;
                            while (parser.nextToken() != JsonToken.END_ARRAY) {
                                onPage++;
                                Kept alert = readExecution(parser, out, buffer, windowStart, detectedAt);
                                if (alert != null) {
                                    kept.add(alert);
                                }
                            }
                        }
                        case "status" -> status = parser.getValueAsString();
                        case "next" -> next = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                        default -> parser.skipChildren();
                    }
                }
            }
        }
        if (!"Success".equals(status) || !sawData) {
            throw new IOException("ThreatConnect answered status " + status + (sawData ? "" : " without a data array"));
        }
        URI nextPage = next == null || next.isBlank() ? null : sameOrigin(next);
        pages++;
        executions += onPage;
        deliver(kept, detectedAt);
        return nextPage;
    }

    private record Kept(String key, long eventSecond, byte[] line) {
    }

    /**
     * Copies one element of {@code data} (exactly: numbers keep their text) into {@code buffer} while
     * picking out id, status and failedTime; returns it with the monitor object appended when it is a
     * failure of the window that the file sink does not have yet, otherwise null.
     */
    private Kept readExecution(JsonParser parser, JsonGenerator out, ByteArrayBuilder buffer, Instant windowStart,
            Instant detectedAt) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return null;
        }
        buffer.reset();
        out.writeStartObject();
        String id = null;
        String status = null;
        String time = null;
        Set<String> monitorNames = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            out.writeFieldName(name);
            JsonToken value = parser.nextToken();
            if (value.isScalarValue()) {
                if (value != JsonToken.VALUE_NULL) {
                    switch (name) {
                        case "id" -> id = value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_STRING ? parser.getText() : null;
                        case "status" -> status = parser.getText();
                        case TIME_FIELD -> time = parser.getText();
                        default -> {
                        }
                    }
                }
                out.copyCurrentEventExact(parser);
            } else {
                copyStructure(parser, out);
            }
            if (name.endsWith("monitor")) {
                if (monitorNames == null) {
                    monitorNames = new HashSet<>();
                }
                monitorNames.add(name);
            }
        }
        Instant eventTime = parseInstant(time);
        boolean keep = STATUS.equalsIgnoreCase(status) && (eventTime == null || eventTime.isAfter(windowStart));
        if (!keep) {
            out.writeEndObject();
            out.flush();
            return null;
        }
        failures++;
        String key;
        if (id != null && SAFE_ID.matcher(id).matches()) {
            key = id;
        } else {
            // as the monitor: a digest of the record as sent (compact JSON) identifies it
            out.flush();
            byte[] record = buffer.toByteArray();
            key = "sha256:" + sha256(record, (byte) '}');
        }
        if (delivered.containsKey(key)) {
            out.writeEndObject();
            out.flush();
            return null;
        }
        String field = "monitor";
        while (monitorNames != null && monitorNames.contains(field)) {
            field = "_" + field;
        }
        out.writeObjectFieldStart(field);
        out.writeStringField("instance", MONITOR);
        out.writeStringField("baseUrl", baseUrl);
        out.writeStringField("detectedAt", detectedAt.toString());
        out.writeEndObject();
        out.writeEndObject();
        out.writeRaw('\n');
        out.flush();
        byte[] line = buffer.toByteArray();
        buffer.reset();
        return new Kept(key, (eventTime == null ? detectedAt : eventTime).getEpochSecond(), line);
    }

    private static String sha256(byte[] bytes, byte last) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes);
            digest.update(last);
            return HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copyStructure(JsonParser parser, JsonGenerator out) throws IOException {
        int depth = 0;
        do {
            JsonToken token = parser.currentToken();
            if (token.isStructStart()) {
                depth++;
            } else if (token.isStructEnd()) {
                depth--;
            }
            out.copyCurrentEventExact(parser);
        } while (depth > 0 && parser.nextToken() != null);
    }

    /** Each alert: its line in one write, then its id in one write. */
    private void deliver(List<Kept> kept, Instant detectedAt) throws IOException {
        if (kept.isEmpty()) {
            return;
        }
        Path file = alertDir.resolve("failures-" + LocalDate.ofInstant(detectedAt, ZoneOffset.UTC) + ".jsonl");
        if (!file.equals(alertPath)) {
            if (alertFile != null) {
                alertFile.close();
            }
            Files.createDirectories(alertDir);
            alertFile = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            cutUnterminatedLastLine(alertFile);
            alertFile.position(alertFile.size());
            alertPath = file;
        }
        for (Kept alert : kept) {
            if (delivered.containsKey(alert.key())) {
                continue; // the same id twice in one window
            }
            writeFully(alertFile, ByteBuffer.wrap(alert.line()));
            writeFully(ledger, ByteBuffer.wrap((alert.key() + "\t" + alert.eventSecond() + "\n").getBytes(StandardCharsets.UTF_8)));
            delivered.put(alert.key(), alert.eventSecond());
            newFailures++;
        }
    }

    private void loadLedger(Path file) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        byte[] bytes = Files.readAllBytes(file);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        if (end < bytes.length) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(end);
            }
        }
        String content = new String(bytes, 0, end, StandardCharsets.UTF_8);
        int start = 0;
        while (start < content.length()) {
            int newline = content.indexOf('\n', start);
            int tab = content.indexOf('\t', start);
            if (tab > start && tab < newline) {
                try {
                    delivered.put(content.substring(start, tab), Long.parseLong(content, tab + 1, newline, 10));
                } catch (NumberFormatException ignored) {
                    // a damaged line proves no delivery
                }
            }
            start = newline + 1;
        }
    }

    private void forgetDeliveredBefore(Path file, Instant cutoff) {
        long second = cutoff.getEpochSecond();
        if (delivered.values().removeIf(epochSecond -> epochSecond < second)) {
            StringBuilder content = new StringBuilder(delivered.size() * 24);
            delivered.forEach((id, epochSecond) -> content.append(id).append('\t').append(epochSecond).append('\n'));
            writeAtomically(file, content.toString());
        }
    }

    private static void writeAtomically(Path target, String content) {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(channel, ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void cutUnterminatedLastLine(FileChannel channel) throws IOException {
        long size = channel.size();
        long end = size;
        ByteBuffer one = ByteBuffer.allocate(1);
        while (end > 0) {
            one.clear();
            channel.read(one, end - 1);
            if (one.get(0) == '\n') {
                break;
            }
            end--;
        }
        if (end < size) {
            channel.truncate(end);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private URI sameOrigin(String link) throws IOException {
        URI uri = base.resolve(URI.create(link));
        if (!base.getScheme().equalsIgnoreCase(uri.getScheme()) || !base.getHost().equalsIgnoreCase(uri.getHost())
                || port(base) != port(uri)) {
            throw new IOException("refused to follow a next link to another origin: " + uri.getHost());
        }
        return uri;
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private String sign(String stringToSign) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(key);
        return "TC " + accessId + ":" + Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    }

    private static Instant parseInstant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** RFC 3986 unreserved characters stay, every other byte is %XX (spaces as %20), as ThreatConnect signs it. */
    static String encode(String value) {
        StringBuilder out = new StringBuilder(value.length() + 32);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    private static String require(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is not set");
        }
        return value;
    }
}

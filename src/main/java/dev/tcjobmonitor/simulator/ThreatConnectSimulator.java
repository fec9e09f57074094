package dev.tcjobmonitor.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A local stand-in for a ThreatConnect instance, speaking real HTTP on loopback: {@code GET
 * /api/v3/job/executions} with TQL filtering and {@code next} paging, {@code GET /api/v3/jobs/{id}}
 * for job names, HMAC and token checks with
 * ThreatConnect's error bodies, and a fault queue for tests. Used by {@code --demo} and the tests.
 *
 * <p>It shares no code with the monitor ({@code dev.tcjobmonitor.threatconnect}): signatures are
 * checked by {@link HmacVerifier} and {@code next} links encoded here, both written from the
 * reference, so that a mistake in the monitor's signing or encoding fails the tests instead of
 * being agreed with.
 */
public final class ThreatConnectSimulator implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String API = "/api";
    private static final String EXECUTIONS = API + "/v3/job/executions";
    private static final String JOBS = API + "/v3/jobs/";
    private static final long MAX_SKEW_SECONDS = 300;
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 10_000;

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<ObjectNode> executions = new CopyOnWriteArrayList<>();
    /** Bumped by every added execution: what a query matched before may have changed. */
    private final AtomicLong changes = new AtomicLong();
    private final Map<String, Matches> recentMatches = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Matches> eldest) {
            return size() > 8;
        }
    };
    private final Map<Long, ObjectNode> jobs = new ConcurrentHashMap<>();
    private final Queue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicLong nextId = new AtomicLong(1000);
    private final Map<String, String> hmacUsers = new LinkedHashMap<>();
    private final List<String> tokens = new CopyOnWriteArrayList<>();
    private volatile Clock clock = Clock.systemUTC();
    /** How much of a query's tql this instance honours: a lasting misbehaviour, unlike a fault. */
    private volatile boolean tqlIgnored;
    /** A broken or hostile server: every page's next link asks for that page again. */
    private volatile boolean nextLinksLoop;
    private volatile Set<String> tqlFieldsIgnored = Set.of();

    private ThreatConnectSimulator(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts on a free loopback port. */
    public static ThreatConnectSimulator start() {
        return start(0);
    }

    public static ThreatConnectSimulator start(int port) {
        return start(port, null);
    }

    /** Starts on a free loopback port, speaking HTTPS with the key in {@code tls}. */
    public static ThreatConnectSimulator startHttps(javax.net.ssl.SSLContext tls) {
        return start(0, tls);
    }

    private static ThreatConnectSimulator start(int port, javax.net.ssl.SSLContext tls) {
        try {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            HttpServer server;
            if (tls == null) {
                server = HttpServer.create(address, 64);
            } else {
                com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(address, 64);
                https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
                server = https;
            }
            ExecutorService executor = Executors.newFixedThreadPool(4, runnable -> {
                Thread thread = new Thread(runnable, "tc-simulator");
                thread.setDaemon(true);
                return thread;
            });
            ThreatConnectSimulator simulator = new ThreatConnectSimulator(server, executor);
            server.createContext("/", simulator::handle);
            server.setExecutor(executor);
            server.start();
            return simulator;
        } catch (IOException e) {
            throw new IllegalStateException("the ThreatConnect simulator cannot listen on port " + port, e);
        }
    }

    /** The API root to configure as {@code tc.base-url}. */
    public String baseUrl() {
        String scheme = server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http";
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + API;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public synchronized ThreatConnectSimulator withHmacUser(String accessId, String secretKey) {
        hmacUsers.put(accessId, secretKey);
        return this;
    }

    public ThreatConnectSimulator withApiToken(String token) {
        tokens.add(token);
        return this;
    }

    /** The simulator's own clock, for NOW() in TQL and the HMAC timestamp check. */
    public void setClock(Clock clock) {
        this.clock = clock;
    }

    // --- data ---------------------------------------------------------------------------------

    /** Adds a failed execution and returns its id. */
    public long addFailed(long jobId, Instant failedTime, String exitMessage) {
        return add(jobId, "Failed", "failedTime", failedTime, exitMessage);
    }

    /** Adds a completed execution and returns its id. */
    public long addCompleted(long jobId, Instant completedTime) {
        return add(jobId, "Completed", "completedTime", completedTime, "Successfully Added Attribute(s).\n");
    }

    /** Adds an execution exactly as given (any fields, any types). */
    public void addExecution(ObjectNode execution) {
        executions.add(execution);
        changes.incrementAndGet();
    }

    /** The executions as added; read them, do not change them (add another instead): answers to queries are kept. */
    public List<ObjectNode> executions() {
        return List.copyOf(executions);
    }

    /**
     * Registers a job for {@code GET /v3/jobs/{id}}; a null {@code displayName} leaves the field out,
     * as for jobs that never had one.
     */
    public void addJob(long id, String name, String displayName) {
        ObjectNode job = JSON.createObjectNode()
                .put("id", id)
                .put("name", name);
        if (displayName != null) {
            job.put("displayName", displayName);
        }
        job.put("programName", "Simulated App").put("active", true);
        jobs.put(id, job);
    }

    private long add(long jobId, String status, String timeField, Instant time, String exitMessage) {
        long id = nextId.incrementAndGet();
        Instant at = time.truncatedTo(ChronoUnit.SECONDS);
        ObjectNode execution = JSON.createObjectNode()
                .put("id", id)
                .put("jobId", jobId)
                .put(timeField, at.toString())
                .put("exitMessage", exitMessage)
                .put("queueTime", at.minusSeconds(5).toString())
                .put("serverName", "tc-job")
                .put("startTime", at.minusSeconds(3).toString())
                .put("status", status);
        executions.add(execution);
        changes.incrementAndGet();
        return id;
    }

    // --- faults and inspection ------------------------------------------------------------------

    /**
     * From now on, every query is answered with every execution (paged as usual), as by an
     * instance that ignores the {@code tql} parameter. Lasts until {@link #honourTql()}: every
     * page of every poll gets it.
     */
    public void ignoreTql() {
        tqlIgnored = true;
        tqlFieldsIgnored = Set.of();
        changes.incrementAndGet(); // answers kept for the old behaviour are stale
    }

    /**
     * From now on, the clauses on these fields count as true (an instance that does not know
     * them), the rest of the query is honoured. Lasts until {@link #honourTql()}.
     */
    public void ignoreTqlClausesOn(String... fields) {
        for (String field : fields) {
            if (!TqlFilter.FIELDS.contains(field)) {
                throw new IllegalArgumentException("not a field of a job execution: " + field);
            }
        }
        tqlIgnored = false;
        tqlFieldsIgnored = Set.of(fields);
        changes.incrementAndGet();
    }

    /**
     * From now on every page answered has a {@code next} link asking for the very same page (a
     * lasting misbehaviour): a client that follows it blindly never stops. {@code false} ends it.
     */
    public void loopNextLinks(boolean loop) {
        nextLinksLoop = loop;
    }

    /** Back to honouring every query in full, the default. */
    public void honourTql() {
        tqlIgnored = false;
        tqlFieldsIgnored = Set.of();
        changes.incrementAndGet();
    }

    /** The next request gets this fault instead of (or on top of) its normal answer. */
    public void enqueueFault(Fault fault) {
        faults.add(fault);
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public void clearRequests() {
        requests.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // --- HTTP ---------------------------------------------------------------------------------

    private void handle(HttpExchange http) throws IOException {
        try (http) {
            String target = http.getRequestURI().getRawPath()
                    + (http.getRequestURI().getRawQuery() == null ? "" : "?" + http.getRequestURI().getRawQuery());
            Map<String, List<String>> headers = new LinkedHashMap<>();
            http.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), List.copyOf(values)));
            requests.add(new RecordedRequest(http.getRequestMethod(), target, headers, Instant.now()));

            Fault fault = faults.poll();
            if (fault != null && !fault.delay().isZero()) {
                sleep(fault.delay());
            }
            SimulatedResponse response = answer(http.getRequestMethod(), target, http);
            if (fault != null) {
                response = fault.rewrite().apply(response);
            }
            if (fault != null && fault.dropsConnectionMidBody()) {
                sendHalfAndDrop(http, response);
            }
            send(http, response);
        }
    }

    private SimulatedResponse answer(String method, String target, HttpExchange http) {
        if (!"GET".equals(method)) {
            return error(405, "Method Not Allowed");
        }
        SimulatedResponse denied = authenticate(method, target, http);
        if (denied != null) {
            return denied;
        }
        String path = http.getRequestURI().getRawPath();
        if (path.startsWith(JOBS)) {
            return job(path);
        }
        if (!path.equals(EXECUTIONS)) {
            return error(404, "Resource not found: " + path);
        }
        return executionsPage(http.getRequestURI().getRawQuery());
    }

    private SimulatedResponse job(String path) {
        String id = path.substring(JOBS.length());
        ObjectNode job = id.matches("[0-9]{1,18}") ? jobs.get(Long.parseLong(id)) : null;
        if (job == null) {
            return error(404, "Resource not found: " + path);
        }
        ObjectNode envelope = JSON.createObjectNode();
        envelope.set("data", job.deepCopy());
        envelope.put("status", "Success");
        return json(200, envelope);
    }

    private synchronized SimulatedResponse authenticate(String method, String target, HttpExchange http) {
        String authorization = http.getRequestHeaders().getFirst("Authorization");
        if (authorization == null) {
            return error(401, "No Authorization header");
        }
        if (authorization.startsWith("TC-Token ")) {
            return tokens.contains(authorization.substring("TC-Token ".length())) ? null : error(401, "Invalid token");
        }
        HmacVerifier.Credentials credentials = HmacVerifier.credentials(authorization).orElse(null);
        if (credentials == null) {
            return error(401, "Signature Data Did Not Match Expected Result");
        }
        String timestamp = http.getRequestHeaders().getFirst("Timestamp");
        long seconds;
        try {
            seconds = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            return error(401, "Signature Data Did Not Match Expected Result");
        }
        if (Math.abs(clock.instant().getEpochSecond() - seconds) > MAX_SKEW_SECONDS) {
            return error(401, "Timestamp Out of Acceptable Time Range");
        }
        String secretKey = hmacUsers.get(credentials.accessId());
        // the timestamp is signed as its header reads, the target as it came over the wire
        if (secretKey == null || !HmacVerifier.verifies(secretKey, method, target, timestamp, credentials.signature())) {
            return error(401, "Signature Data Did Not Match Expected Result");
        }
        return null;
    }

    private SimulatedResponse executionsPage(String rawQuery) {
        Map<String, String> query = parseQuery(rawQuery);
        String tql = query.getOrDefault("tql", "");
        int start;
        int limit;
        try {
            start = Integer.parseInt(query.getOrDefault("resultStart", "0"));
            limit = Integer.parseInt(query.getOrDefault("resultLimit", String.valueOf(DEFAULT_LIMIT)));
        } catch (NumberFormatException e) {
            return error(400, "resultStart and resultLimit must be integers");
        }
        if (start < 0 || limit < 1 || limit > MAX_LIMIT) {
            return error(400, "resultLimit must be between 1 and " + MAX_LIMIT);
        }
        Matches matches;
        try {
            matches = matches(tql);
        } catch (IllegalArgumentException e) {
            return error(400, "Invalid TQL: " + e.getMessage());
        }
        List<ObjectNode> matching = matches.executions();

        ObjectNode envelope = JSON.createObjectNode();
        ArrayNode data = envelope.putArray("data");
        int end = Math.min(matching.size(), start + limit);
        for (int i = start; i < end; i++) {
            data.add(matching.get(i));
        }
        long failed = matches.failed();
        if (nextLinksLoop) {
            envelope.put("next", baseUrl() + "/v3/job/executions?" + rawQuery);
        } else if (end < matching.size()) {
            envelope.put("next", baseUrl() + "/v3/job/executions?tql=" + encodeQueryValue(tql)
                    + "&resultStart=" + end + "&resultLimit=" + limit);
        }
        envelope.put("status", "Success");
        envelope.put("countFailure", failed);
        envelope.put("countSuccess", matching.size() - failed);
        return json(200, envelope);
    }

    /**
     * The executions {@code tql} matches, newest first. Every page of a poll asks the same query:
     * the answer is kept (for the last few queries) until an execution is added, so a page costs
     * slicing, not filtering and sorting all executions again. A query that reads the clock
     * (NOW()) is answered afresh each time.
     */
    private Matches matches(String tql) {
        long version = changes.get();
        List<ObjectNode> source = executions;
        synchronized (recentMatches) {
            Matches kept = recentMatches.get(tql);
            if (kept != null && kept.version() == version && kept.source() == source) {
                return kept;
            }
        }
        ClockReads clockReads = new ClockReads(clock);
        Predicate<JsonNode> filter = tqlIgnored ? execution -> true : TqlFilter.compile(tql, clockReads, tqlFieldsIgnored);
        List<ObjectNode> matching = new ArrayList<>();
        for (ObjectNode execution : source) {
            if (filter.test(execution)) {
                matching.add(execution);
            }
        }
        matching.sort(Comparator.comparingLong((ObjectNode e) -> e.path("id").asLong()).reversed());
        long failed = matching.stream().filter(e -> "Failed".equals(e.path("status").asText())).count();
        Matches matches = new Matches(version, source, List.copyOf(matching), failed);
        if (!clockReads.wasRead()) {
            synchronized (recentMatches) {
                recentMatches.put(tql, matches);
            }
        }
        return matches;
    }

    /**
     * A query's answer, valid while no execution was added since ({@code version}) and the list it
     * came from is still the simulator's.
     */
    private record Matches(long version, List<ObjectNode> source, List<ObjectNode> executions, long failed) {
    }

    /** The simulator's clock, noting whether compiling a query read it. */
    private static final class ClockReads extends Clock {

        private final Clock clock;
        private final AtomicBoolean read;

        ClockReads(Clock clock) {
            this(clock, new AtomicBoolean());
        }

        private ClockReads(Clock clock, AtomicBoolean read) {
            this.clock = clock;
            this.read = read;
        }

        boolean wasRead() {
            return read.get();
        }

        @Override
        public ZoneId getZone() {
            return clock.getZone();
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return new ClockReads(clock.withZone(zone), read);
        }

        @Override
        public Instant instant() {
            read.set(true);
            return clock.instant();
        }
    }

    private static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.put(name, value);
            }
        }
        return query;
    }

    /**
     * A query value as the reference's encoded example writes it ({@code
     * tql=completedTime%20%3E%20%22NOW()%20-%201%20HOUR%22}): spaces as {@code %20}, and {@code ( ) ! * '}
     * left as they are, as JavaScript's encodeURIComponent does. The monitor encodes those too; a
     * {@code next} link must be signed and sent exactly as it came, whatever the instance chose.
     */
    static String encodeQueryValue(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            boolean keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-_.!~*'()".indexOf(c) >= 0;
            if (keep) {
                out.append(c);
            } else {
                out.append(String.format("%%%02X", b & 0xFF));
            }
        }
        return out.toString();
    }

    static String errorBody(String message) {
        return JSON.createObjectNode().put("status", "Error").put("errCode", "0x1001").put("message", message).toString();
    }

    private static SimulatedResponse error(int status, String message) {
        return new SimulatedResponse(status, Map.of("Content-Type", "application/json"), errorBody(message));
    }

    private static SimulatedResponse json(int status, JsonNode body) {
        try {
            return new SimulatedResponse(status, Map.of("Content-Type", "application/json"), JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(HttpExchange http, SimulatedResponse response) throws IOException {
        byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
        response.headers().forEach((name, value) -> http.getResponseHeaders().set(name, value));
        http.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = http.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * Announces the whole body, sends half of it, then fails the exchange: the server closes the
     * connection of a handler that throws, and the client's read ends before the announced
     * length. (Closing the body stream short is not enough: the connection would stay open and
     * the client would wait for the rest until its timeout.)
     */
    private static void sendHalfAndDrop(HttpExchange http, SimulatedResponse response) throws IOException {
        byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
        response.headers().forEach((name, value) -> http.getResponseHeaders().set(name, value));
        http.sendResponseHeaders(response.status(), body.length);
        OutputStream out = http.getResponseBody();
        out.write(body, 0, body.length / 2);
        out.flush();
        throw new IOException("simulated: connection dropped after " + body.length / 2 + " of " + body.length + " bytes");
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

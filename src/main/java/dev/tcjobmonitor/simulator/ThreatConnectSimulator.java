package dev.tcjobmonitor.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

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

    private final HttpServer server;
    private final ExecutorService executor;
    /** The instance's job executions and how it answers queries over them. */
    private final SimulatedExecutions executions = new SimulatedExecutions();
    private final Map<Long, ObjectNode> jobs = new ConcurrentHashMap<>();
    private final Queue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final SimulatedAuthentication authentication = new SimulatedAuthentication();
    private volatile Clock clock = Clock.systemUTC();
    /** A broken or hostile server: every page's next link asks for that page again. */
    private volatile boolean nextLinksLoop;
    /** How late every job lookup is answered (a lasting slowness of /v3/jobs only). */
    private volatile Duration jobLookupDelay = Duration.ZERO;

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

    /**
     * The API root by the name the request was sent to (its Host header), as ThreatConnect writes
     * its next links with its own name: a client that knows the server as threatconnect.test
     * (through a proxy that resolves it) gets next links to threatconnect.test.
     */
    private String ownUrl(HttpExchange http) {
        String host = http.getRequestHeaders().getFirst("Host");
        if (host == null || host.isBlank() || !host.matches("[A-Za-z0-9.\\[\\]:-]+")) {
            return baseUrl();
        }
        String scheme = server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http";
        return scheme + "://" + host + API;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public ThreatConnectSimulator withHmacUser(String accessId, String secretKey) {
        authentication.addHmacUser(accessId, secretKey);
        return this;
    }

    public ThreatConnectSimulator withApiToken(String token) {
        authentication.addApiToken(token);
        return this;
    }

    /**
     * The simulator's own clock, for NOW() in TQL and the HMAC timestamp check. Not for the
     * {@code Date} header of its answers: the JDK's HTTP server writes that one from this machine's
     * clock, over any the handler sets (a monitor's clock is moved instead to test a skew).
     */
    public void setClock(Clock clock) {
        this.clock = clock;
    }

    // --- data ---------------------------------------------------------------------------------

    /** Adds a failed execution and returns its id. */
    public long addFailed(long jobId, Instant failedTime, String exitMessage) {
        return executions.add(jobId, "Failed", "failedTime", failedTime, exitMessage);
    }

    /** Adds a completed execution and returns its id. */
    public long addCompleted(long jobId, Instant completedTime) {
        return executions.add(jobId, "Completed", "completedTime", completedTime, "Successfully Added Attribute(s).\n");
    }

    /** Adds an execution exactly as given (any fields, any types). */
    public void addExecution(ObjectNode execution) {
        executions.add(execution);
    }

    /** The executions as added; read them, do not change them (add another instead): answers to queries are kept. */
    public List<ObjectNode> executions() {
        return executions.all();
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

    // --- faults and inspection ------------------------------------------------------------------

    /**
     * From now on, every query is answered with every execution (paged as usual), as by an
     * instance that ignores the {@code tql} parameter. Lasts until {@link #honourTql()}: every
     * page of every poll gets it.
     */
    public void ignoreTql() {
        executions.ignoreTql();
    }

    /**
     * From now on, the clauses on these fields count as true (an instance that does not know
     * them), the rest of the query is honoured. Lasts until {@link #honourTql()}.
     */
    public void ignoreTqlClausesOn(String... fields) {
        executions.ignoreTqlClausesOn(fields);
    }

    /**
     * From now on every page answered has a {@code next} link asking for the very same page (a
     * lasting misbehaviour): a client that follows it blindly never stops. {@code false} ends it.
     */
    public void loopNextLinks(boolean loop) {
        nextLinksLoop = loop;
    }

    /**
     * From now on every {@code GET /v3/jobs/{id}} is answered this late (a lasting slowness of that
     * endpoint alone, unlike a fault, which takes the next request whatever it asks);
     * {@link Duration#ZERO} ends it. The wait holds one of the simulator's four request threads, so
     * requests beyond four in flight wait for a free one before their own delay starts.
     */
    public void delayJobLookups(Duration delay) {
        jobLookupDelay = delay;
    }

    /** Back to honouring every query in full, the default. */
    public void honourTql() {
        executions.honourTql();
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
                ResponseWriter.pause(fault.delay());
            }
            SimulatedResponse response = answer(http.getRequestMethod(), target, http);
            if (fault != null) {
                response = fault.rewrite().apply(response);
            }
            ResponseWriter.send(http, response, fault);
        }
    }

    private SimulatedResponse answer(String method, String target, HttpExchange http) {
        if (!"GET".equals(method)) {
            return SimulatedResponse.error(405, "Method Not Allowed");
        }
        SimulatedResponse denied = authentication.refusal(method, target, http.getRequestHeaders(), clock);
        if (denied != null) {
            return denied;
        }
        String path = http.getRequestURI().getRawPath();
        if (path.startsWith(JOBS)) {
            Duration delay = jobLookupDelay;
            if (!delay.isZero()) {
                ResponseWriter.pause(delay);
            }
            return job(path);
        }
        if (!path.equals(EXECUTIONS)) {
            return SimulatedResponse.error(404, "Resource not found: " + path);
        }
        return executions.page(http.getRequestURI().getRawQuery(), clock, ownUrl(http) + "/v3/job/executions", nextLinksLoop);
    }

    private SimulatedResponse job(String path) {
        String id = path.substring(JOBS.length());
        ObjectNode job = id.matches("[0-9]{1,18}") ? jobs.get(Long.parseLong(id)) : null;
        if (job == null) {
            return SimulatedResponse.error(404, "Resource not found: " + path);
        }
        ObjectNode envelope = JSON.createObjectNode();
        envelope.set("data", job.deepCopy());
        envelope.put("status", "Success");
        return SimulatedResponse.json(200, envelope);
    }
}

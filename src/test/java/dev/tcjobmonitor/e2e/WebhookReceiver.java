package dev.tcjobmonitor.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tcjobmonitor.support.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP endpoint for the custom sink: records every POST it accepts (answering 204), and can
 * be down and come back, or hang: take each request and never answer, until released. It can also
 * answer one status to the requests whose body holds a given text, as an endpoint that takes most
 * alerts but cannot take one (400, 413) or is briefly busy with one (503).
 */
final class WebhookReceiver implements AutoCloseable {

    /** A request: its body, headers, and the path it was sent to. */
    record Received(String body, Map<String, List<String>> headers, String path) {
    }

    private enum Behaviour { ACCEPT, HANG, REFUSE }

    private final int port;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Received> held = new CopyOnWriteArrayList<>();
    private final List<Received> refused = new CopyOnWriteArrayList<>();
    private final CountDownLatch hangEnds = new CountDownLatch(1);
    private volatile Behaviour behaviour = Behaviour.ACCEPT;
    private volatile int refusal = 503;
    /** While accepting: bodies holding this text are answered {@link #refusalStatus} instead. */
    private volatile String refusedText;
    private volatile int refusalStatus;
    private HttpServer server;
    private ExecutorService handlers;

    private WebhookReceiver(int port) {
        this.port = port;
    }

    /**
     * A receiver that is not listening yet: a sink that is down. Its port is chosen now, because
     * the monitor is given the sink's URI before the receiver comes up on it.
     */
    static WebhookReceiver down() {
        return new WebhookReceiver(FreePorts.freePort());
    }

    /**
     * A receiver that is up and answers nothing: each POST is read and its connection held open,
     * unanswered, until {@link #endHang()}. Bound at port 0: it is up before the monitor is given its URI.
     */
    static WebhookReceiver hanging() throws IOException {
        WebhookReceiver receiver = new WebhookReceiver(0);
        receiver.behaviour = Behaviour.HANG;
        return receiver.comeUp();
    }

    String uri() {
        return "http://127.0.0.1:" + port() + "/hook?httpMethod=POST";
    }

    /**
     * A chat-style webhook's address: the path below /hook (e.g. /services/T000/B000/XXXX) is where
     * Slack and Teams put the webhook's secret. Every path below /hook reaches this receiver.
     */
    String url(String secretPath) {
        return url() + secretPath;
    }

    /** Scheme, host and port: how an error names this webhook, without its path. */
    String origin() {
        return "http://127.0.0.1:" + port();
    }

    /** The address alone, for a route that sets the method itself. */
    String url() {
        return "http://127.0.0.1:" + port() + "/hook";
    }

    private int port() {
        return server == null ? port : server.getAddress().getPort();
    }

    WebhookReceiver comeUp() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        // a handler thread per request: a held request must not stop the next one being read
        handlers = Executors.newCachedThreadPool();
        server.setExecutor(handlers);
        server.createContext("/hook", this::handle);
        server.start();
        return this;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Received request = new Received(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                    Map.copyOf(exchange.getRequestHeaders()), exchange.getRequestURI().getRawPath());
            switch (behaviour) {
                case ACCEPT -> {
                    String text = refusedText;
                    if (text != null && request.body().contains(text)) {
                        refused.add(request);
                        exchange.sendResponseHeaders(refusalStatus, -1);
                    } else {
                        received.add(request);
                        exchange.sendResponseHeaders(204, -1);
                    }
                }
                case REFUSE -> {
                    refused.add(request);
                    exchange.sendResponseHeaders(refusal, -1);
                }
                case HANG -> {
                    held.add(request);
                    awaitEndOfHang();
                    // closing the exchange without a response drops the connection unanswered
                }
            }
        }
    }

    private void awaitEndOfHang() {
        try {
            hangEnds.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends the hang: every held connection is closed unanswered, and later requests get HTTP 503. */
    void endHang() {
        refusal = 503;
        behaviour = Behaviour.REFUSE;
        hangEnds.countDown();
    }

    /** From now on, every request is answered HTTP 503. */
    void refuse() {
        refuse(503);
    }

    /** From now on, every request is answered with this HTTP status (e.g. 400, which no retry changes). */
    void refuse(int status) {
        refusal = status;
        behaviour = Behaviour.REFUSE;
    }

    /** From now on, every request is accepted. */
    void accept() {
        behaviour = Behaviour.ACCEPT;
        refusedText = null;
    }

    /** From now on, a request whose body holds {@code text} is answered {@code status}; the others are accepted. */
    WebhookReceiver answer(int status, String text) {
        refusalStatus = status;
        refusedText = text;
        behaviour = Behaviour.ACCEPT;
        return this;
    }

    /** The requests accepted (answered 204), in order. */
    List<Received> received() {
        return List.copyOf(received);
    }

    /** The requests taken while hanging (each held unanswered until the hang ended). */
    List<Received> held() {
        return List.copyOf(held);
    }

    /** The requests refused (answered 503, or the status given to {@link #refuse(int)} or {@link #answer}). */
    List<Received> refused() {
        return List.copyOf(refused);
    }

    @Override
    public void close() {
        hangEnds.countDown();
        if (server != null) {
            server.stop(0);
            handlers.shutdownNow();
            try {
                handlers.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

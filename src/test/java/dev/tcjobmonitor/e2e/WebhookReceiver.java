package dev.tcjobmonitor.e2e;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real HTTP endpoint for the custom sink: records every POST, can be down and come back. */
final class WebhookReceiver implements AutoCloseable {

    record Received(String body, Map<String, List<String>> headers) {
    }

    private final int port;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private HttpServer server;

    private WebhookReceiver(int port) {
        this.port = port;
    }

    /** A receiver with a port of its own that is not listening yet: a sink that is down. */
    static WebhookReceiver down() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new WebhookReceiver(socket.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String uri() {
        return "http://127.0.0.1:" + port + "/hook?httpMethod=POST";
    }

    WebhookReceiver comeUp() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        server.createContext("/hook", exchange -> {
            try (exchange) {
                received.add(new Received(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                        Map.copyOf(exchange.getRequestHeaders())));
                exchange.sendResponseHeaders(204, -1);
            }
        });
        server.start();
        return this;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }
}

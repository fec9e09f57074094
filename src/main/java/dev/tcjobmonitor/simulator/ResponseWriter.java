package dev.tcjobmonitor.simulator;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Puts the simulator's answers on the wire as a fault says: whole, chunked and slow, or cut off
 * half-way through the body with the connection dropped.
 */
final class ResponseWriter {

    private ResponseWriter() {
    }

    /** Sends {@code response} over {@code http} as {@code fault} says (null: as a server normally answers). */
    static void send(HttpExchange http, SimulatedResponse response, Fault fault) throws IOException {
        if (fault != null && fault.dropsConnectionMidBody()) {
            sendHalfAndDrop(http, response);
        }
        send(http, response, fault == null ? Fault.Sending.WHOLE : fault.sending());
    }

    private static void send(HttpExchange http, SimulatedResponse response, Fault.Sending sending) throws IOException {
        byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
        response.headers().forEach((name, value) -> http.getResponseHeaders().set(name, value));
        // 0: chunked, no Content-Length; -1: no body
        http.sendResponseHeaders(response.status(), body.length == 0 ? -1 : sending.announcesLength() ? body.length : 0);
        try (OutputStream out = http.getResponseBody()) {
            if (sending.chunkBytes() == 0) {
                out.write(body);
                return;
            }
            for (int offset = 0; offset < body.length; offset += sending.chunkBytes()) {
                if (offset > 0) {
                    pause(sending.pause());
                }
                // a client that gave up makes this write fail, which ends the answer
                out.write(body, offset, Math.min(sending.chunkBytes(), body.length - offset));
                out.flush();
            }
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

    /** Holds the request's thread for {@code delay} (a slow server), ending early when interrupted. */
    static void pause(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

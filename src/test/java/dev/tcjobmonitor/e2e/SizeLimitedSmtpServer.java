package dev.tcjobmonitor.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real SMTP server on a socket, as small as the protocol allows, with a message size limit as
 * mail servers have one (Postfix's {@code message_size_limit}): a message larger than the limit
 * is read to its end and then refused with the permanent reply {@code 552 5.3.4}; a smaller one
 * is accepted. GreenMail has no such limit, so this one stands in for a server that has.
 */
final class SizeLimitedSmtpServer implements AutoCloseable {

    private final int maxMessageBytes;
    private final ServerSocket socket;
    private final ExecutorService sessions = Executors.newCachedThreadPool();
    private final List<String> accepted = new CopyOnWriteArrayList<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();

    private SizeLimitedSmtpServer(int maxMessageBytes) throws IOException {
        this.maxMessageBytes = maxMessageBytes;
        this.socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    }

    static SizeLimitedSmtpServer start(int maxMessageBytes) throws IOException {
        SizeLimitedSmtpServer server = new SizeLimitedSmtpServer(maxMessageBytes);
        server.sessions.submit(server::acceptConnections);
        return server;
    }

    int port() {
        return socket.getLocalPort();
    }

    /** The messages accepted (answered 250 after their data), each as it arrived. */
    List<String> accepted() {
        return List.copyOf(accepted);
    }

    /** The messages refused as too large (answered 552 after their data). */
    List<String> refused() {
        return List.copyOf(refused);
    }

    private void acceptConnections() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                sessions.submit(() -> converse(connection));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void converse(Socket connection) {
        try (connection;
             BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.ISO_8859_1));
             OutputStream out = connection.getOutputStream()) {
            reply(out, "220 localhost ESMTP size-limited");
            String line;
            while ((line = in.readLine()) != null) {
                String command = line.length() < 4 ? line.toUpperCase(Locale.ROOT) : line.substring(0, 4).toUpperCase(Locale.ROOT);
                switch (command) {
                    case "EHLO", "HELO", "MAIL", "RCPT", "RSET", "NOOP" -> reply(out, "250 OK");
                    case "DATA" -> {
                        reply(out, "354 End data with <CR><LF>.<CR><LF>");
                        String message = readData(in);
                        if (message.length() > maxMessageBytes) {
                            refused.add(message);
                            reply(out, "552 5.3.4 Message size exceeds fixed maximum message size");
                        } else {
                            accepted.add(message);
                            reply(out, "250 2.0.0 OK queued");
                        }
                    }
                    case "QUIT" -> {
                        reply(out, "221 Bye");
                        return;
                    }
                    default -> reply(out, "502 5.5.2 Command not recognized");
                }
            }
        } catch (IOException dropped) {
            // the client went away; its next connection starts a new session
        }
    }

    private static String readData(BufferedReader in) throws IOException {
        StringBuilder message = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null && !line.equals(".")) {
            message.append(line.startsWith("..") ? line.substring(1) : line).append("\r\n");
        }
        return message.toString();
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() throws Exception {
        socket.close();
        sessions.shutdownNow();
        sessions.awaitTermination(5, TimeUnit.SECONDS);
    }
}

package dev.tcjobmonitor.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP forward proxy on a loopback port, as an enterprise network puts one between the
 * monitor and ThreatConnect: {@code CONNECT host:port} opens a TCP tunnel (HTTPS), a request in
 * absolute form ({@code GET http://host/...}) is forwarded (plain http). It counts the connections
 * made to it and records every request it received, headers included, as it saw them: what a
 * proxy operator could read.
 *
 * <p>It can demand credentials ({@link #demanding}): a request without the right
 * {@code Proxy-Authorization: Basic} gets {@code 407} with a {@code Proxy-Authenticate} challenge,
 * on a connection kept open for the answer, as squid does. And it resolves names of its own
 * ({@link #resolving}): a name only the proxy knows can only be reached through it, so a request
 * that arrives proves the client did not go around it.
 */
public final class ForwardProxy implements AutoCloseable {

    /** A request as the proxy read it: method, target, headers (names lower case). */
    public record Request(String method, String target, Map<String, List<String>> headers) {

        public Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }
    }

    private final ServerSocket server;
    private final String expectedAuthorization;
    private final Map<String, InetAddress> names = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private ForwardProxy(String user, String password) throws IOException {
        expectedAuthorization = user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Sockets.daemon("forward-proxy-accept", this::accept).start();
    }

    /** A proxy that lets anyone through. */
    public static ForwardProxy open() throws IOException {
        return new ForwardProxy(null, null);
    }

    /** A proxy that answers 407 until a request carries these credentials (Basic). */
    public static ForwardProxy demanding(String user, String password) throws IOException {
        return new ForwardProxy(user, password);
    }

    /** The proxy resolves {@code name} to {@code address}; the client's own resolver does not know it. */
    public ForwardProxy resolving(String name, InetAddress address) {
        names.put(name.toLowerCase(Locale.ROOT), address);
        return this;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** TCP connections clients opened to the proxy so far. */
    public int connections() {
        return connections.get();
    }

    /** Every request received so far, in order, the refused ones too. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                connections.incrementAndGet();
                sockets.add(client);
                Sockets.daemon("forward-proxy-client", () -> serve(client)).start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try {
            // the client sends nothing after a CONNECT's head until it has the 200: buffering is safe
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            while (true) {
                List<String> head = readHead(in);
                if (head == null) {
                    return;
                }
                String[] requestLine = head.get(0).split(" ");
                if (requestLine.length != 3) {
                    answer(out, "400 Bad Request", "Connection: close");
                    return;
                }
                Request request = new Request(requestLine[0], requestLine[1], headers(head));
                requests.add(request);
                if (expectedAuthorization != null
                        && !request.header("Proxy-Authorization").map(expectedAuthorization::equals).orElse(false)) {
                    skipBody(in, request);
                    answer(out, "407 Proxy Authentication Required",
                            "Proxy-Authenticate: Basic realm=\"tc-job-monitor test proxy\"");
                    continue;
                }
                if (request.method().equals("CONNECT")) {
                    tunnel(client, in, out, request.target());
                } else {
                    forward(in, out, request, head);
                }
                return;
            }
        } catch (IOException e) {
            // the client or the server went away
        } finally {
            Sockets.closeQuietly(client);
        }
    }

    /** CONNECT host:port: a TCP tunnel, bytes both ways, until either side closes. */
    private void tunnel(Socket client, InputStream in, OutputStream out, String authority) throws IOException {
        int colon = authority.lastIndexOf(':');
        Socket target;
        try {
            target = connect(authority.substring(0, colon), Integer.parseInt(authority.substring(colon + 1)));
        } catch (IOException | RuntimeException e) {
            answer(out, "502 Bad Gateway", "Connection: close");
            return;
        }
        out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        Thread up = Sockets.daemon("forward-proxy-up", () -> pump(in, target));
        up.start();
        try (InputStream fromTarget = target.getInputStream()) {
            fromTarget.transferTo(out);
        } catch (IOException closed) {
            // either side closed
        } finally {
            Sockets.closeQuietly(target);
            Sockets.closeQuietly(client);
        }
    }

    /** A request in absolute form: sent on to its origin in origin form, its answer back, then the connection closes. */
    private void forward(InputStream in, OutputStream out, Request request, List<String> head) throws IOException {
        URI uri = URI.create(request.target());
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            answer(out, "400 Bad Request", "Connection: close");
            return;
        }
        Socket target;
        try {
            target = connect(uri.getHost(), uri.getPort() == -1 ? 80 : uri.getPort());
        } catch (IOException e) {
            answer(out, "502 Bad Gateway", "Connection: close");
            return;
        }
        try (target) {
            StringBuilder sent = new StringBuilder(request.method()).append(' ').append(uri.getRawPath())
                    .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append(" HTTP/1.1\r\n");
            for (String line : head.subList(1, head.size())) {
                String name = line.substring(0, line.indexOf(':')).strip().toLowerCase(Locale.ROOT);
                // hop-by-hop: the proxy's own credentials and the connection's settings stop here
                if (!name.startsWith("proxy-") && !name.equals("connection") && !name.equals("keep-alive")) {
                    sent.append(line).append("\r\n");
                }
            }
            sent.append("Connection: close\r\n\r\n");
            OutputStream toTarget = target.getOutputStream();
            toTarget.write(sent.toString().getBytes(StandardCharsets.ISO_8859_1));
            toTarget.write(in.readNBytes(contentLength(request)));
            toTarget.flush();
            InputStream fromTarget = new BufferedInputStream(target.getInputStream());
            List<String> answerHead = readHead(fromTarget);
            if (answerHead == null) {
                answer(out, "502 Bad Gateway", "Connection: close");
                return;
            }
            StringBuilder back = new StringBuilder();
            for (String line : answerHead) {
                if (!line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                    back.append(line).append("\r\n");
                }
            }
            // the client must not send another request on this connection: it closes after the answer
            back.append("Connection: close\r\n\r\n");
            out.write(back.toString().getBytes(StandardCharsets.ISO_8859_1));
            fromTarget.transferTo(out);
            out.flush();
        }
    }

    private Socket connect(String host, int port) throws IOException {
        InetAddress address = names.get(host.toLowerCase(Locale.ROOT));
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(address != null ? address : InetAddress.getByName(host), port), 5_000);
        sockets.add(socket);
        return socket;
    }

    private static void answer(OutputStream out, String status, String header) throws IOException {
        out.write(("HTTP/1.1 " + status + "\r\n" + header + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static void skipBody(InputStream in, Request request) throws IOException {
        in.readNBytes(contentLength(request));
    }

    private static int contentLength(Request request) {
        return request.header("Content-Length").map(String::strip).map(Integer::parseInt).orElse(0);
    }

    /** The lines of a message head up to the empty line; null when the stream ends first. */
    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1).replaceAll("\r$", "");
                line.reset();
                if (text.isEmpty()) {
                    if (lines.isEmpty()) {
                        continue;
                    }
                    return lines;
                }
                lines.add(text);
            } else {
                line.write(b);
            }
        }
        return null;
    }

    private static Map<String, List<String>> headers(List<String> head) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line : head.subList(1, head.size())) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), name -> new ArrayList<>())
                        .add(line.substring(colon + 1).strip());
            }
        }
        return headers;
    }

    private static void pump(InputStream from, Socket to) {
        try {
            from.transferTo(to.getOutputStream());
        } catch (IOException closed) {
            // either side closed
        } finally {
            Sockets.closeQuietly(to);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(Sockets::closeQuietly);
    }
}

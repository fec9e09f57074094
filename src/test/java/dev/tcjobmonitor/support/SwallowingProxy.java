package dev.tcjobmonitor.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback in front of a real server, that can be switched to swallow: it still
 * accepts connections and reads what either side sends, but forwards nothing, as a network that
 * drops packets (or a database host that froze) does. Nothing is refused or reset: the client
 * learns of it only through its own timeouts.
 */
public final class SwallowingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean swallowing;

    public SwallowingProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Sockets.daemon("proxy-accept", this::accept).start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** From now on nothing reaches the other side, on open connections and new ones alike. */
    public void swallow() {
        swallowing = true;
    }

    /** Forwards again (bytes swallowed meanwhile stay lost). */
    public void forward() {
        swallowing = false;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket target = new Socket();
                target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
                sockets.add(client);
                sockets.add(target);
                Sockets.daemon("proxy-up", () -> pump(client, target)).start();
                Sockets.daemon("proxy-down", () -> pump(target, client)).start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (!swallowing) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            }
        } catch (IOException closed) {
            // one side closed: the other follows
        } finally {
            Sockets.closeQuietly(from);
            Sockets.closeQuietly(to);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(Sockets::closeQuietly);
    }
}

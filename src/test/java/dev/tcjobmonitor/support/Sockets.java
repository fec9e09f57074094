package dev.tcjobmonitor.support;

import java.io.IOException;
import java.net.Socket;

/** What the tests' socket servers (the proxies) share: their threads and quiet closing. */
final class Sockets {

    private Sockets() {
    }

    /** A thread that never holds the test JVM open. */
    static Thread daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    /** Closes a socket the other side may have closed already. */
    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}

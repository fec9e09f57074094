package dev.tcjobmonitor.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback port nobody listens on right now. It is released before anyone uses it, so another
 * process can take it meanwhile: a server that can bind port 0 and say which port it got binds
 * port 0 instead (the simulator, WebhookReceiver.hanging(), GreenMail, Camel's management server).
 * This is for the address of a server that does not exist yet when the monitor is given it (a sink
 * that is down and comes up later on that address), a server that must come back on the same port
 * after a restart, or a port where nothing may listen at all.
 */
public final class FreePorts {

    private FreePorts() {
    }

    public static int freePort() {
        return freePorts(1)[0];
    }

    /**
     * {@code count} different free ports: each is held until all are found, so two calls in a row
     * cannot hand out the same port twice (which they did: a broker's two listeners on one port).
     */
    public static int[] freePorts(int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a listening socket nobody connected to: nothing to lose
                }
            }
        }
    }
}

package dev.tcjobmonitor.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

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
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

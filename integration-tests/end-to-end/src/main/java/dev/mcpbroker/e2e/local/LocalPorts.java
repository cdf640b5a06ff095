package dev.mcpbroker.e2e.local;

import dev.mcpbroker.testkit.process.Ports;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;

/**
 * The local run's fixed ports are checked before anything starts, so a port that is taken stops the run at once with
 * a message naming the port and the option that moves it, not half-way with a stack trace from one of the services.
 */
final class LocalPorts {

    private LocalPorts() {
    }

    /**
     * @param ports each port with what it is for
     * @throws PortInUseException naming the first port that cannot be listened on
     */
    static void requireFree(Map<String, Integer> ports, String hint) {
        for (Map.Entry<String, Integer> port : ports.entrySet()) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress(InetAddress.getByName(Ports.LOOPBACK), port.getValue()), 1);
            } catch (IOException e) {
                throw new PortInUseException("port " + port.getValue() + " (" + port.getKey() + ") on " + Ports.LOOPBACK
                        + " is in use: stop what listens there, or " + hint);
            }
        }
    }

    /** A fixed port is taken. */
    static final class PortInUseException extends RuntimeException {
        PortInUseException(String message) {
            super(message);
        }
    }
}

package dev.mcpbroker.testkit.aws.emulator;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.mcpbroker.testkit.process.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One emulated AWS service on its own port of 127.0.0.1, served in this JVM by the JDK HTTP server.
 */
public final class AwsProtocolEmulatorServer implements AutoCloseable {

    private final String name;
    private final HttpServer server;
    private final ExecutorService executor;

    private AwsProtocolEmulatorServer(String name, HttpServer server, ExecutorService executor) {
        this.name = name;
        this.server = server;
        this.executor = executor;
    }

    /** Serves {@code handler} on an ephemeral port of 127.0.0.1 chosen by the OS (so no port can be taken meanwhile). */
    public static AwsProtocolEmulatorServer start(String name, HttpHandler handler) {
        return start(name, handler, 0);
    }

    /** Serves {@code handler} on {@code port} of 127.0.0.1; 0 lets the OS choose. */
    public static AwsProtocolEmulatorServer start(String name, HttpHandler handler, int port) {
        // Without TCP_NODELAY each response waits for the peer's delayed ACK: ~40 ms per call. The JDK reads the
        // property once, when its HTTP server is first used, so it is set before the first server is created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(Ports.LOOPBACK), port), 64);
            ExecutorService executor = Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name(name + "-", 0).factory());
            server.setExecutor(executor);
            server.createContext("/", handler);
            server.start();
            return new AwsProtocolEmulatorServer(name, server, executor);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the " + name + " emulator on " + Ports.LOOPBACK + ":" + port, e);
        }
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    public URI endpoint() {
        return URI.create("http://" + Ports.LOOPBACK + ":" + address().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return name + "[" + endpoint() + "]";
    }
}

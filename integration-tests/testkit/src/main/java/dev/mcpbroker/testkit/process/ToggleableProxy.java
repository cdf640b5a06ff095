package dev.mcpbroker.testkit.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP proxy on 127.0.0.1 in front of a local service, for fault tests: while it is {@link #cut() cut},
 * open connections are dropped and new ones are closed at once, as when a dependency becomes unreachable.
 */
public final class ToggleableProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;

    private ToggleableProxy(URI target) {
        this.target = new InetSocketAddress(target.getHost(), target.getPort());
        try {
            server = new ServerSocket(0, 128, InetAddress.getByName(Ports.LOOPBACK));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        threads.submit(this::accept);
    }

    /** Starts a proxy to {@code target} (scheme, host and port of a local endpoint). */
    public static ToggleableProxy to(URI target) {
        return new ToggleableProxy(target);
    }

    /** The proxy's endpoint, with the target's scheme. */
    public URI endpoint() {
        return URI.create("http://" + Ports.LOOPBACK + ":" + server.getLocalPort());
    }

    /** From now on every connection fails. */
    public void cut() {
        cut = true;
        open.forEach(ToggleableProxy::closeQuietly);
    }

    /** Connections pass again. */
    public void restore() {
        cut = false;
    }

    @Override
    public void close() {
        closeQuietly(server);
        open.forEach(ToggleableProxy::closeQuietly);
        threads.shutdownNow();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (cut) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                open.add(client);
                open.add(upstream);
                threads.submit(() -> pump(client, upstream));
                threads.submit(() -> pump(upstream, client));
            } catch (IOException e) {
                // the server socket closed, or the target refused: the client sees a dropped connection
            }
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // either side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // closing for a fault test; nothing to report
        }
    }
}

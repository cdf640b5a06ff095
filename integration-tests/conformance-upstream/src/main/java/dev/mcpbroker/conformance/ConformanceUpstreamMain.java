package dev.mcpbroker.conformance;

import com.sun.net.httpserver.HttpServer;
import dev.mcpbroker.conformance.dispatch.Dispatcher;
import dev.mcpbroker.conformance.era.GenerationDetector;
import dev.mcpbroker.conformance.era.ServedGenerations;
import dev.mcpbroker.conformance.fixtures.FixtureCompletions;
import dev.mcpbroker.conformance.fixtures.FixturePrompts;
import dev.mcpbroker.conformance.fixtures.FixtureResources;
import dev.mcpbroker.conformance.fixtures.FixtureTools;
import dev.mcpbroker.conformance.http.HeaderGate;
import dev.mcpbroker.conformance.http.HostGuard;
import dev.mcpbroker.conformance.http.McpHttpHandler;
import dev.mcpbroker.conformance.legacy.LegacyEndpoint;
import dev.mcpbroker.conformance.legacy.LegacySessionStore;
import dev.mcpbroker.conformance.legacy.LegacyStreams;
import dev.mcpbroker.conformance.modern.ModernEndpoint;
import dev.mcpbroker.conformance.mrtr.RequestStateCodec;
import dev.mcpbroker.conformance.notify.NotificationHub;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts the fixture server on 127.0.0.1.
 *
 * <pre>
 * java -cp ... dev.mcpbroker.conformance.ConformanceUpstreamMain [--port N] [--legacy-only | --modern-only]
 *      [--allowed-host NAME]... [--require-header NAME=VALUE]...
 * </pre>
 * Prints {@code conformance-upstream listening on http://127.0.0.1:PORT/mcp (dual-era)} once it accepts requests.
 */
public final class ConformanceUpstreamMain {

    public static final String PATH = "/mcp";

    private ConformanceUpstreamMain() {
    }

    public static void main(String[] args) throws IOException {
        int port = 0;
        ServedGenerations served = ServedGenerations.BOTH;
        Set<String> allowedHosts = new HashSet<>();
        Map<String, String> requiredHeaders = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--legacy-only" -> served = ServedGenerations.LEGACY_ONLY;
                case "--modern-only" -> served = ServedGenerations.MODERN_ONLY;
                case "--allowed-host" -> allowedHosts.add(args[++i].toLowerCase(Locale.ROOT));
                case "--require-header" -> {
                    String[] nameValue = args[++i].split("=", 2);
                    requiredHeaders.put(nameValue[0], nameValue.length > 1 ? nameValue[1] : "");
                }
                default -> {
                    System.err.println("usage: ConformanceUpstreamMain [--port N] [--legacy-only | --modern-only]"
                            + " [--allowed-host NAME]... [--require-header NAME=VALUE]...");
                    System.exit(2);
                }
            }
        }
        HttpServer server = start(port, served, allowedHosts, requiredHeaders);
        System.out.printf("conformance-upstream listening on http://127.0.0.1:%d%s (%s)%n",
                server.getAddress().getPort(), PATH, served);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0), "stop-conformance-upstream"));
    }

    /** Builds the server and starts it on 127.0.0.1:{@code port} (0: any free port). */
    public static HttpServer start(int port, ServedGenerations served, Set<String> allowedHosts,
            Map<String, String> requiredHeaders) throws IOException {
        NotificationHub hub = new NotificationHub();
        LegacySessionStore sessions = new LegacySessionStore(Clock.systemUTC());
        Dispatcher dispatcher = new Dispatcher(new FixtureTools(hub), new FixtureResources(), new FixturePrompts(),
                new FixtureCompletions());
        McpHttpHandler handler = new McpHttpHandler(new HostGuard(Set.copyOf(allowedHosts)),
                new HeaderGate(requiredHeaders),
                new GenerationDetector(served, sessions::isLive), sessions,
                new LegacyEndpoint(sessions, dispatcher, new LegacyStreams(hub)),
                new ModernEndpoint(dispatcher, RequestStateCodec.withRandomKey(), hub, served));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 64);
        server.createContext(PATH, handler);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.start();
        return server;
    }
}

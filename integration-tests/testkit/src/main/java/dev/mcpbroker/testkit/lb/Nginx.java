package dev.mcpbroker.testkit.lb;

import dev.mcpbroker.testkit.RepoPaths;
import dev.mcpbroker.testkit.process.ManagedProcess;
import dev.mcpbroker.testkit.process.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nginx as a load balancer on 127.0.0.1, in front of backends on 127.0.0.1, configured from the templates the
 * product ships ({@code infra/nginx/*.conf}), so the tests exercise exactly the configuration an operator deploys.
 *
 * <ul>
 *   <li>{@link #roundRobin}: {@code mcp-broker-lb.conf}, no affinity. Broker replicas keep no session in process,
 *       so this is all they need; unreachable replicas are skipped, requests a replica received are never re-sent,
 *       and nginx's own 502/504 carry a JSON-RPC error with {@code failureClass: ambiguous}.</li>
 *   <li>{@link #cookieSticky}: {@code mcp-upstream-sticky.conf}, affinity by the cookie {@value #STICKY_COOKIE}
 *       (open-source nginx has no {@code sticky cookie}), for replicas of a stateful upstream MCP server.</li>
 * </ul>
 *
 * <p>Each instance runs in its own prefix directory under the caller's {@code target/nginx/} with its own
 * configuration, pid file, temp paths and logs, so the binary's built-in paths ({@code /etc/nginx},
 * {@code /var/log/nginx}, {@code /var/lib/nginx}) are never touched. The master process is a child of this JVM and
 * is stopped by its PID ({@link ManagedProcess}).
 */
public final class Nginx implements AutoCloseable {

    /** The cookie that names the replica a client sticks to, in {@link #cookieSticky} mode. */
    public static final String STICKY_COOKIE = "mcp_replica";
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

    static final String ROUND_ROBIN_TEMPLATE = "infra/nginx/mcp-broker-lb.conf";
    static final String STICKY_TEMPLATE = "infra/nginx/mcp-upstream-sticky.conf";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final int START_ATTEMPTS = 3;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Z_]+)}}");
    private static final Pattern UPSTREAM_FIELD = Pattern.compile("upstream=\"([^\"]*)\"");
    /** Between addresses of one upstream group ({@code ", "}) and between groups ({@code " : "}). */
    private static final Pattern UPSTREAM_SEPARATOR = Pattern.compile("\\s*[,:]\\s+");
    private static final Pattern VERSION = Pattern.compile("nginx/(\\d+)\\.(\\d+)\\.(\\d+)");

    private final ManagedProcess process;
    private final int port;
    private final Path prefix;
    private final List<URI> backends;

    private Nginx(ManagedProcess process, int port, Path prefix, List<URI> backends) {
        this.process = process;
        this.port = port;
        this.prefix = prefix;
        this.backends = backends;
    }

    /** Round-robin over {@code backends} without affinity (the broker's load balancer). */
    public static Nginx roundRobin(List<URI> backends) {
        return roundRobin(backends, DEFAULT_READ_TIMEOUT);
    }

    /** As {@link #roundRobin(List)}; a backend that does not answer within {@code readTimeout} gets a 504. */
    public static Nginx roundRobin(List<URI> backends, Duration readTimeout) {
        List<URI> checked = loopbackBackends(backends);
        return start("nginx-rr", ROUND_ROBIN_TEMPLATE, checked, (listen, accessLog) -> {
            Map<String, String> values = new LinkedHashMap<>();
            values.put("LISTEN", listen);
            values.put("BACKEND_SERVERS", joinLines(checked.stream()
                    .map(b -> "server " + address(b) + " max_fails=1 fail_timeout=10s;").toList(), "    "));
            values.put("READ_TIMEOUT", nginxDuration(readTimeout));
            values.put("ACCESS_LOG", accessLog);
            return values;
        });
    }

    /** Cookie affinity over {@code backends} (replicas of a stateful upstream MCP server). */
    public static Nginx cookieSticky(List<URI> backends) {
        return cookieSticky(backends, DEFAULT_READ_TIMEOUT);
    }

    /** As {@link #cookieSticky(List)}; a backend that does not answer within {@code readTimeout} gets a 504. */
    public static Nginx cookieSticky(List<URI> backends, Duration readTimeout) {
        List<URI> checked = loopbackBackends(backends);
        return start("nginx-sticky", STICKY_TEMPLATE, checked, (listen, accessLog) -> {
            List<String> pool = new ArrayList<>();
            List<String> upstreams = new ArrayList<>();
            List<String> byCookie = new ArrayList<>();
            List<String> byAddress = new ArrayList<>();
            for (int i = 0; i < checked.size(); i++) {
                String id = replicaId(i);
                String address = address(checked.get(i));
                pool.add("server " + address + ";");
                upstreams.add("upstream mcp_sticky_" + id + " {\n    server " + address + ";\n    keepalive 8;\n"
                        + "    keepalive_timeout 20s;\n}");
                byCookie.add(id + " mcp_sticky_" + id + ";");
                byAddress.add("\"~(^|\\s)" + address.replace(".", "\\.") + "$\" " + id + ";");
            }
            Map<String, String> values = new LinkedHashMap<>();
            values.put("LISTEN", listen);
            values.put("POOL_SERVERS", joinLines(pool, "    "));
            values.put("REPLICA_UPSTREAMS", String.join("\n\n", upstreams));
            values.put("REPLICA_BY_COOKIE", joinLines(byCookie, "    "));
            values.put("REPLICA_BY_ADDRESS", joinLines(byAddress, "    "));
            values.put("READ_TIMEOUT", nginxDuration(readTimeout));
            values.put("ACCESS_LOG", accessLog);
            return values;
        });
    }

    /** {@code http://127.0.0.1:PORT}: where clients send their requests. */
    public URI baseUri() {
        return URI.create("http://" + Ports.LOOPBACK + ":" + port);
    }

    public int port() {
        return port;
    }

    public List<URI> backends() {
        return backends;
    }

    /**
     * The value of {@value #STICKY_COOKIE} that routes to {@code backend} in {@link #cookieSticky} mode: an opaque
     * id ({@code r1}, {@code r2}, ...), so the cookie does not disclose backend addresses.
     */
    public String replicaId(URI backend) {
        int index = indexOf(backend);
        return replicaId(index);
    }

    /**
     * How many requests nginx passed to each backend last (the one that answered, or the last one tried), from
     * its access log; requests nginx answered without any backend are not counted. nginx writes a request's
     * line once its answer is sent, so a caller that has just read an answer may not see it counted yet.
     */
    public Map<URI, Long> requestsByBackend() {
        Map<String, URI> byAddress = new LinkedHashMap<>();
        Map<URI, Long> counts = new LinkedHashMap<>();
        for (URI backend : backends) {
            byAddress.put(address(backend), backend);
            counts.put(backend, 0L);
        }
        for (String line : accessLogLines()) {
            Matcher m = UPSTREAM_FIELD.matcher(line);
            if (!m.find()) {
                continue;
            }
            String[] tried = UPSTREAM_SEPARATOR.split(m.group(1).trim());
            URI last = byAddress.get(tried[tried.length - 1]);
            if (last != null) {
                counts.merge(last, 1L, Long::sum);
            }
        }
        return counts;
    }

    /** The access log's lines (format {@code mcp_broker_lb} / {@code mcp_upstream_sticky} of the templates). */
    public List<String> accessLogLines() {
        try {
            return Files.exists(accessLog()) ? Files.readAllLines(accessLog()) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path prefix() {
        return prefix;
    }

    public Path accessLog() {
        return prefix.resolve("access.log");
    }

    /** nginx's error log (its stderr, workers included). */
    public Path errorLog() {
        return process.log();
    }

    public String errorLogText() {
        return process.readLog();
    }

    /** The generated main configuration; it includes the rendered template next to it. */
    public Path configFile() {
        return prefix.resolve("nginx.conf");
    }

    /** PID of the master process. */
    public long pid() {
        return process.pid();
    }

    /** True while the master process runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops nginx by its master's PID (SIGTERM: fast shutdown, workers included), then forcibly if it lingers. */
    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "Nginx[" + baseUri() + " -> " + backends + ", pid " + pid() + "]";
    }

    // ---- configuration

    @FunctionalInterface
    private interface TemplateValues {
        Map<String, String> values(String listen, String accessLog);
    }

    private static Nginx start(String name, String template, List<URI> backends, TemplateValues values) {
        Path binary = NginxBinary.get();
        String templateText = readTemplate(template);
        IllegalStateException lastFailure = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port = Ports.freePort();
            Path prefix = RepoPaths.callerTarget().resolve("nginx").resolve(name + "-" + port);
            String included = Path.of(template).getFileName().toString();
            try {
                Files.createDirectories(prefix.resolve("temp"));
                Files.writeString(prefix.resolve(included), render(templateText,
                        values.values(Ports.LOOPBACK + ":" + port, quoted(prefix.resolve("access.log")))));
                Files.writeString(prefix.resolve("nginx.conf"), mainConfig(prefix, included));
            } catch (IOException e) {
                throw new UncheckedIOException("could not write nginx configuration under " + prefix, e);
            }
            List<String> command = new ArrayList<>(List.of(binary.toString(), "-p", prefix + "/",
                    "-c", prefix.resolve("nginx.conf").toString()));
            if (supportsErrorLogOption(NginxBinary.version(binary))) {
                // Before the configuration is read, log to stderr too, not to the binary's built-in path.
                command.addAll(List.of("-e", "stderr"));
            }
            ManagedProcess process = ManagedProcess.start(name + ":" + port, command, prefix, Map.of(),
                    prefix.resolve("error.log"));
            try {
                process.awaitReady(START_TIMEOUT, () -> Ports.isListening(port));
                return new Nginx(process, port, prefix, List.copyOf(backends));
            } catch (IllegalStateException e) {
                // Another process may have taken the free port in between: try another one.
                lastFailure = e;
                if (!process.readLog().contains("Address already in use")) {
                    throw e;
                }
            }
        }
        throw lastFailure;
    }

    /**
     * The process settings of a test instance around the shipped template: in the foreground, one worker, pid file,
     * temp paths and logs in the prefix. Run as root, nginx would hand its workers to {@code nobody}, which may not
     * be able to reach a prefix inside a private directory; they stay with the invoking user instead.
     */
    static String mainConfig(Path prefix, String includedTemplate) {
        String temp = prefix.resolve("temp").toString();
        return "# Generated by dev.mcpbroker.testkit.lb.Nginx: the process around " + includedTemplate + ".\n"
                + "daemon off;\n"
                + "master_process on;\n"
                + "worker_processes 1;\n"
                + (runningAsRoot() ? "user root;\n" : "")
                + "pid " + quoted(prefix.resolve("nginx.pid")) + ";\n"
                + "error_log stderr notice;\n"
                + "events {\n    worker_connections 1024;\n}\n"
                + "http {\n"
                + "    client_body_temp_path " + quoted(Path.of(temp, "client_body")) + ";\n"
                + "    proxy_temp_path " + quoted(Path.of(temp, "proxy")) + ";\n"
                + "    fastcgi_temp_path " + quoted(Path.of(temp, "fastcgi")) + ";\n"
                + "    uwsgi_temp_path " + quoted(Path.of(temp, "uwsgi")) + ";\n"
                + "    scgi_temp_path " + quoted(Path.of(temp, "scgi")) + ";\n"
                + "    include " + quoted(prefix.resolve(includedTemplate)) + ";\n"
                + "}\n";
    }

    /**
     * Replaces every {@code {{NAME}}} outside comment lines (the templates document their placeholders in comments);
     * a placeholder without a value is an error, never left for nginx to reject.
     */
    static String render(String template, Map<String, String> values) {
        StringBuilder out = new StringBuilder();
        for (String line : template.split("(?<=\n)")) {
            if (line.stripLeading().startsWith("#")) {
                out.append(line);
                continue;
            }
            Matcher m = PLACEHOLDER.matcher(line);
            while (m.find()) {
                String value = values.get(m.group(1));
                if (value == null) {
                    throw new IllegalArgumentException("no value for placeholder {{" + m.group(1) + "}}");
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
        }
        return out.toString();
    }

    static String readTemplate(String template) {
        Path file = RepoPaths.repoRoot().resolve(template);
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("the load balancer template " + file + " is missing", e);
        }
    }

    /** {@code -e} exists since nginx 1.19.5. */
    static boolean supportsErrorLogOption(String version) {
        Matcher m = version == null ? null : VERSION.matcher(version);
        if (m == null || !m.find()) {
            return false;
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        int patch = Integer.parseInt(m.group(3));
        return major > 1 || minor > 19 || (minor == 19 && patch >= 5);
    }

    private static boolean runningAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static List<URI> loopbackBackends(List<URI> backends) {
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("no backends");
        }
        for (URI backend : backends) {
            if (!"http".equals(backend.getScheme()) || backend.getPort() <= 0
                    || !(Ports.LOOPBACK.equals(backend.getHost()) || "localhost".equals(backend.getHost()))) {
                throw new IllegalArgumentException("backends must be http://127.0.0.1:PORT, got " + backend);
            }
        }
        return List.copyOf(backends);
    }

    private int indexOf(URI backend) {
        String address = address(backend);
        for (int i = 0; i < backends.size(); i++) {
            if (address(backends.get(i)).equals(address)) {
                return i;
            }
        }
        throw new IllegalArgumentException(backend + " is not a backend of " + this);
    }

    private static String replicaId(int index) {
        return "r" + (index + 1);
    }

    /** {@code 127.0.0.1:PORT}, as nginx writes it in {@code $upstream_addr}. */
    private static String address(URI backend) {
        return Ports.LOOPBACK + ":" + backend.getPort();
    }

    private static String nginxDuration(Duration duration) {
        return Math.max(1, duration.toMillis()) + "ms";
    }

    private static String joinLines(List<String> lines, String indent) {
        return String.join("\n" + indent, lines);
    }

    private static String quoted(Path path) {
        return "\"" + path.toAbsolutePath() + "\"";
    }
}

package dev.mcpbroker.demo;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sits in front of the MCP endpoint: counts every request (so tests can prove the broker sent nothing),
 * remembers the headers of the last POST (so tests can check what a broker forwarded, e.g. that an
 * agent's Authorization header did not leak upstream), and, when a credential is required, answers 401
 * to requests without it — like a real upstream that authenticates its callers. For session tests it can
 * also set a new cookie on every answer (as a load balancer refreshing affinity would, so concurrent
 * requests each bring a change to store), count initializes, and leave the next initialize unanswered.
 */
@Singleton
public class RequestHeaderRecorder {

    private volatile Map<String, String> lastPostHeaders = Map.of();
    private final AtomicLong requests = new AtomicLong();
    private volatile String requiredHeader;
    private volatile String requiredValue;
    private volatile boolean cookiePerResponse;
    private final AtomicLong initializes = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean hangNextInitialize = new java.util.concurrent.atomic.AtomicBoolean();

    void register(@Observes Router router) {
        router.route("/mcp").order(Integer.MIN_VALUE).handler(ctx -> {
            requests.incrementAndGet();
            String header = requiredHeader;
            if (header != null && !requiredValue.equals(ctx.request().getHeader(header))) {
                ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer").end();
                return;
            }
            // a 2026-07-28 request (Mcp-Method header: the broker probing which generation this server speaks) is no initialize
            if (ctx.request().method() == HttpMethod.POST && ctx.request().getHeader("Mcp-Session-Id") == null
                    && ctx.request().getHeader("Mcp-Method") == null) {
                initializes.incrementAndGet();
                if (hangNextInitialize.compareAndSet(true, false)) {
                    return; // never answered: the caller is left mid-initialize
                }
            }
            if (cookiePerResponse) {
                long n = requests.get();
                ctx.addHeadersEndHandler(v -> ctx.response().headers().add("Set-Cookie", "r" + n + "=" + n + "; Path=/"));
            }
            if (ctx.request().method() == HttpMethod.POST) {
                Map<String, String> headers = new TreeMap<>();
                ctx.request().headers().forEach(e ->
                        headers.merge(e.getKey().toLowerCase(Locale.ROOT), e.getValue(), (a, b) -> a + ", " + b));
                lastPostHeaders = Map.copyOf(headers);
            }
            ctx.next();
        });
    }

    /** Header names lowercased; repeated headers joined with ", ". Empty before the first POST. */
    public Map<String, String> lastPostHeaders() {
        return new TreeMap<>(lastPostHeaders);
    }

    /** MCP requests received (any method) since start or the last reset. */
    public long requestCount() {
        return requests.get();
    }

    /** From now on, only requests whose {@code header} equals {@code value} are served; null header: none. */
    public void requireCredential(String header, String value) {
        this.requiredValue = value;
        this.requiredHeader = header;
    }

    /** POSTs without a session id or a stateless request's Mcp-Method (initializes) since start or the last reset. */
    public long initializeCount() {
        return initializes.get();
    }

    /** Whether every answer sets a new cookie {@code r<n>=<n>}. */
    public void cookiePerResponse(boolean on) {
        this.cookiePerResponse = on;
    }

    /** The next initialize is received and never answered. */
    public void hangNextInitialize() {
        hangNextInitialize.set(true);
    }

    public void reset() {
        lastPostHeaders = Map.of();
        requests.set(0);
        initializes.set(0);
        cookiePerResponse = false;
        hangNextInitialize.set(false);
        requiredHeader = null;
        requiredValue = null;
    }
}

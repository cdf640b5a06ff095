package dev.mcpbroker.demo;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Remembers the headers of the last POST to the MCP endpoint, so tests can check what a broker forwarded
 * (for instance that an agent's Authorization header did not leak upstream).
 */
@Singleton
public class RequestHeaderRecorder {

    private volatile Map<String, String> lastPostHeaders = Map.of();

    void register(@Observes Router router) {
        router.route("/mcp").order(Integer.MIN_VALUE).handler(ctx -> {
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

    public void reset() {
        lastPostHeaders = Map.of();
    }
}

package dev.mcpbroker.e2e.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Sequential {@code tools/call} latency over plain HTTP, on several paths taking turns; shared by the end-to-end benchmarks. */
final class SequentialCalls {

    private static final int ROUND = 50;
    private static final String PROTOCOL = "2025-11-25";
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
            + "\"protocolVersion\":\"" + PROTOCOL + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}";
    private static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private SequentialCalls() {
    }

    /**
     * {@code calls} tools/call one after the other on each path (one session each), after {@code warmup} unmeasured
     * ones per broker instance. The paths take turns in rounds of {@value #ROUND} calls, so that a drift over the
     * run (JIT compilation, the state table growing, other load on the machine) affects every path alike.
     */
    static Map<String, Object> sequential(Map<String, Session> paths, int warmup, int calls) {
        int id = 1;
        for (Map.Entry<String, Session> path : paths.entrySet()) {
            // three times the warm-up through three instances, so that each gets as much as a single one does
            int n = path.getKey().startsWith("three") ? 3 * warmup : warmup;
            for (int i = 0; i < n; i++) {
                path.getValue().callTool(id++);
            }
        }
        Map<String, long[]> micros = new LinkedHashMap<>();
        paths.keySet().forEach(name -> micros.put(name, new long[calls]));
        for (int done = 0; done < calls; done += ROUND) {
            for (Map.Entry<String, Session> path : paths.entrySet()) {
                long[] samples = micros.get(path.getKey());
                for (int i = done; i < Math.min(calls, done + ROUND); i++) {
                    long t0 = System.nanoTime();
                    path.getValue().callTool(id++);
                    samples[i] = (System.nanoTime() - t0) / 1_000;
                }
            }
        }
        paths.values().forEach(Session::close);
        Map<String, Object> results = new LinkedHashMap<>();
        micros.forEach((name, samples) -> results.put(name, stats(samples)));
        return results;
    }

    static Map<String, Object> stats(long[] micros) {
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("p50Ms", percentile(sorted, 50));
        stats.put("p90Ms", percentile(sorted, 90));
        stats.put("p99Ms", percentile(sorted, 99));
        stats.put("maxMs", sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1000.0);
        return stats;
    }

    private static double percentile(long[] sortedMicros, int p) {
        if (sortedMicros.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * sortedMicros.length) - 1;
        return sortedMicros[Math.max(0, index)] / 1000.0;
    }

    /** One MCP session over plain HTTP: initialize, notifications/initialized, then tools/call of get_balance. */
    record Session(URI endpoint, Map<String, String> headers, String sessionId) {

        static Session open(URI endpoint, Map<String, String> headers) {
            HttpResponse<String> init = post(endpoint, headers, null, INITIALIZE);
            String sessionId = init.headers().firstValue("Mcp-Session-Id")
                    .orElseThrow(() -> new IllegalStateException("no session id from " + endpoint + ": " + init.statusCode()));
            Session session = new Session(endpoint, headers, sessionId);
            post(endpoint, headers, sessionId, INITIALIZED);
            return session;
        }

        void callTool(int id) {
            HttpResponse<String> response = post(endpoint, headers, sessionId, "{\"jsonrpc\":\"2.0\",\"id\":" + id
                    + ",\"method\":\"tools/call\",\"params\":{\"name\":\"get_balance\",\"arguments\":{\"account\":\"alice\"}}}");
            if (response.statusCode() != 200 || !response.body().contains("\"result\"")) {
                throw new IllegalStateException("tools/call failed: HTTP " + response.statusCode());
            }
        }

        void close() {
            try {
                HttpRequest.Builder delete = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                        .header("Mcp-Session-Id", sessionId).DELETE();
                headers.forEach(delete::header);
                HTTP.send(delete.build(), HttpResponse.BodyHandlers.discarding());
            } catch (IOException e) {
                // ending the session is courtesy; the benchmark's numbers are taken
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static HttpResponse<String> post(URI endpoint, Map<String, String> headers, String sessionId, String body) {
            HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (sessionId != null) {
                request.header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", PROTOCOL);
            }
            headers.forEach(request::header);
            try {
                return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}

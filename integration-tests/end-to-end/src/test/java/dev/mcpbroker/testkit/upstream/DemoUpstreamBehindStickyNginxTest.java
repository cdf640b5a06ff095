package dev.mcpbroker.testkit.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.testkit.lb.Nginx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fixture for a stateful upstream behind a load balancer: two demo upstream replicas (each keeps its MCP
 * sessions in process) behind {@code infra/nginx/mcp-upstream-sticky.conf}. With the cookie a session works; without
 * it round-robin sends the session's requests to a replica that never saw it.
 */
@Timeout(120)
class DemoUpstreamBehindStickyNginxTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
             "capabilities":{},"clientInfo":{"name":"sticky-test","version":"1.0"}}}""";
    private static final String GET_BALANCE = """
            {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_balance","arguments":{"account":"bob"}}}""";

    private static DemoUpstream first;
    private static DemoUpstream second;
    private static Nginx nginx;

    @BeforeAll
    static void twoReplicasBehindCookieAffinity() {
        first = DemoUpstream.start();
        second = DemoUpstream.start();
        nginx = Nginx.cookieSticky(List.of(first.baseUri(), second.baseUri()));
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.close();
        }
    }

    @BeforeEach
    void reset() {
        first.reset();
        second.reset();
    }

    @Test
    void aSessionCarryingTheReplicaCookieIsServedByTheReplicaThatOpenedIt() {
        HttpResponse<String> init = post(null, null, INITIALIZE);
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        String cookie = replicaCookie(init).orElseThrow();
        DemoUpstream opener = cookie.equals(Nginx.STICKY_COOKIE + "=" + nginx.replicaId(first.baseUri())) ? first : second;
        DemoUpstream other = opener == first ? second : first;
        long otherRequests = other.mcpRequests();

        for (int i = 0; i < 6; i++) {
            HttpResponse<String> call = post(session, cookie, GET_BALANCE);
            assertThat(call.statusCode()).isEqualTo(200);
            assertThat(call.body()).contains("bob");
        }

        assertThat(opener.executions("get_balance")).isEqualTo(6);
        assertThat(other.mcpRequests()).isEqualTo(otherRequests);
    }

    @Test
    void withoutTheCookieRoundRobinSendsTheSessionToAReplicaThatNeverSawIt() {
        String session = post(null, null, INITIALIZE).headers().firstValue("Mcp-Session-Id").orElseThrow();

        List<Integer> statuses = java.util.stream.IntStream.range(0, 4)
                .mapToObj(i -> post(session, null, GET_BALANCE).statusCode()).toList();

        assertThat(statuses).contains(200).contains(404);
        assertThat(first.executions("get_balance") + second.executions("get_balance")).isEqualTo(2);
    }

    private static Optional<String> replicaCookie(HttpResponse<?> response) {
        return response.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(Nginx.STICKY_COOKIE + "="))
                .map(c -> c.substring(0, c.indexOf(';')))
                .findFirst();
    }

    private static HttpResponse<String> post(String session, String cookie, String body) {
        URI endpoint = nginx.baseUri().resolve("/mcp");
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            request.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
        }
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
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

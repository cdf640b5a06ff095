package dev.mcpbroker.conformance.http;

import com.sun.net.httpserver.HttpExchange;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * DNS-rebinding protection for a server bound to loopback: the {@code Host} header, and {@code Origin} when
 * present, must name a loopback host (or one of the configured extra host names).
 */
public final class HostGuard {

    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final Set<String> extraHosts;

    public HostGuard(Set<String> extraHosts) {
        this.extraHosts = extraHosts;
    }

    /** Null when the request may proceed, else why it may not. */
    public String refusal(HttpExchange exchange) {
        String host = HttpExchanges.header(exchange, "Host");
        if (host == null || !allowed(hostName(host))) {
            return "Host header not allowed: " + host;
        }
        String origin = HttpExchanges.header(exchange, "Origin");
        if (origin != null && !origin.equals("null")) {
            try {
                String originHost = URI.create(origin).getHost();
                if (originHost == null || !allowed(originHost)) {
                    return "Origin not allowed: " + origin;
                }
            } catch (IllegalArgumentException e) {
                return "Origin not allowed: " + origin;
            }
        }
        return null;
    }

    private boolean allowed(String hostName) {
        String name = hostName.toLowerCase(Locale.ROOT);
        return LOOPBACK.contains(name) || extraHosts.contains(name);
    }

    /** {@code example.com:8080} -> {@code example.com}; {@code [::1]:8080} -> {@code [::1]}. */
    static String hostName(String hostHeader) {
        if (hostHeader.startsWith("[")) {
            int end = hostHeader.indexOf(']');
            return end < 0 ? hostHeader : hostHeader.substring(0, end + 1);
        }
        int colon = hostHeader.lastIndexOf(':');
        return colon < 0 ? hostHeader : hostHeader.substring(0, colon);
    }
}

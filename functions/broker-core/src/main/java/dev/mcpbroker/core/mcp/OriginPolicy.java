package dev.mcpbroker.core.mcp;

import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The transport's defence against DNS rebinding and cross-site use from browsers: a request that carries
 * an {@code Origin} must come from an allowed origin, and, when hosts are configured, name an allowed
 * {@code Host}. Agents that are not browsers send no {@code Origin} and are unaffected. Upstreams behind
 * the broker cannot make these checks themselves: they see the broker, not the browser.
 */
public final class OriginPolicy {

    private final Set<String> allowedOrigins;
    private final Set<String> allowedHosts;

    /**
     * @param allowedOrigins exact origins ({@code https://app.example.com}); empty: no browser origin
     * @param allowedHosts   host names, with or without port; empty: any host
     */
    public OriginPolicy(Set<String> allowedOrigins, Set<String> allowedHosts) {
        this.allowedOrigins = normalise(allowedOrigins);
        this.allowedHosts = normalise(allowedHosts);
    }

    public static final OriginPolicy BROWSERS_REFUSED = new OriginPolicy(Set.of(), Set.of());

    /** @throws BrokerException 403 with {@code origin_not_allowed} or {@code host_not_allowed} */
    public void check(String origin, String host) {
        if (origin != null && !origin.isBlank() && !allowedOrigins.contains(stripSlash(origin.trim().toLowerCase(Locale.ROOT)))
                && !sameOriginOfServedHost(origin, host)) {
            throw new BrokerException(ErrorCode.ORIGIN_NOT_ALLOWED, "requests from this origin are not accepted");
        }
        if (!allowedHosts.isEmpty()) {
            String name = host == null ? "" : host.trim().toLowerCase(Locale.ROOT);
            String withoutPort = name.replaceFirst(":\\d+$", "");
            if (!allowedHosts.contains(name) && !allowedHosts.contains(withoutPort)) {
                throw new BrokerException(ErrorCode.HOST_NOT_ALLOWED, "this broker does not serve the requested host");
            }
        }
    }

    /**
     * A page of the broker's own origin: the {@code Origin} names exactly the {@code Host} the request is for, and
     * that host is one the broker serves (checked next). A rebinding attacker's page has its own name for a host,
     * which the host check refuses; with any host served, only configured origins are admitted.
     */
    private boolean sameOriginOfServedHost(String origin, String host) {
        if (allowedHosts.isEmpty() || host == null || host.isBlank()) {
            return false;
        }
        try {
            java.net.URI uri = java.net.URI.create(origin.trim());
            String authority = uri.getRawAuthority();
            return authority != null && uri.getScheme() != null
                    && (uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
                    && authority.equalsIgnoreCase(host.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Set<String> normalise(Set<String> values) {
        return values.stream().map(v -> stripSlash(v.trim().toLowerCase(Locale.ROOT))).filter(v -> !v.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    private static String stripSlash(String value) {
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }
}

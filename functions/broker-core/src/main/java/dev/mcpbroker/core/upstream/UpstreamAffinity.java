package dev.mcpbroker.core.upstream;

import java.net.HttpCookie;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What an upstream set to keep a session on one of its replicas: the cookies it (or the load balancer in
 * front of it) sent with {@code Set-Cookie}. Kept in the session record and sent back on every request,
 * so a stateful upstream behind a sticky load balancer sees every request of the session on the replica
 * that holds it, whichever broker instance sends it.
 *
 * <p>Bounded: an upstream cannot grow a session record without limit. Cookie values may be credentials
 * of the upstream's own making, so they are never printed.
 *
 * @param cookies cookie name to value, in name order
 */
public record UpstreamAffinity(Map<String, String> cookies) {

    /** More cookies than any load balancer needs; beyond this new names are ignored. */
    public static final int MAX_COOKIES = 32;
    /** Upper bound of the {@code Cookie} header the broker sends (RFC 6265 asks clients to allow 4096 per cookie). */
    public static final int MAX_HEADER_LENGTH = 8192;

    public static final UpstreamAffinity NONE = new UpstreamAffinity(Map.of());

    public UpstreamAffinity {
        cookies = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(cookies, "cookies")));
    }

    public boolean isEmpty() {
        return cookies.isEmpty();
    }

    /**
     * The affinity after an answer carrying these {@code Set-Cookie} values: new cookies added, changed
     * ones replaced, expired ones ({@code Max-Age=0} or a past expiry) removed. Unparseable values are
     * skipped: affinity is a courtesy to the upstream, never a reason to fail a call.
     */
    public UpstreamAffinity merge(List<String> setCookieHeaders) {
        if (setCookieHeaders.isEmpty()) {
            return this;
        }
        TreeMap<String, String> merged = new TreeMap<>(cookies);
        for (String header : setCookieHeaders) {
            List<HttpCookie> parsed;
            try {
                parsed = HttpCookie.parse(header);
            } catch (IllegalArgumentException e) {
                continue;
            }
            for (HttpCookie cookie : parsed) {
                if (cookie.hasExpired()) {
                    merged.remove(cookie.getName());
                } else if (merged.containsKey(cookie.getName()) || merged.size() < MAX_COOKIES) {
                    merged.put(cookie.getName(), cookie.getValue());
                }
            }
        }
        UpstreamAffinity next = new UpstreamAffinity(merged);
        return next.cookieHeader().length() > MAX_HEADER_LENGTH ? this : next;
    }

    /** The {@code Cookie} request header value, empty when there are no cookies. */
    public String cookieHeader() {
        return cookies.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("; "));
    }

    @Override
    public String toString() {
        return "UpstreamAffinity" + cookies.keySet();
    }
}

package dev.mcpbroker.conformance.era;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.conformance.json.JsonRpcMessage;

import java.util.function.Predicate;

/**
 * Tells the two generations apart per request, as versioning.mdx (2026-07-28, "Backward Compatibility") says: a
 * request carrying modern per-request {@code _meta} is served statelessly; an {@code initialize} selects legacy
 * semantics, scoped to the session it opens.
 *
 * <p>In order, for a dual-era server:
 * <ol>
 *   <li>{@code MCP-Protocol-Version} naming a revision that is not a legacy one (2026-07-28, or an unknown value
 *       such as {@code v999}): modern. Unknown versions thus get the modern -32022 answer, which names every
 *       supported revision, legacy ones included. A {@code Mcp-Session-Id} on such a request is ignored.</li>
 *   <li>{@code Mcp-Session-Id} of a live session: legacy, that session.</li>
 *   <li>{@code params._meta} with an {@code io.modelcontextprotocol/} request key (protocolVersion,
 *       clientCapabilities, clientInfo, logLevel) on anything but {@code initialize}: modern.</li>
 *   <li>{@code initialize}: legacy, a new session (its {@code _meta}, if any, is not a modern envelope: the
 *       method itself selects legacy semantics).</li>
 *   <li>An unknown {@code Mcp-Session-Id}: legacy, 404 (the session ended). None: legacy, 400.</li>
 * </ol>
 * A legacy-only server stops at the legacy routes; a modern-only server routes everything modern.
 */
public final class GenerationDetector {

    private static final String META_PREFIX = "io.modelcontextprotocol/";

    private final ServedGenerations served;
    private final Predicate<String> liveSession;

    public GenerationDetector(ServedGenerations served, Predicate<String> liveSession) {
        this.served = served;
        this.liveSession = liveSession;
    }

    public Route route(String protocolVersionHeader, String sessionIdHeader, JsonRpcMessage message) {
        if (!served.legacy()) {
            return Route.MODERN;
        }
        boolean modernHeader = protocolVersionHeader != null && !ProtocolVersions.isLegacy(protocolVersionHeader);
        if (served.modern() && modernHeader) {
            return Route.MODERN;
        }
        if (sessionIdHeader != null && liveSession.test(sessionIdHeader)) {
            return Route.LEGACY_SESSION;
        }
        boolean initialize = "initialize".equals(message.method());
        if (served.modern() && !initialize && carriesModernMeta(message)) {
            return Route.MODERN;
        }
        if (initialize && sessionIdHeader == null) {
            return Route.LEGACY_INITIALIZE;
        }
        return sessionIdHeader != null ? Route.LEGACY_UNKNOWN_SESSION : Route.LEGACY_MISSING_SESSION;
    }

    /** GET and DELETE: legacy when they name a live session and no modern revision; otherwise not served (405). */
    public Route routeStream(String protocolVersionHeader, String sessionIdHeader) {
        if (!served.legacy()) {
            return Route.MODERN;
        }
        boolean modernHeader = protocolVersionHeader != null && !ProtocolVersions.isLegacy(protocolVersionHeader);
        if (sessionIdHeader == null || (served.modern() && modernHeader)) {
            return served.modern() ? Route.MODERN : Route.LEGACY_MISSING_SESSION;
        }
        return liveSession.test(sessionIdHeader) ? Route.LEGACY_SESSION : Route.LEGACY_UNKNOWN_SESSION;
    }

    static boolean carriesModernMeta(JsonRpcMessage message) {
        JsonNode meta = message.params() == null ? null : message.params().get("_meta");
        if (meta == null || !meta.isObject()) {
            return false;
        }
        var names = meta.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (name.startsWith(META_PREFIX)) {
                return true;
            }
        }
        return false;
    }
}

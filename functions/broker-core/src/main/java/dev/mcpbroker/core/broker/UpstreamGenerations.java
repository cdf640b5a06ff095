package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.mcp.McpMeta;
import dev.mcpbroker.core.mcp.McpMethod.Generation;
import dev.mcpbroker.core.mcp.McpMethods;
import dev.mcpbroker.core.mcp.ProtocolVersions;
import dev.mcpbroker.core.mcp.StatelessTranslation;
import dev.mcpbroker.core.policy.TtlCache;
import dev.mcpbroker.core.upstream.UpstreamAffinity;
import dev.mcpbroker.core.upstream.UpstreamExchange;
import dev.mcpbroker.core.upstream.UpstreamReply;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Which protocol generation each upstream speaks, and what it says about itself. The registry may declare it;
 * otherwise the broker asks as a dual-era client does: a stateless {@code server/discover} first, and an upstream
 * that does not answer it with a discovery result is legacy, whose initialize result (capabilities, server info,
 * instructions) the broker then learns from a session it opens and ends at once. What is learned is kept for a while
 * per instance and learned again after a failure.
 */
final class UpstreamGenerations {

    /**
     * What the broker knows of an upstream.
     *
     * @param generation what it speaks
     * @param discovery  its discovery result when it is stateless (capabilities, supported versions, server info in
     *                   {@code _meta}, instructions); null for a legacy upstream
     */
    record Learned(Generation generation, ObjectNode discovery) {

        /** Whether it also serves sessions (a server of both generations lists a legacy revision in its discovery). */
        boolean servesSessions() {
            if (generation == Generation.SESSIONS) {
                return true;
            }
            for (JsonNode version : discovery.path("supportedVersions")) {
                if (ProtocolVersions.isSupported(version.asText())) {
                    return true;
                }
            }
            return false;
        }
    }

    private final UpstreamExchange upstream;
    private final ObjectMapper mapper;
    private final TtlCache<String, Learned> learned;
    private final TtlCache<String, ObjectNode> initializeResults;

    UpstreamGenerations(UpstreamExchange upstream, ObjectMapper mapper, Duration ttl, Clock clock) {
        this.upstream = Objects.requireNonNull(upstream);
        this.mapper = Objects.requireNonNull(mapper);
        this.learned = new TtlCache<>(ttl, clock);
        this.initializeResults = new TtlCache<>(ttl, clock);
    }

    /** The generation {@code server} speaks: the registry's word for a legacy one, else what the broker learned. */
    Generation generationOf(UpstreamServer server) {
        return server.declaredGeneration().filter(Generation.SESSIONS::equals)
                .orElseGet(() -> learned(server).generation());
    }

    /** What the broker learned of the upstream, asking it when it does not know. */
    Learned learned(UpstreamServer server) {
        if (server.declaredGeneration().orElse(null) == Generation.SESSIONS) {
            return new Learned(Generation.SESSIONS, null);
        }
        return learned.get(server.id(), id -> learn(server));
    }

    /** What the broker knows of the upstream without asking it: the registry's word or what it learned before. */
    Optional<Learned> known(UpstreamServer server) {
        if (server.declaredGeneration().orElse(null) == Generation.SESSIONS) {
            return Optional.of(new Learned(Generation.SESSIONS, null));
        }
        return learned.peek(server.id());
    }

    /**
     * What a legacy upstream says of itself in its initialize result, learned from a session the broker opens and ends
     * at once (only a stateless agent's {@code server/discover} needs it).
     */
    ObjectNode initializeResultOf(UpstreamServer server) {
        return initializeResults.get(server.id(), id -> initializeResult(server));
    }

    /** Forgets what was learned of a server, so the next request asks again (after it failed in a way that may mean it changed). */
    void forget(String serverId) {
        learned.invalidate(serverId);
        initializeResults.invalidate(serverId);
    }

    private Learned learn(UpstreamServer server) {
        ObjectNode discover = mapper.createObjectNode()
                .put(JsonRpc.JSONRPC, JsonRpc.VERSION)
                .put(JsonRpc.ID, "broker-discover")
                .put(JsonRpc.METHOD, McpMethods.SERVER_DISCOVER);
        ObjectNode clientInfo = mapper.createObjectNode().put("name", "mcp-broker").put("version", "1");
        ObjectNode stateless = StatelessTranslation.toStateless(discover, ProtocolVersions.V2026_07_28,
                mapper.createObjectNode(), clientInfo);
        try {
            UpstreamReply reply = upstream.send(server, stateless, null, ProtocolVersions.V2026_07_28,
                    UpstreamAffinity.NONE, StatelessTranslation.headers(stateless));
            JsonNode result = reply.response().map(response -> response.path(JsonRpc.RESULT)).orElse(mapper.missingNode());
            if (result instanceof ObjectNode about && speaksStateless(about)) {
                return new Learned(Generation.STATELESS, about);
            }
        } catch (BrokerException e) {
            if (e.code() != ErrorCode.UPSTREAM_REJECTED && e.code() != ErrorCode.UPSTREAM_PROTOCOL_ERROR) {
                throw e; // unreachable or failing: nothing learned, asked again next time
            }
        }
        if (server.declaredGeneration().orElse(null) == Generation.STATELESS) {
            throw new BrokerException(ErrorCode.UPSTREAM_PROTOCOL_ERROR,
                    "upstream '" + server.id() + "' is registered as stateless but did not answer server/discover");
        }
        return new Learned(Generation.SESSIONS, null);
    }

    private static boolean speaksStateless(ObjectNode discovery) {
        for (JsonNode version : discovery.path("supportedVersions")) {
            if (ProtocolVersions.isModern(version.asText())) {
                return true;
            }
        }
        return false;
    }

    /** A legacy upstream's initialize result, from a session opened for it and ended at once. */
    private ObjectNode initializeResult(UpstreamServer server) {
        ObjectNode params = mapper.createObjectNode().put("protocolVersion", ProtocolVersions.SUPPORTED.get(0));
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", "mcp-broker").put("version", "1");
        ObjectNode initialize = mapper.createObjectNode()
                .put(JsonRpc.JSONRPC, JsonRpc.VERSION)
                .put(JsonRpc.ID, "broker-learn")
                .put(JsonRpc.METHOD, McpMethods.INITIALIZE);
        initialize.set(JsonRpc.PARAMS, params);
        UpstreamExchange.Opened opened = upstream.open(server, initialize);
        if (opened.refused()) {
            return mapper.createObjectNode();
        }
        upstream.terminateQuietly(server, opened.upstreamSessionId(), opened.protocolVersion(), opened.affinity());
        JsonNode result = opened.response().path(JsonRpc.RESULT);
        ObjectNode about = result instanceof ObjectNode object ? object.deepCopy() : mapper.createObjectNode();
        about.remove(McpMeta.META);
        return about;
    }
}

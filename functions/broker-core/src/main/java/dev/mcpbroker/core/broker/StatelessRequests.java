package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.jsonrpc.JsonRpcMessage;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.mcp.McpMeta;
import dev.mcpbroker.core.mcp.McpMethod;
import dev.mcpbroker.core.mcp.McpMethods;
import dev.mcpbroker.core.mcp.StatelessMessages;
import dev.mcpbroker.core.policy.AccessPolicy;
import dev.mcpbroker.core.upstream.UpstreamExchange;
import java.util.Objects;
import java.util.function.Function;

/**
 * Stateless (2026-07-28) requests, after admission: the broker answers {@code server/discover} itself; every other
 * method of the stateless generation goes to a stateless upstream as it is ({@link StatelessBinding}), or to a legacy
 * one inside a session the broker holds for the caller ({@link HeldSessions}); in both cases governed, audited and
 * answered exactly as session traffic, then shaped as a stateless agent expects ({@link StatelessResults}).
 */
final class StatelessRequests {

    private final UpstreamGenerations generations;
    private final HeldSessions held;
    private final Discovery discovery;
    private final StatelessResults results;
    private final AccessPolicy policy;
    private final UpstreamExchange upstream;

    StatelessRequests(UpstreamGenerations generations, HeldSessions held, Discovery discovery, StatelessResults results,
                      AccessPolicy policy, UpstreamExchange upstream) {
        this.generations = Objects.requireNonNull(generations);
        this.held = Objects.requireNonNull(held);
        this.discovery = Objects.requireNonNull(discovery);
        this.results = Objects.requireNonNull(results);
        this.policy = Objects.requireNonNull(policy);
        this.upstream = Objects.requireNonNull(upstream);
    }

    /**
     * @param dispatch the request path a bound exchange takes from here (governance, tool calls, relay), as for
     *                 session traffic
     */
    BrokerResponse handle(Exchange exchange, Function<Exchange, BrokerResponse> dispatch) {
        return handle(exchange, dispatch, null);
    }

    /** @param heldScope the scope of a held session a legacy upstream is reached through ({@link HeldSessions#bind(Exchange, String)}) */
    BrokerResponse handle(Exchange exchange, Function<Exchange, BrokerResponse> dispatch, String heldScope) {
        McpMethod method = exchange.method();
        if (!method.generations().contains(McpMethod.Generation.STATELESS) || !(exchange.message() instanceof JsonRpcMessage.Request)) {
            throw new BrokerException(ErrorCode.METHOD_NOT_FOUND, "Method not found: this method is not one of the"
                    + " stateless protocol");
        }
        if (McpMethods.SERVER_DISCOVER.equals(method.name())) {
            return BrokerResponse.json(results.shape(exchange,
                    discovery.answer(exchange, policy.grantOf(exchange.identity(), exchange.server()))));
        }
        boolean statelessUpstream = generations.generationOf(exchange.server()) == McpMethod.Generation.STATELESS;
        if (!statelessUpstream && McpMethods.SUBSCRIPTIONS_LISTEN.equals(method.name())) {
            throw new BrokerException(ErrorCode.NOT_RELAYABLE, "upstream '" + exchange.server().id()
                    + "' speaks a protocol revision without subscriptions/listen; its change notifications need a"
                    + " session stream the broker does not hold for stateless agents");
        }
        Exchange bound = statelessUpstream ? statelessBinding(exchange) : held.bind(exchange, heldScope);
        JsonRpcMessage.Request request = bound.jsonRpcRequest();
        ObjectNode unsealed = results.unsealRequestState(bound, request.json());
        if (unsealed != request.json()) {
            bound = bound.withMessage(new JsonRpcMessage.Request(unsealed, request.id(), request.method()));
        }
        BrokerResponse response;
        try {
            response = dispatch.apply(bound);
        } catch (BrokerException e) {
            if (e.code() == ErrorCode.UNKNOWN_METHOD) {
                throw new BrokerException(ErrorCode.METHOD_NOT_FOUND, e.getMessage());
            }
            throw e;
        }
        BrokerResponse shaped = response.body().map(body -> response.withBody(results.shape(exchange, body))).orElse(response);
        BrokerResponse withEvents = Replies.withNotifications(withErrorStatus(shaped), bound);
        return withEvents.withEvents(StatelessLogLevels.filter(withEvents.events(), request.json()));
    }

    /**
     * An upstream's JSON-RPC error with the HTTP status the stateless transport gives it (404 for an unknown method,
     * 400 for a request the server cannot take as sent); a 2026 agent may read the status before the body.
     */
    private static BrokerResponse withErrorStatus(BrokerResponse response) {
        int code = response.body().map(body -> body.path(JsonRpc.ERROR).path(JsonRpc.CODE).asInt(0)).orElse(0);
        int status = switch (code) {
            case -32601 -> 404;
            case -32600, -32602, -32020, -32021, -32022 -> 400;
            default -> response.status();
        };
        return status == response.status() ? response
                : new BrokerResponse(status, response.headers(), response.body(), response.events());
    }

    private Exchange statelessBinding(Exchange exchange) {
        return exchange.bound(new StatelessBinding(exchange.server(), upstream,
                StatelessMessages.clientCapabilities(exchange.message()).orElseThrow(),
                exchange.message().json().path(JsonRpc.PARAMS).path(McpMeta.META).path(McpMeta.CLIENT_INFO),
                exchange.request().transport().paramHeaders()));
    }
}

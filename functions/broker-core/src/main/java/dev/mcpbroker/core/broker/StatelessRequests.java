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
        McpMethod method = exchange.method();
        if (!method.generations().contains(McpMethod.Generation.STATELESS) || !(exchange.message() instanceof JsonRpcMessage.Request)) {
            throw new BrokerException(ErrorCode.UNKNOWN_METHOD, "this method is not one of the stateless protocol");
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
        Exchange bound = statelessUpstream ? statelessBinding(exchange) : held.bind(exchange);
        JsonRpcMessage.Request request = bound.jsonRpcRequest();
        ObjectNode unsealed = results.unsealRequestState(bound, request.json());
        if (unsealed != request.json()) {
            bound = bound.withMessage(new JsonRpcMessage.Request(unsealed, request.id(), request.method()));
        }
        BrokerResponse response = dispatch.apply(bound);
        BrokerResponse shaped = response.body().map(body -> response.withBody(results.shape(exchange, body))).orElse(response);
        return Replies.withNotifications(shaped, bound);
    }

    private Exchange statelessBinding(Exchange exchange) {
        return exchange.bound(new StatelessBinding(exchange.server(), upstream,
                StatelessMessages.clientCapabilities(exchange.message()).orElseThrow(),
                exchange.message().json().path(JsonRpc.PARAMS).path(McpMeta.META).path(McpMeta.CLIENT_INFO)));
    }
}

package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.jsonrpc.JsonRpc;
import dev.mcpbroker.core.jsonrpc.JsonRpcMessage;
import dev.mcpbroker.core.mcp.HeaderValues;
import dev.mcpbroker.core.mcp.McpMeta;
import dev.mcpbroker.core.mcp.McpMethod;
import dev.mcpbroker.core.mcp.McpMethods;
import dev.mcpbroker.core.mcp.ProtocolVersions;
import dev.mcpbroker.core.mcp.StatelessMessages;
import dev.mcpbroker.core.mcp.StatelessTranslation;
import dev.mcpbroker.core.virtual.VirtualMember;
import dev.mcpbroker.core.policy.AccessPolicy;
import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One request of a virtual server's agent to one member, with the member's own names: sent as a stateless request
 * to that upstream server through the whole request path (its admission and grants, kill switches, idempotency,
 * audit under the member's id and the upstream's tool name, failure classes), so a stateless member is reached
 * without a session and a legacy one through a session the broker holds ({@link StatelessRequests}). A failure is
 * audited here, as the member's, and comes back as a {@link MemberFailure}.
 */
final class VirtualMembers {

    /** A member request failed; the failure was audited as the member's. */
    static final class MemberFailure extends RuntimeException {
        private final transient BrokerException failure;
        private final String serverId;

        MemberFailure(String serverId, BrokerException failure) {
            super(failure.getMessage(), failure, false, false);
            this.serverId = serverId;
            this.failure = failure;
        }

        BrokerException failure() {
            return failure;
        }

        String serverId() {
            return serverId;
        }
    }

    private final Admission admission;
    private final AuditBracket audit;
    private final StatelessRequests stateless;
    private final UpstreamGenerations generations;
    private final Function<Exchange, BrokerResponse> dispatch;
    private final AccessPolicy policy;

    /** @param dispatch the request path of a bound exchange (governance, tool calls, relay), as for any server */
    VirtualMembers(Admission admission, AccessPolicy policy, AuditBracket audit, StatelessRequests stateless,
                   UpstreamGenerations generations, Function<Exchange, BrokerResponse> dispatch) {
        this.admission = Objects.requireNonNull(admission);
        this.policy = Objects.requireNonNull(policy);
        this.audit = Objects.requireNonNull(audit);
        this.stateless = Objects.requireNonNull(stateless);
        this.generations = Objects.requireNonNull(generations);
        this.dispatch = Objects.requireNonNull(dispatch);
    }

    /**
     * Sends {@code message} (a JSON-RPC request in the member's names) to {@code member}.
     *
     * @param listing whether it reads a list for a merge: a member the agent has no grant for is then left out
     *                quietly (not recorded as a refusal: the agent asked the virtual server, not that member)
     */
    BrokerResponse send(VirtualCall call, VirtualMember member, ObjectNode message, boolean listing) {
        ObjectNode outgoing = call.stateless() ? message
                : StatelessTranslation.toStateless(message, ProtocolVersions.V2026_07_28, call.capabilities(),
                        call.clientInfo());
        String method = outgoing.path(JsonRpc.METHOD).asText();
        JsonRpcMessage.Request request = new JsonRpcMessage.Request(outgoing, outgoing.get(JsonRpc.ID), method);
        McpMethod entry = McpMethods.of(method, McpMethod.Kind.REQUEST);
        BrokerRequest agent = call.request();
        String name = StatelessMessages.nameOf(method, request.params()).map(HeaderValues::encode).orElse(null);
        BrokerRequest memberRequest = new BrokerRequest(agent.identity(), member.serverId(), null,
                ProtocolVersions.V2026_07_28, agent.idempotencyKey(), agent.taskId(),
                new BrokerRequest.Transport(method, name, agent.transport().acceptsEventStream(),
                        McpMethods.TOOLS_CALL.equals(method) ? agent.transport().paramHeaders() : Map.of()),
                agent.body());
        Exchange exchange = Exchange.incoming(memberRequest, request, entry, call.trace(),
                audit.subjectOf(memberRequest, request, call.trace().traceId()));
        try {
            Admission.Admitted admitted = admission.admitWithoutRateLimits(agent.identity(), member.serverId(), call.trace());
            exchange = exchange.admitted(admitted.server(), admitted.owner());
        } catch (BrokerException e) {
            if (!listing) {
                audit.refused(exchange.subject(), e, true);
            }
            throw new MemberFailure(member.serverId(), e);
        }
        try {
            BrokerResponse response = stateless.handle(exchange, dispatch, call.heldScope());
            return call.stateless() ? response : asSessionAnswer(response);
        } catch (RuntimeException e) {
            BrokerException failure = BrokerException.of(e);
            if (failure.code() == ErrorCode.UPSTREAM_REJECTED || failure.code() == ErrorCode.UPSTREAM_PROTOCOL_ERROR) {
                generations.forget(member.serverId());
            }
            audit.refused(exchange.subject(), failure, true);
            throw new MemberFailure(member.serverId(), failure);
        }
    }

    /**
     * Whether the agent's grant of a member covers what {@code covers} asks: read from the (cached) policy, without
     * contacting or recording anything, so a URI several members could serve is not tried, and refused, where the
     * agent could never read it. A member it cannot tell about counts as covered: trying it refuses it properly.
     */
    boolean mayReach(VirtualCall call, VirtualMember member, Predicate<ServerGrant> covers) {
        try {
            Optional<UpstreamServer> server = admission.registered(member.serverId());
            return server.isEmpty() || covers.test(policy.grantOf(call.request().identity(), server.get()));
        } catch (BrokerException e) {
            return false; // not granted at all
        } catch (RuntimeException e) {
            return true;
        }
    }

    /**
     * A member's answer as a legacy agent gets it in its session: without what the stateless generation adds to
     * results, and with the status of session traffic (a JSON-RPC error is an answer, HTTP 200).
     */
    private static BrokerResponse asSessionAnswer(BrokerResponse response) {
        response.body().ifPresent(body -> {
            if (body.get(JsonRpc.RESULT) instanceof ObjectNode result) {
                result.remove(McpMeta.RESULT_TYPE);
                result.remove(McpMeta.TTL_MS);
                result.remove(McpMeta.CACHE_SCOPE);
            }
        });
        return response.status() == 200 || response.body().isEmpty() ? response
                : new BrokerResponse(200, response.headers(), response.body(), response.events());
    }
}

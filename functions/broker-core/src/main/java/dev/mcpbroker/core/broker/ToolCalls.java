package dev.mcpbroker.core.broker;

import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.pinning.ApprovedTool;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.core.telemetry.RequestOutcome;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code tools/call} of a granted tool ({@link Grants}) whose definition pinning admits ({@link ToolPinning}): a read-only tool is relayed (and may be sent
 * again after the upstream lost its session), a state-changing one runs at most once per idempotency key
 * ({@link IdempotentToolCall}). Every call is counted with its latency per server, tool and outcome.
 */
final class ToolCalls {

    private final Grants grants;
    private final ToolPinning pinning;
    private final StateChangingTools stateChanging;
    private final IdempotentToolCall idempotent;
    private final AuditBracket audit;
    private final BrokerMetrics metrics;

    ToolCalls(Grants grants, ToolPinning pinning, StateChangingTools stateChanging, IdempotentToolCall idempotent,
              AuditBracket audit, BrokerMetrics metrics) {
        this.grants = Objects.requireNonNull(grants);
        this.pinning = Objects.requireNonNull(pinning);
        this.stateChanging = Objects.requireNonNull(stateChanging);
        this.idempotent = Objects.requireNonNull(idempotent);
        this.audit = Objects.requireNonNull(audit);
        this.metrics = Objects.requireNonNull(metrics);
    }

    BrokerResponse call(Exchange exchange) {
        String tool = Grants.toolOf(exchange); // granted: Grants.check ran before
        Optional<ApprovedTool> approved = pinning.checkCall(exchange, tool);
        boolean changesState = stateChanging.isStateChanging(exchange.server(), exchange.session(), tool, approved);
        long started = System.nanoTime();
        try {
            BrokerResponse response = changesState ? idempotent.call(exchange, tool) : readOnly(exchange);
            response.body().ifPresent(answer -> grants.recordCreatedTask(exchange, answer));
            metrics.toolCall(exchange.server().id(), tool, RequestOutcome.of(response.body().orElse(null)).outcome(),
                    Duration.ofNanos(System.nanoTime() - started));
            return response;
        } catch (BrokerException e) {
            metrics.toolCall(exchange.server().id(), tool, e.failureClass().wireName(),
                    Duration.ofNanos(System.nanoTime() - started));
            throw e;
        }
    }

    private BrokerResponse readOnly(Exchange exchange) {
        return BrokerResponse.json(audit.aroundRead(exchange.subject(), () ->
                exchange.session().request(exchange.message().json(), Map.of(), true)));
    }
}

package dev.mcpbroker.core.audit;

import dev.mcpbroker.core.audit.AuditChainReport.Finding;
import dev.mcpbroker.core.audit.AuditChainReport.Type;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pairs each INTENT of one chain with its OUTCOME: the broker records both for one request with the same correlation
 * id (the JSON-RPC id), method and tool, the outcome after the intent. Walked in sequence order, an outcome closes the
 * oldest open intent with its key (an agent may reuse a JSON-RPC id once the request is answered). What stays open is
 * a call whose result the trail does not record — the broker died mid-call, or could not record the outcome — and an
 * outcome that closes nothing lost its intent. Intents recorded after {@code inFlightSince} may still be waiting
 * for their upstream and are not reported.
 */
final class IntentOutcomePairing {

    /** What pairing needs of one event. */
    record Step(long seq, AuditEvent.Kind kind, String correlationId, String method, String tool, String eventId,
                Instant time) {

        static Step of(AuditEvent event) {
            return new Step(event.sessionSeq(), event.kind(), event.correlationId(), event.method(), event.tool(),
                    event.eventId(), event.time());
        }

        String key() {
            return correlationId + "\u0000" + method + "\u0000" + tool;
        }
    }

    private IntentOutcomePairing() {
    }

    /** Findings of one chain; {@code steps} in sequence order, distinct positions only. */
    static List<Finding> findings(String chainKey, Iterable<Step> steps, Instant inFlightSince) {
        Map<String, Deque<Step>> open = new HashMap<>();
        List<Finding> findings = new ArrayList<>();
        for (Step step : steps) {
            if (step.kind() == AuditEvent.Kind.INTENT) {
                open.computeIfAbsent(step.key(), k -> new ArrayDeque<>()).addLast(step);
            } else if (step.kind() == AuditEvent.Kind.OUTCOME) {
                Deque<Step> intents = open.get(step.key());
                if (intents == null || intents.isEmpty()) {
                    findings.add(new Finding(Type.OUTCOME_WITHOUT_INTENT, chainKey, step.seq(),
                            "outcome of " + describe(step) + " has no intent before it"));
                } else {
                    intents.removeFirst();
                }
            }
        }
        open.values().forEach(intents -> intents.forEach(intent -> {
            if (inFlightSince == null || intent.time().isBefore(inFlightSince)) {
                findings.add(new Finding(Type.INTENT_WITHOUT_OUTCOME, chainKey, intent.seq(),
                        "intent of " + describe(intent) + " at " + intent.time() + " has no outcome"));
            }
        }));
        return findings;
    }

    private static String describe(Step step) {
        return step.method() + (step.tool() == null ? "" : " " + step.tool())
                + ", correlation " + (step.correlationId() == null ? "none" : step.correlationId())
                + " (event " + step.eventId() + ")";
    }
}

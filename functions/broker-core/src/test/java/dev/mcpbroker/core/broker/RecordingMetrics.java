package dev.mcpbroker.core.broker;

import dev.mcpbroker.core.telemetry.BrokerMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Keeps every metric event as a line ({@code name server value...}) for tests to read. */
final class RecordingMetrics implements BrokerMetrics {

    private final List<String> events = new ArrayList<>();

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    private synchronized void record(String event) {
        events.add(event);
    }

    @Override
    public void toolDefinitionDrift(String serverId, String reason) {
        record("drift " + serverId + " " + reason);
    }

    @Override
    public void virtualMemberOmitted(String virtualServer, String serverId, String reason) {
        record("omitted " + virtualServer + " " + serverId + " " + reason);
    }

    @Override
    public void requestDenied(String reason) {
        record("denied " + reason);
    }

    @Override
    public void toolCall(String serverId, String tool, String outcome, Duration latency) {
        record("toolCall " + serverId + " " + tool + " " + outcome);
    }

    @Override
    public void upstreamSessionReopened(String serverId, boolean retried) {
        record("reopened " + serverId + " " + retried);
    }

    @Override
    public void idempotencyDecision(String serverId, String decision) {
        record("decision " + serverId + " " + decision);
    }

    @Override
    public void idempotencyOutcomeUnknown(String serverId) {
        record("unknown " + serverId);
    }

    @Override
    public void idempotencyRecordNotUpdated(String serverId, String transition) {
        record("notUpdated " + serverId + " " + transition);
    }

    @Override
    public void sessionOpened(String serverId, boolean warm, Duration queued) {
        record("opened " + serverId + " " + (warm ? "warm" : "cold") + " " + queued);
    }

    @Override
    public void sessionCapacityExhausted(String serverId) {
        record("capacityExhausted " + serverId);
    }

    @Override
    public void sessionEnded(String serverId) {
        record("ended " + serverId);
    }
}

package dev.mcpbroker.conformance.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpbroker.conformance.era.Generation;

import java.util.Map;
import java.util.SequencedMap;

/**
 * What a fixture handler may do besides computing its result, the same way in both generations: read the client's
 * declared capabilities, report progress and log, and ask the client for input. Only the mechanics differ (a legacy
 * session's stream and round trips, or a 2026-07-28 request's {@code _meta} and MRTR).
 */
public interface CallContext {

    Generation generation();

    /** True when the client declared the top-level capability (e.g. {@code sampling}). */
    boolean declares(String capability);

    /** Fails the request unless the client declared {@code capability} (-32021 in 2026-07-28). */
    void requireCapability(String capability);

    /** A {@code notifications/progress} on this request's stream, when the request carried a progress token. */
    void progress(double progress, double total, String message);

    /** A {@code notifications/message} on this request's stream, when the client's log level lets it through. */
    void log(String level, String message);

    /**
     * The client's answers to {@code requests}, keyed as they are. A legacy session asks the client now and waits; a
     * 2026-07-28 request either already carries them (in {@code inputResponses}, or in a verified
     * {@code requestState} from an earlier round) or ends with an {@code input_required} result asking for the ones
     * missing.
     */
    Map<String, JsonNode> inputs(SequencedMap<String, InputRequest> requests);

    /** True when a 2026-07-28 retry came back with a verified {@code requestState} (always true in a session). */
    boolean resumedFromRequestState();
}

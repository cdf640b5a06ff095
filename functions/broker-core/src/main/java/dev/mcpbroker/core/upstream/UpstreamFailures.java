package dev.mcpbroker.core.upstream;

import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;

/** Turns a failed upstream exchange into the broker error the agent receives, with its failure class. */
public final class UpstreamFailures {

    private UpstreamFailures() {
    }

    public static BrokerException toBrokerException(String serverId, UpstreamException failure) {
        ErrorCode code = switch (failure.kind()) {
            case UNREACHABLE -> ErrorCode.UPSTREAM_UNREACHABLE;
            case NO_RESPONSE -> ErrorCode.UPSTREAM_OUTCOME_UNKNOWN;
            case SESSION_GONE -> ErrorCode.UPSTREAM_SESSION_LOST;
            case THROTTLED -> ErrorCode.UPSTREAM_THROTTLED;
            case REJECTED -> ErrorCode.UPSTREAM_REJECTED;
            case SERVER_ERROR -> ErrorCode.UPSTREAM_FAILED;
            case PROTOCOL -> ErrorCode.UPSTREAM_PROTOCOL_ERROR;
        };
        BrokerException error = new BrokerException(code, "upstream '" + serverId + "': " + failure.getMessage());
        return failure.retryAfter().map(error::withRetryAfter).orElse(error);
    }
}

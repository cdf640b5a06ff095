package dev.mcpbroker.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UpstreamSessionSignalsTest {

    @Test
    void notFoundIsAlwaysAGoneSession() {
        assertThat(UpstreamSessionSignals.sessionGone(404, "")).isTrue();
    }

    @Test
    void badRequestNamingAnInvalidSessionIsAGoneSessionAsTheReferenceServersAnswer() {
        assertThat(UpstreamSessionSignals.sessionGone(400, """
                {"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request: No valid session ID provided"},"id":null}""")).isTrue();
        assertThat(UpstreamSessionSignals.sessionGone(400, "Session not found")).isTrue();
        assertThat(UpstreamSessionSignals.sessionGone(400, "Unknown session id")).isTrue();
    }

    @Test
    void otherBadRequestsAndOtherStatusesAreNot() {
        assertThat(UpstreamSessionSignals.sessionGone(400, "{\"error\":{\"message\":\"Invalid params: amount\"}}")).isFalse();
        assertThat(UpstreamSessionSignals.sessionGone(400, "")).isFalse();
        assertThat(UpstreamSessionSignals.sessionGone(500, "session not found")).isFalse();
        assertThat(UpstreamSessionSignals.sessionGone(403, "invalid session")).isFalse();
    }
}

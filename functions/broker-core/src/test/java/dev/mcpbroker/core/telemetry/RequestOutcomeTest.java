package dev.mcpbroker.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import dev.mcpbroker.core.error.FailureClass;
import org.junit.jupiter.api.Test;

class RequestOutcomeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aResultIsOkAndATextlessAnswerToo() throws Exception {
        assertThat(RequestOutcome.of(JSON.readTree("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"))).isEqualTo(RequestOutcome.OK);
        assertThat(RequestOutcome.of((com.fasterxml.jackson.databind.JsonNode) null)).isEqualTo(RequestOutcome.OK);
    }

    @Test
    void aToolsOwnErrorIsDataNotAFailureClass() throws Exception {
        RequestOutcome outcome = RequestOutcome.of(JSON.readTree(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"isError\":true,\"content\":[]}}"));
        assertThat(outcome.outcome()).isEqualTo("tool_error");
        assertThat(outcome.errorType()).isEqualTo("tool_error");
        assertThat(outcome.failureClass()).isNull();
    }

    @Test
    void anUpstreamsJsonRpcErrorIsDeterministicWithItsCodeAsErrorType() throws Exception {
        RequestOutcome outcome = RequestOutcome.of(JSON.readTree(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"bad account alice\"}}"));
        assertThat(outcome).isEqualTo(new RequestOutcome("deterministic", "-32602", null, FailureClass.DETERMINISTIC));
    }

    @Test
    void aBrokerFailureCarriesItsReasonFailureClassAndJsonRpcCode() {
        RequestOutcome outcome = RequestOutcome.of(new BrokerException(ErrorCode.RATE_LIMITED, "the tenant rate limit is exhausted"));
        assertThat(outcome).isEqualTo(new RequestOutcome("not_executed", "-31042", "rate_limited", FailureClass.NOT_EXECUTED));
        assertThat(outcome.failed()).isTrue();
    }
}

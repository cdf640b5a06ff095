package dev.mcpbroker.core.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonRpcCodecTest {

    private final JsonRpcCodec codec = new JsonRpcCodec(new ObjectMapper());

    private JsonRpcMessage parse(String json) {
        return codec.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static ErrorCode codeOf(Runnable action) {
        try {
            action.run();
        } catch (BrokerException e) {
            return e.code();
        }
        throw new AssertionError("no BrokerException");
    }

    @Test
    void requestWithIdAndMethodIsARequest() {
        JsonRpcMessage message = parse("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\",\"params\":{}}");
        assertThat(message).isInstanceOf(JsonRpcMessage.Request.class);
        assertThat(((JsonRpcMessage.Request) message).method()).isEqualTo("tools/list");
        assertThat(((JsonRpcMessage.Request) message).id().asInt()).isEqualTo(7);
    }

    @Test
    void methodWithoutIdIsANotification() {
        assertThat(parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"))
                .isInstanceOf(JsonRpcMessage.Notification.class);
    }

    @Test
    void resultWithIdIsAResponse() {
        assertThat(parse("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":{}}")).isInstanceOf(JsonRpcMessage.Response.class);
    }

    @Test
    void malformedJsonIsAParseError() {
        assertThat(codeOf(() -> parse("{\"jsonrpc\":"))).isEqualTo(ErrorCode.PARSE_ERROR);
        assertThat(codeOf(() -> parse(""))).isEqualTo(ErrorCode.PARSE_ERROR);
        assertThat(codeOf(() -> parse("{} {}"))).isEqualTo(ErrorCode.PARSE_ERROR);
    }

    @Test
    void batchArrayIsRefusedAsInvalidRequest() {
        BrokerException error = (BrokerException) org.assertj.core.api.Assertions.catchThrowable(() ->
                parse("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]"));
        assertThat(error.code()).isEqualTo(ErrorCode.BATCH_NOT_SUPPORTED);
        assertThat(error.code().jsonRpcCode()).isEqualTo(JsonRpc.INVALID_REQUEST);
    }

    @Test
    void wrongVersionMissingMethodOrBadIdIsInvalidRequest() {
        assertThat(codeOf(() -> parse("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}"))).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(codeOf(() -> parse("{\"jsonrpc\":\"2.0\",\"id\":1}"))).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(codeOf(() -> parse("{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"ping\"}"))).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(codeOf(() -> parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":[1]}"))).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(codeOf(() -> parse("\"just a string\""))).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    void deeplyNestedMessageIsRefused() {
        String nested = "[".repeat(200) + "]".repeat(200);
        assertThatThrownBy(() -> parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":{\"a\":" + nested + "}}"))
                .isInstanceOf(BrokerException.class);
    }
}

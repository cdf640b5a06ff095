package dev.mcpbroker.core.jsonrpc;

/** JSON-RPC 2.0 member names and the error codes the specification reserves. */
public final class JsonRpc {

    public static final String VERSION = "2.0";

    public static final String JSONRPC = "jsonrpc";
    public static final String ID = "id";
    public static final String METHOD = "method";
    public static final String PARAMS = "params";
    public static final String RESULT = "result";
    public static final String ERROR = "error";
    public static final String CODE = "code";
    public static final String MESSAGE = "message";
    public static final String DATA = "data";

    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    public static final int INTERNAL_ERROR = -32603;

    private JsonRpc() {
    }
}

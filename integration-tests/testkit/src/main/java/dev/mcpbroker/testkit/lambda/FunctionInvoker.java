package dev.mcpbroker.testkit.lambda;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A function invoked synchronously with an event's JSON, as Lambda's event source mappings and schedules invoke
 * one ({@link LocalLambda#invoke}).
 */
@FunctionalInterface
public interface FunctionInvoker {

    /**
     * The function's answer to {@code event}.
     *
     * @throws LambdaRuntimeApi.FunctionError when there is none (function error, crash, timeout)
     */
    JsonNode invoke(byte[] event);
}

package dev.mcpbroker.function;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.jsonrpc.JsonRpcCodec;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Applies the JSON-RPC codec's parser limits to the function's one ObjectMapper, which reads agent bodies
 * and upstream answers alike: hostile nesting or absurd numbers fail fast as parse errors.
 */
@Singleton
public class ParserLimits implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        JsonRpcCodec.hardened(mapper);
    }
}

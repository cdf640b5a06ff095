package dev.mcpbroker.core.upstream;

import java.net.URI;
import java.time.Duration;
import dev.mcpbroker.core.mcp.McpMethod;
import java.util.Objects;
import java.util.Optional;

/**
 * A registered upstream MCP server.
 *
 * @param id             the name agents use in the broker's path, {@code /mcp/{id}}
 * @param endpoint       the upstream's Streamable HTTP endpoint
 * @param connectTimeout how long to wait for a connection before the call counts as not executed
 * @param requestTimeout how long to wait for the complete answer once the request was sent
 * @param auth           how the broker authenticates to it
 * @param controls       its kill switches
 * @param toolPolicy     the registry's overrides of the upstream's tool annotations, and its key policy
 * @param sessionLimits  its session cap and warm pool
 * @param generation     the protocol generation it speaks, when the registry declares it; null: learned by asking
 */
public record UpstreamServer(String id, URI endpoint, Duration connectTimeout, Duration requestTimeout,
                             UpstreamAuth auth, ServerControls controls, ToolPolicy toolPolicy, SessionLimits sessionLimits,
                             McpMethod.Generation generation) {

    public UpstreamServer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(controls, "controls");
        Objects.requireNonNull(toolPolicy, "toolPolicy");
        Objects.requireNonNull(sessionLimits, "sessionLimits");
    }

    /** An upstream whose generation is learned by asking it. */
    public UpstreamServer(String id, URI endpoint, Duration connectTimeout, Duration requestTimeout,
                          UpstreamAuth auth, ServerControls controls, ToolPolicy toolPolicy, SessionLimits sessionLimits) {
        this(id, endpoint, connectTimeout, requestTimeout, auth, controls, toolPolicy, sessionLimits, null);
    }

    /** The generation the registry declares, if it does. */
    public Optional<McpMethod.Generation> declaredGeneration() {
        return Optional.ofNullable(generation);
    }


    /** An upstream under the broker's default session limits. */
    public UpstreamServer(String id, URI endpoint, Duration connectTimeout, Duration requestTimeout,
                          UpstreamAuth auth, ServerControls controls, ToolPolicy toolPolicy) {
        this(id, endpoint, connectTimeout, requestTimeout, auth, controls, toolPolicy, SessionLimits.DEFAULT);
    }

    /** An upstream whose tools are taken at their annotations, under the broker's default key policy. */
    public UpstreamServer(String id, URI endpoint, Duration connectTimeout, Duration requestTimeout,
                          UpstreamAuth auth, ServerControls controls) {
        this(id, endpoint, connectTimeout, requestTimeout, auth, controls, ToolPolicy.NONE);
    }

    /** An upstream without credentials or kill switches. */
    public UpstreamServer(String id, URI endpoint, Duration connectTimeout, Duration requestTimeout) {
        this(id, endpoint, connectTimeout, requestTimeout, UpstreamAuth.NONE, ServerControls.NONE);
    }
}

package dev.mcpbroker.function;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The broker function's configuration ({@code broker.*}). Every property can be set as an environment
 * variable in the usual MicroProfile form, e.g. {@code broker.session.table} as {@code BROKER_SESSION_TABLE};
 * the SAM template sets them per function.
 */
@ConfigMapping(prefix = "broker")
public interface BrokerConfig {

    Session session();

    Limits limits();

    /** Upstream MCP servers by the id agents use in {@code /mcp/{id}}. */
    Map<String, Upstream> upstreams();

    Aws aws();

    interface Session {

        /** Name of the DynamoDB state table (sessions and, later, every other kind of broker state). */
        @WithDefault("mcp-broker-state")
        String table();

        /** Absolute lifetime of a session from initialize; the record's TTL is set from it. */
        @WithDefault("PT12H")
        Duration lifetime();
    }

    interface Limits {

        /** Largest request body accepted from an agent, in bytes; larger bodies get 413. */
        @WithDefault("1048576")
        int maxBodyBytes();

        /** Largest upstream answer read, in bytes; larger answers fail as a protocol error. */
        @WithDefault("8388608")
        long maxUpstreamResponseBytes();
    }

    interface Upstream {

        /** The upstream's Streamable HTTP endpoint, e.g. {@code https://payments.internal/mcp}. */
        URI url();

        /** Connection timeout; a call that cannot connect in time is reported as not executed. */
        @WithDefault("PT2S")
        Duration connectTimeout();

        /**
         * Time allowed for the complete answer once the request was sent. Keep it below the API Gateway
         * HTTP API integration timeout (30 s) so the broker, not the gateway, reports the failure class.
         */
        @WithDefault("PT25S")
        Duration requestTimeout();
    }

    interface Aws {

        /** AWS region; when empty the SDK's default region chain applies (AWS_REGION in Lambda). */
        Optional<String> region();

        Endpoint dynamodb();

        interface Endpoint {

            /** Endpoint override for local emulators; empty in AWS. */
            Optional<URI> endpoint();
        }
    }
}

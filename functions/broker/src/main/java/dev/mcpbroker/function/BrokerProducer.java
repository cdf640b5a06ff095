package dev.mcpbroker.function;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.broker.BrokerSettings;
import dev.mcpbroker.core.broker.McpBroker;
import dev.mcpbroker.core.jsonrpc.JsonRpcCodec;
import dev.mcpbroker.core.session.SessionIds;
import dev.mcpbroker.core.session.SessionStore;
import dev.mcpbroker.core.upstream.HttpUpstreamClient;
import dev.mcpbroker.core.upstream.UpstreamClient;
import dev.mcpbroker.core.upstream.UpstreamRegistry;
import dev.mcpbroker.core.upstream.UpstreamServer;
import dev.mcpbroker.sessiontable.DynamoDbSessionStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Wires the plain-Java broker to its adapters. */
@ApplicationScoped
public class BrokerProducer {

    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @ApplicationScoped
    JsonRpcCodec codec(ObjectMapper mapper) {
        return new JsonRpcCodec(mapper);
    }

    @Produces
    @ApplicationScoped
    SessionStore sessionStore(DynamoDbClient dynamoDb, BrokerConfig config) {
        return new DynamoDbSessionStore(dynamoDb, config.session().table());
    }

    @Produces
    @ApplicationScoped
    UpstreamRegistry upstreamRegistry(BrokerConfig config) {
        Map<String, UpstreamServer> servers = config.upstreams().entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> new UpstreamServer(e.getKey(),
                        e.getValue().url(), e.getValue().connectTimeout(), e.getValue().requestTimeout())));
        return serverId -> Optional.ofNullable(servers.get(serverId));
    }

    @Produces
    @ApplicationScoped
    UpstreamClient upstreamClient(ObjectMapper mapper, BrokerConfig config) {
        return new HttpUpstreamClient(mapper, config.limits().maxUpstreamResponseBytes());
    }

    @Produces
    @ApplicationScoped
    McpBroker broker(JsonRpcCodec codec, SessionStore sessions, UpstreamRegistry upstreams, UpstreamClient upstreamClient,
                     Clock clock, BrokerConfig config) {
        return new McpBroker(codec, sessions, upstreams, upstreamClient, new SessionIds(new SecureRandom()), clock,
                new BrokerSettings(config.session().lifetime(), config.limits().maxBodyBytes()));
    }
}

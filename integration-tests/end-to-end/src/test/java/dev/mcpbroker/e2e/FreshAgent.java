package dev.mcpbroker.e2e;

import dev.mcpbroker.core.policy.ServerGrant;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * An agent of a tenant of its own that no broker instance has seen yet (so no policy cache knows it, and the sessions
 * it leaves in the state table are its own to count), with a token and a grant of everything on one server.
 */
record FreshAgent(String id, String tenant, String authorization) {

    static FreshAgent grantedOn(LocalBrokerStack stack, String server) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String id = "two-generations-" + suffix;
        String tenant = "two-generations-" + suffix;
        // The payments server's grant is its tools; the fixture servers' covers their resources and prompts too.
        ServerGrant grant = LocalBrokerStack.PAYMENTS.equals(server) ? new ServerGrant(server, null)
                : new ServerGrant(server, null, List.of("*"), List.of("*"), null);
        stack.policyAdmin().grant(id, tenant, grant);
        String token = stack.tokens().forAgent(id).tenant(tenant).actingFor("user-" + suffix + "@example.com")
                .expiresIn(Duration.ofMinutes(30)).sign();
        return new FreshAgent(id, tenant, "Bearer " + token);
    }
}

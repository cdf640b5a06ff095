package dev.mcpbroker.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.mcp.McpMethod;
import dev.mcpbroker.core.upstream.ServerControls;
import dev.mcpbroker.core.upstream.SessionLimits;
import dev.mcpbroker.core.upstream.ToolPolicy;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.upstream.UpstreamRegistry;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What every {@link UpstreamRegistry} shows: a registered server with every field as registered (endpoint, auth,
 * timeouts, kill switches, tool policy, session limits), and nothing for an id never registered. The registry is
 * read-only; registering is the subclass's hook, made the way that adapter's administrator does it. Timeouts are
 * whole milliseconds; ids are random per test.
 */
public abstract class UpstreamRegistryContract {

    private static final URI URL = URI.create("https://payments.internal.example/mcp");
    private static final UpstreamAuth BEARER =
            new UpstreamAuth(UpstreamAuth.Scheme.BEARER, "arn:aws:secretsmanager:eu-west-1:1:secret:mcp-broker/upstream/pay", null);

    private final String id = "pay-" + UUID.randomUUID();

    /** The registry under test, reading what {@link #register} wrote. */
    protected abstract UpstreamRegistry registry();

    /**
     * Registers a server that was not registered before, so that the registry holds exactly {@code server}; called
     * again for the same id, re-registers it with the new endpoint, auth and timeouts (kill switches, tool policy and
     * session limits of the servers these tests re-register are the defaults).
     */
    protected abstract void register(UpstreamServer server);

    @Test
    void aServerNeverRegisteredIsUnknown() {
        assertThat(registry().find("nobody-" + UUID.randomUUID())).isEmpty();
    }

    @Test
    void aRegisteredServerIsFoundWithItsEndpointAuthAndTimeoutsAndNoSwitchesOrLimits() {
        UpstreamServer server = new UpstreamServer(id, URL, Duration.ofMillis(2_500), Duration.ofSeconds(30), BEARER,
                ServerControls.NONE);

        register(server);

        UpstreamServer found = registry().find(id).orElseThrow();
        assertThat(found).isEqualTo(server);
        assertThat(found.toolPolicy()).isEqualTo(ToolPolicy.NONE);
        assertThat(found.sessionLimits()).isEqualTo(SessionLimits.DEFAULT);
    }

    @Test
    void everyAuthSchemeIsFoundAsRegistered() {
        for (UpstreamAuth auth : new UpstreamAuth[] {
                UpstreamAuth.NONE,
                BEARER,
                new UpstreamAuth(UpstreamAuth.Scheme.HEADER, "arn:header-secret", "X-Api-Key"),
                new UpstreamAuth(UpstreamAuth.Scheme.BASIC, "arn:basic-secret", null)}) {
            String serverId = id + "-" + auth.scheme();
            UpstreamServer server = new UpstreamServer(serverId, URL, Duration.ofSeconds(1), Duration.ofSeconds(5), auth,
                    ServerControls.NONE);

            register(server);

            assertThat(registry().find(serverId)).as(auth.scheme().name()).contains(server);
        }
    }

    @Test
    void killSwitchesAreFoundWithTheServer() {
        UpstreamServer killed = new UpstreamServer(id, URL, Duration.ofSeconds(2), Duration.ofSeconds(30), BEARER,
                new ServerControls(true, Set.of("refund", "delete_account")));

        register(killed);

        assertThat(registry().find(id)).contains(killed);
    }

    @Test
    void killedToolsOfALiveServerAreFoundWithIt() {
        UpstreamServer server = new UpstreamServer(id, URL, Duration.ofSeconds(2), Duration.ofSeconds(30), BEARER,
                new ServerControls(false, Set.of("refund")));

        register(server);

        assertThat(registry().find(id).orElseThrow().controls()).isEqualTo(new ServerControls(false, Set.of("refund")));
    }

    @Test
    void killedResourcesAndPromptsAndSessionSharesAreFoundWithTheServer() {
        UpstreamServer server = new UpstreamServer(id, URL, Duration.ofSeconds(2), Duration.ofSeconds(30), BEARER,
                new ServerControls(false, Set.of(), Set.of("file:///secret/*", "file:///a"), Set.of("admin_override")),
                ToolPolicy.NONE, new SessionLimits(OptionalInt.of(50), 0, OptionalInt.of(10), OptionalInt.of(2)));

        register(server);

        assertThat(registry().find(id)).contains(server);
    }

    @Test
    void aDeclaredProtocolGenerationIsFoundWithTheServer() {
        UpstreamServer stateless = new UpstreamServer(id, URL, Duration.ofSeconds(2), Duration.ofSeconds(30), BEARER,
                ServerControls.NONE, ToolPolicy.NONE, SessionLimits.DEFAULT, McpMethod.Generation.STATELESS);

        register(stateless);

        assertThat(registry().find(id)).contains(stateless);
        assertThat(registry().find(id).orElseThrow().declaredGeneration()).contains(McpMethod.Generation.STATELESS);
    }

    @Test
    void aServerThatDeclaresNoGenerationIsLearned() {
        register(new UpstreamServer(id, URL, Duration.ofSeconds(2), Duration.ofSeconds(30), BEARER, ServerControls.NONE));

        assertThat(registry().find(id).orElseThrow().declaredGeneration()).isEmpty();
    }

    @Test
    void toolPolicyAndSessionLimitsAreFoundWithTheServer() {
        UpstreamServer server = new UpstreamServer(id, URL, Duration.ofSeconds(2), Duration.ofSeconds(30), BEARER,
                ServerControls.NONE, new ToolPolicy(Set.of("get_balance", "list_*"), Set.of("refund"), Optional.of(true)),
                new SessionLimits(OptionalInt.of(5), 2));

        register(server);

        assertThat(registry().find(id)).contains(server);
    }

    @Test
    void aKeyPolicyThatDoesNotRequireKeysIsFoundApartFromTheDefault() {
        UpstreamServer server = new UpstreamServer(id, URL, Duration.ofSeconds(2), Duration.ofSeconds(30), UpstreamAuth.NONE,
                ServerControls.NONE, new ToolPolicy(Set.of(), Set.of(), Optional.of(false)),
                new SessionLimits(OptionalInt.empty(), 3));

        register(server);

        UpstreamServer found = registry().find(id).orElseThrow();
        assertThat(found.toolPolicy().requireIdempotencyKey()).contains(false);
        assertThat(found).isEqualTo(server);
    }

    @Test
    void reRegistrationReplacesEndpointAuthAndTimeouts() {
        register(new UpstreamServer(id, URL, Duration.ofSeconds(2), Duration.ofSeconds(30), BEARER, ServerControls.NONE));
        UpstreamServer moved = new UpstreamServer(id, URI.create("https://moved.example/mcp"), Duration.ofSeconds(1),
                Duration.ofSeconds(5), new UpstreamAuth(UpstreamAuth.Scheme.HEADER, "arn:other", "X-Api-Key"), ServerControls.NONE);

        register(moved);

        assertThat(registry().find(id)).contains(moved);
    }

    @Test
    void serversAreFoundByTheirOwnId() {
        UpstreamServer pay = new UpstreamServer(id, URL, Duration.ofSeconds(2), Duration.ofSeconds(30), BEARER, ServerControls.NONE);
        UpstreamServer docs = new UpstreamServer("docs-" + UUID.randomUUID(), URI.create("https://docs.example/mcp"),
                Duration.ofSeconds(3), Duration.ofSeconds(10), UpstreamAuth.NONE, new ServerControls(true, Set.of()));

        register(pay);
        register(docs);

        assertThat(registry().find(pay.id())).contains(pay);
        assertThat(registry().find(docs.id())).contains(docs);
    }
}

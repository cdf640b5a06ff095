package dev.mcpbroker.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.mcp.OriginPolicy;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServedHostsTest {

    private static final URI RESOURCE = URI.create("https://mcp.example.com/");

    @Test
    void withoutConfigurationOnlyTheResourceUrlsHostIsServed() {
        OriginPolicy policy = new OriginPolicy(Set.of(), BrokerProducer.servedHosts(Optional.empty(), RESOURCE));

        policy.check(null, "mcp.example.com");
        policy.check(null, "mcp.example.com:443");
        assertThatThrownBy(() -> policy.check(null, "attacker.example.net"))
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.code().reason()).isEqualTo("host_not_allowed"));
        assertThatThrownBy(() -> policy.check(null, "127.0.0.1:8080")).isInstanceOf(BrokerException.class);
    }

    @Test
    void configuredHostsReplaceTheResourceUrlsHost() {
        assertThat(BrokerProducer.servedHosts(Optional.of(List.of("localhost", "127.0.0.1")), RESOURCE))
                .containsExactlyInAnyOrder("localhost", "127.0.0.1");
    }

    @Test
    void anAsteriskServesAnyHost() {
        OriginPolicy policy = new OriginPolicy(Set.of(), BrokerProducer.servedHosts(Optional.of(List.of("*")), RESOURCE));

        policy.check(null, "anything.example.org");
    }
}

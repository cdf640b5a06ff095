package dev.mcpbroker.core.mcp;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {

    private final OriginPolicy policy = new OriginPolicy(Set.of("https://Console.example.com/"), Set.of("broker.example.com"));

    private static void refused(Runnable check, ErrorCode code) {
        assertThatThrownBy(check::run).isInstanceOfSatisfying(BrokerException.class,
                e -> org.assertj.core.api.Assertions.assertThat(e.code()).isEqualTo(code));
    }

    @Test
    void requestsWithoutOriginFromAnAllowedHostPass() {
        assertThatCode(() -> policy.check(null, "broker.example.com")).doesNotThrowAnyException();
        assertThatCode(() -> policy.check(null, "BROKER.example.com:443")).doesNotThrowAnyException();
    }

    @Test
    void allowedOriginPassesWhateverItsCaseOrTrailingSlash() {
        assertThatCode(() -> policy.check("https://console.example.com", "broker.example.com")).doesNotThrowAnyException();
    }

    @Test
    void foreignOriginIsRefused() {
        refused(() -> policy.check("https://evil.example", "broker.example.com"), ErrorCode.ORIGIN_NOT_ALLOWED);
        refused(() -> policy.check("null", "broker.example.com"), ErrorCode.ORIGIN_NOT_ALLOWED);
    }

    @Test
    void aPageOfTheBrokersOwnServedOriginPasses() {
        assertThatCode(() -> policy.check("https://broker.example.com", "broker.example.com")).doesNotThrowAnyException();
        assertThatCode(() -> policy.check("http://BROKER.example.com:8443", "broker.example.com:8443")).doesNotThrowAnyException();
    }

    @Test
    void aRebindingPageNamingItsOwnHostIsRefusedByTheHostCheck() {
        refused(() -> policy.check("http://attacker.example:8080", "attacker.example:8080"), ErrorCode.HOST_NOT_ALLOWED);
        refused(() -> policy.check("http://broker.example.com:9999", "broker.example.com:8443"), ErrorCode.ORIGIN_NOT_ALLOWED);
        refused(() -> OriginPolicy.BROWSERS_REFUSED.check("http://anything", "anything"), ErrorCode.ORIGIN_NOT_ALLOWED);
    }

    @Test
    void rebindingHostIsRefused() {
        refused(() -> policy.check(null, "attacker.example"), ErrorCode.HOST_NOT_ALLOWED);
        refused(() -> policy.check(null, null), ErrorCode.HOST_NOT_ALLOWED);
    }

    @Test
    void byDefaultEveryBrowserOriginIsRefusedAndAnyHostServed() {
        refused(() -> OriginPolicy.BROWSERS_REFUSED.check("http://localhost:6274", "anything"), ErrorCode.ORIGIN_NOT_ALLOWED);
        assertThatCode(() -> OriginPolicy.BROWSERS_REFUSED.check(null, "anything")).doesNotThrowAnyException();
    }
}

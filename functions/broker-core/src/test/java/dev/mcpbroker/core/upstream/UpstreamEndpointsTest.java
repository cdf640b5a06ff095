package dev.mcpbroker.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Which endpoints the broker may contact: never its own environment's metadata, link-local or runtime addresses. */
class UpstreamEndpointsTest {

    private static URI uri(String text) {
        return URI.create(text);
    }

    @Test
    void productionAdmitsHttpsToPublicAddressesOnly() {
        assertThat(UpstreamEndpoints.PRODUCTION.problem(uri("https://93.184.215.14/mcp"))).isEmpty();
        assertThat(UpstreamEndpoints.PRODUCTION.problem(uri("http://93.184.215.14/mcp"))).hasValue("the scheme must be https");
        assertThat(UpstreamEndpoints.PRODUCTION.problem(uri("https://127.0.0.1:9001/2018-06-01/runtime/invocation/next")))
                .hasValueSatisfying(problem -> assertThat(problem).contains("loopback"));
        assertThat(UpstreamEndpoints.PRODUCTION.problem(uri("https://[::1]/mcp"))).isPresent();
        assertThat(UpstreamEndpoints.PRODUCTION.problem(uri("https://0.0.0.0/mcp"))).isPresent();
    }

    @Test
    void linkLocalAndInstanceMetadataAreNeverAdmittedEvenForLocalDevelopment() {
        for (UpstreamEndpoints endpoints : new UpstreamEndpoints[] {UpstreamEndpoints.PRODUCTION, UpstreamEndpoints.LOCAL_DEVELOPMENT}) {
            assertThat(endpoints.problem(uri("http://169.254.169.254/latest/meta-data/"))).as(endpoints.toString()).isPresent();
            assertThat(endpoints.problem(uri("https://169.254.10.1/mcp"))).as(endpoints.toString()).isPresent();
            assertThat(endpoints.problem(uri("http://[fd00:ec2::254]/latest"))).as(endpoints.toString()).isPresent();
            assertThat(endpoints.problem(uri("http://[fe80::1]/mcp"))).as(endpoints.toString()).isPresent();
        }
    }

    @Test
    void localDevelopmentAlsoAdmitsHttpAndLoopback() {
        assertThat(UpstreamEndpoints.LOCAL_DEVELOPMENT.problem(uri("http://127.0.0.1:3001/mcp"))).isEmpty();
        assertThat(UpstreamEndpoints.LOCAL_DEVELOPMENT.problem(uri("ftp://127.0.0.1/mcp"))).isPresent();
    }

    @Test
    void aRefusedEndpointIsAnUpstreamErrorThatSentNothing() {
        UpstreamServer metadata = new UpstreamServer("imds", uri("http://169.254.169.254/mcp"), Duration.ofSeconds(1),
                Duration.ofSeconds(1));

        BrokerException refused = catchThrowableOfType(BrokerException.class,
                () -> UpstreamEndpoints.LOCAL_DEVELOPMENT.check(metadata));

        assertThat(refused.code()).isEqualTo(ErrorCode.UPSTREAM_ENDPOINT_NOT_ALLOWED);
        assertThat(refused.failureClass().wireName()).isEqualTo("not_executed");
    }
}

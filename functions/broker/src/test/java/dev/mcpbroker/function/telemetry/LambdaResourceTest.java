package dev.mcpbroker.function.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.resources.Resource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LambdaResourceTest {

    @Test
    void inLambdaTheResourceNamesTheFunctionItsVersionAndRegion() {
        Resource resource = LambdaResource.of(Map.of("AWS_LAMBDA_FUNCTION_NAME", "mcp-broker-broker",
                "AWS_LAMBDA_FUNCTION_VERSION", "7", "AWS_REGION", "eu-central-1")::get);
        assertThat(resource.getAttribute(AttributeKey.stringKey("cloud.provider"))).isEqualTo("aws");
        assertThat(resource.getAttribute(AttributeKey.stringKey("cloud.platform"))).isEqualTo("aws_lambda");
        assertThat(resource.getAttribute(AttributeKey.stringKey("faas.name"))).isEqualTo("mcp-broker-broker");
        assertThat(resource.getAttribute(AttributeKey.stringKey("faas.version"))).isEqualTo("7");
        assertThat(resource.getAttribute(AttributeKey.stringKey("cloud.region"))).isEqualTo("eu-central-1");
        assertThat(resource.getAttribute(AttributeKey.stringKey("faas.max_memory"))).isNull();
    }

    @Test
    void outsideLambdaTheResourceAddsNothing() {
        assertThat(LambdaResource.of(Map.<String, String>of()::get)).isEqualTo(Resource.empty());
    }
}

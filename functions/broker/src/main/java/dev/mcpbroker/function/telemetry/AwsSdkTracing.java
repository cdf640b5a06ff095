package dev.mcpbroker.function.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.instrumentation.awssdk.v2_2.AwsSdkTelemetry;
import software.amazon.awssdk.core.client.builder.SdkClientBuilder;

/**
 * A CLIENT span for every call of an AWS SDK client ({@code DynamoDb.GetItem}, {@code SecretsManager.GetSecretValue},
 * {@code Kinesis.PutRecord}), child of whatever span is current, from OpenTelemetry's SDK execution
 * interceptor. It records the service, operation, table or stream names and the AWS request id; no item,
 * record or secret value.
 */
public final class AwsSdkTracing {

    private AwsSdkTracing() {
    }

    /** {@code builder} with the tracing interceptor added to whatever override configuration it already has. */
    public static <B extends SdkClientBuilder<B, C>, C> B traced(B builder, OpenTelemetry openTelemetry) {
        return builder.overrideConfiguration(builder.overrideConfiguration().toBuilder()
                .addExecutionInterceptor(AwsSdkTelemetry.create(openTelemetry).newExecutionInterceptor())
                .build());
    }
}

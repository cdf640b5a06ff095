package dev.mcpbroker.function.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.resources.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.function.Function;

/**
 * Which function instance the telemetry comes from, read from the variables Lambda sets ({@code cloud.*},
 * {@code faas.*}; Quarkus merges it into the SDK's resource). Empty outside Lambda. Taken from the
 * environment rather than from OpenTelemetry's AWS resource detectors, which probe EC2 metadata at start.
 */
@ApplicationScoped
public class LambdaResource {

    @Produces
    @Singleton
    Resource lambda() {
        return of(System::getenv);
    }

    /** The resource of the function whose runtime environment {@code environment} reads. */
    public static Resource of(Function<String, String> environment) {
        String function = environment.apply("AWS_LAMBDA_FUNCTION_NAME");
        if (function == null || function.isBlank()) {
            return Resource.empty();
        }
        AttributesBuilder attributes = Attributes.builder()
                .put("cloud.provider", "aws")
                .put("cloud.platform", "aws_lambda")
                .put("faas.name", function);
        Map.of("faas.version", "AWS_LAMBDA_FUNCTION_VERSION", "cloud.region", "AWS_REGION",
                "faas.max_memory", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE").forEach((attribute, variable) -> {
                    String value = environment.apply(variable);
                    if (value != null && !value.isBlank()) {
                        attributes.put(AttributeKey.stringKey(attribute), value);
                    }
                });
        return Resource.create(attributes.build());
    }
}

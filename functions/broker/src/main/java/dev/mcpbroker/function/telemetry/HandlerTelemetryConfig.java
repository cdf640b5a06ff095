package dev.mcpbroker.function.telemetry;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;

/**
 * The standard OpenTelemetry variables the plain handlers (audit forwarder, session maintenance) read, which the SAM
 * template sets for them: {@code OTEL_SDK_DISABLED}, {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT},
 * {@code OTEL_TRACES_SAMPLER_ARG}. The broker function's Quarkus OpenTelemetry reads its own ({@code QUARKUS_OTEL_*}).
 */
@ConfigMapping(prefix = "otel")
public interface HandlerTelemetryConfig {

    Sdk sdk();

    Exporter exporter();

    Traces traces();

    interface Sdk {

        /** {@code true}: no SDK, nothing recorded or exported (the template's choice without a collector layer). */
        @WithDefault("false")
        boolean disabled();
    }

    interface Exporter {

        Otlp otlp();

        interface Otlp {

            Signal traces();

            interface Signal {

                /** Where spans go over OTLP/HTTP: the collector layer's receiver. */
                @WithDefault("http://localhost:4318/v1/traces")
                URI endpoint();
            }
        }
    }

    interface Traces {

        Sampler sampler();

        interface Sampler {

            /** The share of traces that start in the handler which are sampled (parent-based otherwise). */
            @WithDefault("1.0")
            double arg();
        }
    }
}

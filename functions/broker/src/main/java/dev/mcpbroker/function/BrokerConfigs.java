package dev.mcpbroker.function;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;

/**
 * {@link BrokerConfig} for code that Quarkus does not start: the audit forwarder and session maintenance handlers
 * (plain Lambda handlers in the same {@code function.zip}), tests and benchmarks. The same typed mapping with the
 * same defaults, read from the same environment variables ({@code BROKER_SESSION_TABLE} for
 * {@code broker.session.table}), so no handler parses variables or repeats a default of its own.
 */
public final class BrokerConfigs {

    private BrokerConfigs() {
    }

    /** The function's environment and system properties, as Quarkus reads them for the broker function. */
    public static BrokerConfig fromEnvironment() {
        return build(new SmallRyeConfigBuilder().addDefaultSources(), BrokerConfig.class);
    }

    /** Properties given by name ({@code broker.session.table}); anything not given takes its default. */
    public static BrokerConfig of(Map<String, String> properties) {
        return of(BrokerConfig.class, properties);
    }

    /** Another mapping ({@code @ConfigMapping} interface) from properties given by name. */
    public static <T> T of(Class<T> mapping, Map<String, String> properties) {
        return build(new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(properties, "given", 500)), mapping);
    }

    /**
     * A mapping read from environment variables as given ({@code BROKER_SESSION_TABLE}), the way the functions read
     * theirs in Lambda; for tests of the variable names.
     */
    static <T> T fromVariables(Class<T> mapping, Map<String, String> variables) {
        return build(new SmallRyeConfigBuilder().withSources(new EnvConfigSource(variables, 300)), mapping);
    }

    /** Another mapping ({@code @ConfigMapping} interface) read from the function's environment. */
    public static <T> T mappingFromEnvironment(Class<T> mapping) {
        return build(new SmallRyeConfigBuilder().addDefaultSources(), mapping);
    }

    private static <T> T build(SmallRyeConfigBuilder builder, Class<T> mapping) {
        // Properties of other mappings share the prefix (broker.auth.* in the broker function's environment).
        SmallRyeConfig config = builder.withMapping(mapping).withValidateUnknown(false).build();
        return config.getConfigMapping(mapping);
    }
}

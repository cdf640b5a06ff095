package dev.mcpbroker.function;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mcpbroker.sessiontable.SessionTable;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Holds the deployment descriptions to the code: the OpenAPI document and the SAM template must name the
 * routes the function serves, the handler the build produces, the configuration the function reads, and
 * the table layout the session store writes.
 */
class DeploymentContractTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final java.nio.file.Path ROOT = java.nio.file.Path.of("../..").toAbsolutePath().normalize();

    private static JsonNode read(String path) throws IOException {
        return YAML.readTree(ROOT.resolve(path).toFile());
    }

    /** The SAM template with its short-form intrinsic tags in long form ({@code !Ref X} is {"Ref": "X"}). */
    private static JsonNode template() throws IOException {
        return CloudFormationYaml.read(ROOT.resolve("infra/template.yaml"));
    }

    /** "POST /mcp/{server}" for every JAX-RS resource method of the function. */
    private static Set<String> servedRoutes() {
        Set<String> routes = new TreeSet<>();
        for (Class<?> resource : Set.of(McpResource.class, dev.mcpbroker.function.auth.ProtectedResourceMetadataResource.class)) {
            String base = resource.getAnnotation(Path.class).value();
            for (Method method : resource.getDeclaredMethods()) {
                String path = method.isAnnotationPresent(Path.class) ? base + method.getAnnotation(Path.class).value() : base;
                if (method.isAnnotationPresent(POST.class)) {
                    routes.add("POST " + path);
                }
                if (method.isAnnotationPresent(GET.class)) {
                    routes.add("GET " + path);
                }
                if (method.isAnnotationPresent(DELETE.class)) {
                    routes.add("DELETE " + path);
                }
            }
        }
        return routes;
    }

    @Test
    void openApiPathsAreExactlyTheRoutesTheFunctionServes() throws IOException {
        Set<String> documented = new TreeSet<>();
        read("openapi/openapi.yaml").path("paths").properties().forEach(path ->
                path.getValue().properties().forEach(operation -> {
                    if (Set.of("get", "post", "put", "delete", "patch").contains(operation.getKey())) {
                        documented.add(operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
                    }
                }));
        assertThat(documented).isEqualTo(servedRoutes());
    }

    @Test
    void templateRoutesAreExactlyTheRoutesTheFunctionServes() throws IOException {
        Set<String> routed = new TreeSet<>();
        template().path("Resources").path("BrokerFunction").path("Properties").path("Events").forEach(event -> {
            if (event.path("Type").asText().equals("HttpApi")) {
                routed.add(event.path("Properties").path("Method").asText() + " " + event.path("Properties").path("Path").asText());
            }
        });
        assertThat(routed).isEqualTo(servedRoutes());
    }

    @Test
    void templateJvmHandlerIsTheOneTheBuildGenerates() throws IOException {
        JsonNode handler = template().path("Resources").path("BrokerFunction").path("Properties").path("Handler");
        // !If [IsNative, <native placeholder>, <jvm handler>]
        assertThat(handler.path("Fn::If").path(0).asText()).isEqualTo("IsNative");
        String jvmHandler = handler.path("Fn::If").path(2).asText();
        assertThat(jvmHandler).isEqualTo(dev.mcpbroker.testkit.lambda.LocalLambda.QUARKUS_HANDLER);
        java.nio.file.Path generated = java.nio.file.Path.of("target/sam.jvm.yaml");
        if (java.nio.file.Files.exists(generated)) {
            String sam = java.nio.file.Files.readString(generated);
            assertThat(sam).contains("Handler: " + jvmHandler);
        }
    }

    @Test
    void everyEnvironmentVariableInTheTemplateIsConfigurationTheFunctionReads() throws IOException {
        Set<String> readable = environmentNames("BROKER", BrokerConfig.class);
        readable.addAll(environmentNames("BROKER_AUTH", dev.mcpbroker.function.auth.AuthConfig.class));
        Set<String> set = new TreeSet<>();
        template().path("Resources").path("BrokerFunction").path("Properties").path("Environment").path("Variables")
                .fieldNames().forEachRemaining(set::add);
        set.remove("DISABLE_SIGNAL_HANDLERS"); // read by the Quarkus Lambda runtime, not by broker code
        assertThat(set).allSatisfy(name -> assertThat(readable).anySatisfy(pattern -> assertThat(name).matches(pattern)));
        assertThat(set).contains("BROKER_SESSION_TABLE");
    }

    @Test
    void templateTableHasTheKeySchemaAndTtlTheSessionStoreUses() throws IOException {
        JsonNode table = template().path("Resources").path("StateTable").path("Properties");
        Map<String, String> keys = StreamSupport.stream(table.path("KeySchema").spliterator(), false)
                .collect(Collectors.toMap(k -> k.path("KeyType").asText(), k -> k.path("AttributeName").asText()));
        assertThat(keys).isEqualTo(Map.of("HASH", SessionTable.PARTITION_KEY, "RANGE", SessionTable.SORT_KEY));
        assertThat(table.path("TimeToLiveSpecification").path("AttributeName").asText()).isEqualTo(SessionTable.TTL_ATTRIBUTE);
        assertThat(table.path("TimeToLiveSpecification").path("Enabled").asBoolean()).isTrue();
        assertThat(table.path("PointInTimeRecoverySpecification").path("PointInTimeRecoveryEnabled").asBoolean()).isTrue();
    }

    @Test
    void functionPolicyGrantsExactlyWhatTheAdaptersUseOnTheirOwnResources() throws IOException {
        JsonNode policies = template().path("Resources").path("BrokerFunction").path("Properties").path("Policies");
        Map<String, Set<String>> actionsByResource = new java.util.TreeMap<>();
        for (JsonNode policy : policies) {
            assertThat(policy.isObject()).as("inline statements only, no broad managed policies").isTrue();
            for (JsonNode statement : policy.path("Statement")) {
                Set<String> actions = actionsByResource.computeIfAbsent(statement.path("Resource").toString(), k -> new java.util.TreeSet<>());
                statement.path("Action").forEach(action -> actions.add(action.asText()));
            }
        }
        assertThat(actionsByResource).isEqualTo(Map.of(
                // sessions (create, read, end), rate-limit buckets, idempotency records and their result chunks
                getAtt("StateTable"), Set.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                        "dynamodb:DeleteItem", "dynamodb:Query"),
                // the allowlist and registry: read only
                getAtt("PolicyTable"), Set.of("dynamodb:GetItem"),
                // the audit fingerprint key
                JsonNodeFactory.instance.objectNode().put("Ref", "AuditFingerprintKey").toString(),
                Set.of("secretsmanager:GetSecretValue"),
                // upstream credentials under the admin CLI's prefix only
                JsonNodeFactory.instance.objectNode().put("Fn::Sub",
                        "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
                                + dev.mcpbroker.core.upstream.UpstreamAuth.SECRET_PREFIX + "*").toString(),
                Set.of("secretsmanager:GetSecretValue")));
    }

    private static String getAtt(String resource) {
        return JsonNodeFactory.instance.objectNode().set("Fn::GetAtt",
                JsonNodeFactory.instance.arrayNode().add(resource).add("Arn")).toString();
    }

    @Test
    void templateHasExplicitLogGroupsAndTheOutputsTestsRead() throws IOException {
        JsonNode template = template();
        assertThat(template.path("Resources").path("BrokerFunction").path("Properties").path("LoggingConfig").path("LogGroup").path("Ref").asText())
                .isEqualTo("BrokerLogGroup");
        assertThat(template.path("Resources").path("BrokerLogGroup").path("Properties").has("RetentionInDays")).isTrue();
        assertThat(template.path("Outputs").fieldNames()).toIterable()
                .contains("BrokerApiUrl", "StateTableName", "BrokerFunctionName");
    }

    /** Environment-variable spellings (as regular expressions) of every property of a config mapping. */
    static Set<String> environmentNames(String prefix, Class<?> mapping) {
        Set<String> names = new TreeSet<>();
        for (Method method : mapping.getDeclaredMethods()) {
            String name = prefix + "_" + method.getName().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
            Class<?> type = method.getReturnType();
            if (type == Map.class) {
                Class<?> value = (Class<?>) ((ParameterizedType) method.getGenericReturnType()).getActualTypeArguments()[1];
                names.addAll(environmentNames(name + "_[A-Z0-9_]+", value));
            } else if (type.isInterface() && type.getName().startsWith("dev.mcpbroker")) {
                names.addAll(environmentNames(name, type));
            } else {
                names.add(name);
            }
        }
        return names;
    }
}

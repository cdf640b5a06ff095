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
        assertThat(actionsByResource(policies)).isEqualTo(Map.of(
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
                .contains("BrokerApiUrl", "StateTableName", "BrokerFunctionName",
                        "AuditForwarderFunctionName", "AuditDeadLetterQueueUrl");
        assertThat(forwarder().path("LoggingConfig").path("LogGroup").path("Ref").asText()).isEqualTo("AuditForwarderLogGroup");
        assertThat(template.path("Resources").path("AuditForwarderLogGroup").path("Properties").has("RetentionInDays")).isTrue();
    }

    // ---- the audit forwarder: the outbox's change feed to the audit account's stream ----

    static final String FORWARDER_HANDLER = "dev.mcpbroker.function.forwarder.AuditForwarderHandler::handleRequest";

    private static JsonNode forwarder() throws IOException {
        return template().path("Resources").path("AuditForwarderFunction").path("Properties");
    }

    private static JsonNode ref(String name) {
        return JsonNodeFactory.instance.objectNode().put("Ref", name);
    }

    @Test
    void forwarderRunsTheForwarderHandlerFromTheBrokersZipOnTheManagedJavaRuntime() throws IOException {
        JsonNode resources = template().path("Resources");
        assertThat(resources.path("AuditForwarderFunction").path("Type").asText()).isEqualTo("AWS::Serverless::Function");
        JsonNode forwarder = forwarder();
        assertThat(forwarder.path("Handler").asText()).isEqualTo(FORWARDER_HANDLER);
        // always java21, also when the broker is native: the forwarder is off the request path
        assertThat(forwarder.path("Runtime").asText()).isEqualTo("java21");
        assertThat(forwarder.path("CodeUri")).isEqualTo(resources.path("BrokerFunction").path("Properties").path("CodeUri"));
        assertThat(forwarder.path("Timeout").asInt()).isEqualTo(60);
        assertThat(forwarder.path("MemorySize").asInt()).isEqualTo(512);
    }

    @Test
    void forwarderHandlerIsAStreamHandlerThatReportsPartialBatchFailures() throws ClassNotFoundException {
        String className = FORWARDER_HANDLER.substring(0, FORWARDER_HANDLER.indexOf("::"));
        String methodName = FORWARDER_HANDLER.substring(FORWARDER_HANDLER.indexOf("::") + 2);
        Class<?> handler = Class.forName(className, false, getClass().getClassLoader());
        assertThat(handler.getConstructors()).as("the runtime needs a public no-argument constructor")
                .anySatisfy(constructor -> assertThat(constructor.getParameterCount()).isZero());
        // ReportBatchItemFailures is only honoured if the handler answers with the batch item failures
        assertThat(handler.getMethods()).filteredOn(method -> method.getName().equals(methodName)).singleElement()
                .satisfies(method -> {
                    assertThat(method.getParameterTypes()).extracting(Class::getName)
                            .containsExactly("com.amazonaws.services.lambda.runtime.events.DynamodbEvent",
                                    "com.amazonaws.services.lambda.runtime.Context");
                    assertThat(method.getReturnType().getName())
                            .isEqualTo("com.amazonaws.services.lambda.runtime.events.StreamsEventResponse");
                });
    }

    @Test
    void forwarderReadsExactlyTheStreamArnAndTheStateTable() throws IOException {
        Set<String> names = new TreeSet<>();
        JsonNode variables = forwarder().path("Environment").path("Variables");
        variables.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("BROKER_AUDIT_STREAM_ARN", "BROKER_SESSION_TABLE");
        assertThat(variables.path("BROKER_AUDIT_STREAM_ARN")).isEqualTo(ref("AuditStreamArn"));
        assertThat(variables.path("BROKER_SESSION_TABLE")).isEqualTo(ref("StateTable"));
    }

    @Test
    void forwarderPolicyGrantsExactlyWhatForwardingNeedsOnTheAuditAccountsResources() throws IOException {
        assertThat(actionsByResource(forwarder().path("Policies"))).isEqualTo(Map.of(
                // put events on the audit account's stream (one record per event, in order)
                ref("AuditStreamArn").toString(), Set.of("kinesis:PutRecord", "kinesis:DescribeStreamSummary"),
                // Kinesis encrypts them with the audit account's key on the producer's behalf
                ref("AuditKmsKeyArn").toString(), Set.of("kms:GenerateDataKey"),
                // mark an event delivered in the outbox
                getAtt("StateTable"), Set.of("dynamodb:UpdateItem"),
                // the event source's dead letters (SAM adds no policy for an OnFailure without Type)
                getAtt("AuditDeadLetterQueue"), Set.of("sqs:SendMessage")));
        // The cross-account grants hold only in the audit account, whatever ARN a parameter names.
        for (JsonNode statement : forwarder().path("Policies").path(0).path("Statement")) {
            String resource = statement.path("Resource").toString();
            if (resource.equals(ref("AuditStreamArn").toString()) || resource.equals(ref("AuditKmsKeyArn").toString())) {
                assertThat(statement.path("Condition").path("StringEquals").path("aws:ResourceAccount"))
                        .as("account condition of %s", statement).isEqualTo(ref("AuditAccountId"));
            }
        }
    }

    @Test
    void onlyTheForwarderTalksToTheAuditAccount() throws IOException {
        JsonNode resources = template().path("Resources");
        resources.properties().forEach(resource -> {
            if (!resource.getKey().equals("AuditForwarderFunction")) {
                assertThat(resource.getValue().toString()).as(resource.getKey())
                        .doesNotContain("kinesis:", "kms:", "AuditStreamArn", "AuditKmsKeyArn");
            }
        });
        assertThat(actionsByResource(resources.path("BrokerFunction").path("Properties").path("Policies")).values().stream()
                .flatMap(Set::stream))
                .noneMatch(action -> action.startsWith("kinesis:") || action.startsWith("kms:"));
    }

    @Test
    void stateTableStreamsNewImagesToTheForwarder() throws IOException {
        JsonNode table = template().path("Resources").path("StateTable").path("Properties");
        assertThat(table.path("StreamSpecification").path("StreamViewType").asText()).isEqualTo("NEW_IMAGE");
        JsonNode events = forwarder().path("Events");
        assertThat(events.size()).isEqualTo(1);
        JsonNode event = events.elements().next();
        assertThat(event.path("Type").asText()).isEqualTo("DynamoDB");
        assertThat(event.path("Properties").path("Stream")).isEqualTo(JsonNodeFactory.instance.objectNode().set("Fn::GetAtt",
                JsonNodeFactory.instance.arrayNode().add("StateTable").add("StreamArn")));
        assertThat(event.path("Properties").path("StartingPosition").asText()).isEqualTo("TRIM_HORIZON");
        assertThat(event.path("Properties").path("BatchSize").asInt()).isEqualTo(100);
    }

    @Test
    void streamFilterKeepsOnlyNewAuditEventItems() throws IOException {
        JsonNode filters = forwarderEvent().path("FilterCriteria").path("Filters");
        assertThat(filters.size()).as("one filter (several would be OR-ed)").isEqualTo(1);
        JsonNode pattern = new ObjectMapper().readTree(filters.path(0).path("Pattern").asText());
        assertThat(pattern.path("eventName")).isEqualTo(new ObjectMapper().readTree("[\"INSERT\"]"));
        // event items: sk "event#<12-digit seq>" (DynamoDbAuditOutbox); heads (sk "head") and every other
        // kind of state item are left out
        assertThat(pattern.path("dynamodb").path("Keys").path(SessionTable.SORT_KEY).path("S"))
                .isEqualTo(new ObjectMapper().readTree("[{\"prefix\":\"event#\"}]"));
        Set<String> fields = new TreeSet<>();
        pattern.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("dynamodb", "eventName");
    }

    @Test
    void forwarderReportsPartialFailuresRetriesInOrderAndDeadLettersToTheQueue() throws IOException {
        JsonNode event = forwarderEvent();
        assertThat(event.path("FunctionResponseTypes")).extracting(JsonNode::asText).contains("ReportBatchItemFailures");
        // never split a failed batch: events of a session must reach the stream in order
        assertThat(event.path("BisectBatchOnFunctionError").isBoolean()).isTrue();
        assertThat(event.path("BisectBatchOnFunctionError").asBoolean()).isFalse();
        // bounded retries (-1 would retry one poison record until the stream trims it, losing it silently)
        int retries = event.path("MaximumRetryAttempts").asInt(-1);
        assertThat(retries).isBetween(1, 10_000);
        int maxAge = event.path("MaximumRecordAgeInSeconds").asInt(-1);
        assertThat(maxAge).as("discarded (to the dead-letter queue) before DynamoDB Streams' 24 h trim").isBetween(60, 86_399);
        JsonNode onFailure = event.path("DestinationConfig").path("OnFailure");
        assertThat(onFailure.path("Destination")).isEqualTo(JsonNodeFactory.instance.objectNode().set("Fn::GetAtt",
                JsonNodeFactory.instance.arrayNode().add("AuditDeadLetterQueue").add("Arn")));
        assertThat(onFailure.has("Type")).as("Type: SQS would make SAM add sqs:SendMessage* besides the inline grant").isFalse();
        JsonNode resources = template().path("Resources");
        assertThat(resources.path("AuditDeadLetterQueue").path("Type").asText()).isEqualTo("AWS::SQS::Queue");
        assertThat(resources.path("AuditDeadLetterQueue").path("Properties").path("SqsManagedSseEnabled").asBoolean()).isTrue();
        assertThat(resources.path("AuditDeadLetterQueue").path("Properties").path("MessageRetentionPeriod").asInt()).isEqualTo(1_209_600);
        JsonNode alarm = resources.path("AuditDeadLetterAlarm").path("Properties");
        assertThat(resources.path("AuditDeadLetterAlarm").path("Type").asText()).isEqualTo("AWS::CloudWatch::Alarm");
        assertThat(alarm.path("Namespace").asText()).isEqualTo("AWS/SQS");
        assertThat(alarm.path("Dimensions").path(0).path("Value")).isEqualTo(JsonNodeFactory.instance.objectNode().set("Fn::GetAtt",
                JsonNodeFactory.instance.arrayNode().add("AuditDeadLetterQueue").add("QueueName")));
        assertThat(alarm.path("ComparisonOperator").asText()).isEqualTo("GreaterThanThreshold");
        assertThat(alarm.path("Threshold").asInt()).isZero();
    }

    private static JsonNode forwarderEvent() throws IOException {
        return forwarder().path("Events").elements().next().path("Properties");
    }

    /** The inline statements of a function's Policies, as resource (its JSON) to the actions granted on it. */
    private static Map<String, Set<String>> actionsByResource(JsonNode policies) {
        Map<String, Set<String>> actionsByResource = new java.util.TreeMap<>();
        for (JsonNode policy : policies) {
            assertThat(policy.isObject()).as("inline statements only, no broad managed policies").isTrue();
            for (JsonNode statement : policy.path("Statement")) {
                assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
                Set<String> actions = actionsByResource.computeIfAbsent(statement.path("Resource").toString(), k -> new java.util.TreeSet<>());
                statement.path("Action").forEach(action -> actions.add(action.asText()));
            }
        }
        return actionsByResource;
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

package dev.mcpbroker.function;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mcpbroker.function.maintenance.SessionMaintenanceHandler;
import dev.mcpbroker.function.metrics.EmfBrokerMetrics;
import dev.mcpbroker.function.telemetry.HandlerTelemetryConfig;
import dev.mcpbroker.sessiontable.SessionTable;
import dev.mcpbroker.testkit.infra.CloudFormationYaml;
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
 * routes the function serves, the headers and errors it answers with, the handlers the build produces, the
 * configuration each function reads (with the code's defaults), the table layout the session store writes,
 * exactly the IAM actions each function's adapters use, and alarms and a dashboard that read the series the
 * broker's EMF metrics actually emit.
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
        readable.addAll(environmentNames("BROKER_PRIMING", dev.mcpbroker.function.priming.PrimingConfig.class));
        Set<String> set = new TreeSet<>();
        template().path("Resources").path("BrokerFunction").path("Properties").path("Environment").path("Variables")
                .fieldNames().forEachRemaining(set::add);
        set.remove("DISABLE_SIGNAL_HANDLERS"); // read by the Quarkus Lambda runtime, not by broker code
        set.removeAll(OPENTELEMETRY_VARIABLES); // read by Quarkus OpenTelemetry and the collector layer (below)
        assertThat(set).allSatisfy(name -> assertThat(readable).anySatisfy(pattern -> assertThat(name).matches(pattern)));
        assertThat(set).contains("BROKER_SESSION_TABLE");
    }

    /**
     * A SnapStart version is primed before its snapshot (the CRaC hook); an instance provisioned ahead of traffic,
     * which Lambda starts without a snapshot, primes during init instead. Both on a Java runtime of the parameter's.
     */
    @Test
    void provisionedInstancesPrimeDuringInitAndSnapStartVersionsBeforeTheSnapshot() throws IOException {
        JsonNode priming = broker().path("Environment").path("Variables").path("BROKER_PRIMING_AT_STARTUP").path("Fn::If");
        assertThat(priming.path(0).asText()).isEqualTo("HasProvisionedConcurrency");
        assertThat(priming.path(1).asText()).isEqualTo("true");
        assertThat(priming.path(2).asText()).isEqualTo("false");
        assertThat(broker().path("SnapStart").path("ApplyOn").path("Fn::If").path(1).asText()).isEqualTo("PublishedVersions");
        assertThat(broker().path("AutoPublishAlias").asText()).isEqualTo("live");
        assertThat(broker().path("Runtime").path("Fn::If").path(2)).isEqualTo(ref("JavaRuntime"));
        assertThat(template().path("Parameters").path("JavaRuntime").path("AllowedValues").toString())
                .isEqualTo("[\"java21\",\"java25\"]");
    }

    @Test
    void templateSetsTheSessionTimeoutCapacityAndWarmPoolSettingsFromParameters() throws IOException {
        JsonNode variables = broker().path("Environment").path("Variables");
        Map<String, String> expected = Map.of(
                "BROKER_SESSION_IDLE_TIMEOUT", "SessionIdleTimeout",
                "BROKER_SESSION_CAPACITY_DEFAULT_MAX_SESSIONS", "DefaultMaxSessions",
                "BROKER_SESSION_CAPACITY_QUEUE_DEPTH", "SessionQueueDepth",
                "BROKER_SESSION_CAPACITY_QUEUE_WAIT", "SessionQueueWait",
                "BROKER_SESSION_WARM_MAX_AGE", "WarmSessionMaxAge",
                "BROKER_LIMITS_MAX_UPSTREAM_RESPONSE_BYTES", "MaxUpstreamResponseBytes",
                // every agent without a rate of its own is limited, so no agent can flood the broker
                "BROKER_LIMITS_DEFAULT_AGENT_RATE_PER_SECOND", "DefaultAgentRatePerSecond",
                "BROKER_LIMITS_DEFAULT_AGENT_BURST", "DefaultAgentBurst");
        JsonNode parameters = template().path("Parameters");
        expected.forEach((variable, parameter) -> {
            assertThat(variables.path(variable)).as(variable).isEqualTo(ref(parameter));
            assertThat(parameters.has(parameter)).as("parameter %s", parameter).isTrue();
        });
    }

    /**
     * A template parameter that feeds a configuration property defaults to the property's own default: an
     * operator who overrides nothing gets the behaviour the code documents (and the tests exercise).
     */
    @Test
    void templateParameterDefaultsAreTheConfigurationDefaults() throws IOException {
        Map<String, Method> properties = configProperties("BROKER", BrokerConfig.class);
        properties.putAll(configProperties("BROKER_AUTH", dev.mcpbroker.function.auth.AuthConfig.class));
        JsonNode parameters = template().path("Parameters");
        Set<String> compared = new TreeSet<>();
        broker().path("Environment").path("Variables").properties().forEach(variable -> {
            String parameter = variable.getValue().path("Ref").asText();
            Method property = properties.get(variable.getKey());
            if (parameter.isEmpty() || property == null || !parameters.path(parameter).has("Default")
                    || !property.isAnnotationPresent(io.smallrye.config.WithDefault.class)) {
                return;
            }
            String templateDefault = parameters.path(parameter).path("Default").asText();
            String codeDefault = property.getAnnotation(io.smallrye.config.WithDefault.class).value();
            assertThat(sameValue(templateDefault, codeDefault))
                    .as("default of parameter %s (%s) vs @WithDefault of %s (%s)", parameter, templateDefault,
                            variable.getKey(), codeDefault)
                    .isTrue();
            compared.add(variable.getKey());
        });
        assertThat(compared).contains("BROKER_SESSION_LIFETIME", "BROKER_SESSION_IDLE_TIMEOUT",
                "BROKER_SESSION_CAPACITY_DEFAULT_MAX_SESSIONS", "BROKER_SESSION_CAPACITY_QUEUE_DEPTH",
                "BROKER_SESSION_CAPACITY_QUEUE_WAIT", "BROKER_SESSION_WARM_MAX_AGE",
                "BROKER_LIMITS_MAX_UPSTREAM_RESPONSE_BYTES", "BROKER_LIMITS_MAX_BODY_BYTES");
    }

    /** Equal as durations, as numbers, or else as text. */
    private static boolean sameValue(String a, String b) {
        try {
            return java.time.Duration.parse(a).equals(java.time.Duration.parse(b));
        } catch (java.time.format.DateTimeParseException notDurations) {
            // fall through
        }
        try {
            return new java.math.BigDecimal(a).compareTo(new java.math.BigDecimal(b)) == 0;
        } catch (NumberFormatException notNumbers) {
            return a.equals(b);
        }
    }

    // ---- tracing in AWS: X-Ray, the ADOT collector layer, OTLP from the broker ----

    /** The broker's OpenTelemetry settings in the template: Quarkus reads the first three, the collector layer the last. */
    private static final Set<String> OPENTELEMETRY_VARIABLES = Set.of("QUARKUS_OTEL_SDK_DISABLED",
            "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", "QUARKUS_OTEL_TRACES_SAMPLER_ARG", "OPENTELEMETRY_COLLECTOR_CONFIG_URI");
    private static final java.nio.file.Path COLLECTOR_CONFIG = ROOT.resolve("functions/broker/src/main/zip.jvm/collector.yaml");

    @Test
    void everyFunctionIsActivelyTracedWithTheXrayPermissionsSamAddsToItsGeneratedRole() throws IOException {
        Map<String, JsonNode> functions = resourcesOfType("AWS::Serverless::Function");
        assertThat(functions).containsKeys("BrokerFunction", "AuditForwarderFunction", "SessionMaintenanceFunction");
        functions.forEach((name, function) -> {
            assertThat(function.path("Tracing").asText()).as("Tracing of %s", name).isEqualTo("Active");
            // SAM attaches AWSXrayWriteOnlyAccess (xray:PutTraceSegments, xray:PutTelemetryRecords) only to a
            // role it generates; the collector layer's awsxray exporter relies on it
            assertThat(function.has("Role")).as("%s uses the role SAM generates", name).isFalse();
        });
    }

    @Test
    void collectorLayerIsAnOptionalParameterAndWithoutItNothingIsExportedOverOtlp() throws IOException {
        JsonNode template = template();
        JsonNode parameter = template.path("Parameters").path("OtelCollectorLayerArn");
        assertThat(parameter.path("Default").asText("x")).isEmpty();
        java.util.regex.Pattern allowed = java.util.regex.Pattern.compile(parameter.path("AllowedPattern").asText());
        assertThat(allowed.matcher("").matches()).isTrue();
        assertThat(allowed.matcher("arn:aws:lambda:eu-central-1:901920570463:layer:aws-otel-collector-amd64-ver-0-117-0:1")
                .matches()).isTrue();
        assertThat(allowed.matcher("arn:aws:lambda:eu-central-1:901920570463:layer:aws-otel-collector-amd64-ver-0-117-0")
                .matches()).as("a layer version is required").isFalse();
        assertThat(template.path("Conditions").path("HasCollectorLayer")).isEqualTo(json(
                "{'Fn::Not': [{'Fn::Equals': [{'Ref': 'OtelCollectorLayerArn'}, '']}]}"));
        JsonNode broker = broker();
        assertThat(broker.path("Layers")).isEqualTo(json(
                "{'Fn::If': ['HasCollectorLayer', [{'Ref': 'OtelCollectorLayerArn'}], {'Ref': 'AWS::NoValue'}]}"));
        JsonNode variables = broker.path("Environment").path("Variables");
        Set<String> names = new TreeSet<>();
        variables.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsAll(OPENTELEMETRY_VARIABLES);
        assertThat(variables.path("QUARKUS_OTEL_SDK_DISABLED")).isEqualTo(json("{'Fn::If': ['HasCollectorLayer', 'false', 'true']}"));
        // a collector-only layer runs as an extension: no wrapper script, no language agent
        assertThat(names).doesNotContain("AWS_LAMBDA_EXEC_WRAPPER", "JAVA_TOOL_OPTIONS");
        // the plain handlers build their own SDK (HandlerTelemetry), switched on and off with the same layer
        for (JsonNode function : java.util.List.of(forwarder(), maintenance())) {
            assertThat(function.path("Layers")).isEqualTo(broker.path("Layers"));
            JsonNode own = function.path("Environment").path("Variables");
            assertThat(own.path("OTEL_SDK_DISABLED")).isEqualTo(json("{'Fn::If': ['HasCollectorLayer', 'false', 'true']}"));
            assertThat(own.path("OTEL_TRACES_SAMPLER_ARG")).isEqualTo(ref("TraceSampleRatio"));
            assertThat(own.path("OPENTELEMETRY_COLLECTOR_CONFIG_URI")).isEqualTo(variables.path("OPENTELEMETRY_COLLECTOR_CONFIG_URI"));
            Set<String> otel = new TreeSet<>();
            own.fieldNames().forEachRemaining(name -> {
                if (isHandlerTelemetryVariable(name)) {
                    otel.add(name);
                }
            });
            assertThat(otel).as("OpenTelemetry variables the handlers read, and the layer's config")
                    .isSubsetOf(new TreeSet<>(java.util.stream.Stream.concat(
                            environmentNames("OTEL", HandlerTelemetryConfig.class).stream(),
                            java.util.stream.Stream.of("OPENTELEMETRY_COLLECTOR_CONFIG_URI")).toList()))
                    .contains("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        }
    }

    private static boolean isHandlerTelemetryVariable(String name) {
        return name.startsWith("OTEL_") || name.equals("OPENTELEMETRY_COLLECTOR_CONFIG_URI");
    }

    @Test
    void plainHandlersExportToTheCollectorsOtlpHttpReceiver() throws IOException {
        JsonNode collector = YAML.readTree(COLLECTOR_CONFIG.toFile());
        String receiver = collector.path("receivers").path("otlp").path("protocols").path("http").path("endpoint").asText();
        for (JsonNode function : java.util.List.of(forwarder(), maintenance())) {
            java.net.URI endpoint = java.net.URI.create(function.path("Environment").path("Variables")
                    .path("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").asText());
            assertThat(endpoint.getHost() + ":" + endpoint.getPort()).isEqualTo(receiver);
            assertThat(endpoint.getPath()).isEqualTo("/v1/traces");
            assertThat(endpoint.getHost()).isEqualTo("localhost");
        }
    }

    @Test
    void brokerExportsToTheCollectorTheZipShipsWithItsConfiguration() throws IOException {
        JsonNode variables = broker().path("Environment").path("Variables");
        java.net.URI endpoint = java.net.URI.create(variables.path("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT").asText());
        JsonNode collector = YAML.readTree(COLLECTOR_CONFIG.toFile());
        // the collector listens where the broker sends: OTLP/HTTP on the loopback
        assertThat(collector.path("receivers").path("otlp").path("protocols").path("http").path("endpoint").asText())
                .isEqualTo(endpoint.getHost() + ":" + endpoint.getPort());
        assertThat(endpoint.getHost()).isEqualTo("localhost");
        // traces go to X-Ray; metrics to CloudWatch under a namespace of their own, so McpBroker stays
        // exactly what EmfBrokerMetrics emits (the dashboard and alarms read it)
        JsonNode pipelines = collector.path("service").path("pipelines");
        assertThat(pipelines.path("traces").path("exporters")).isEqualTo(json("['awsxray']"));
        assertThat(pipelines.path("metrics").path("exporters")).isEqualTo(json("['awsemf']"));
        assertThat(collector.path("exporters").path("awsemf").path("namespace").asText())
                .isNotEqualTo(EmfBrokerMetrics.NAMESPACE).startsWith(EmfBrokerMetrics.NAMESPACE + "/");
        // the layer reads the file from the function's task root: shipped in both packagings, identically
        String uri = variables.path("OPENTELEMETRY_COLLECTOR_CONFIG_URI").asText();
        assertThat(uri).isEqualTo("/var/task/" + COLLECTOR_CONFIG.getFileName());
        java.nio.file.Path nativeConfig = ROOT.resolve("functions/broker/src/main/zip.native/collector.yaml");
        assertThat(java.nio.file.Files.readString(nativeConfig)).isEqualTo(java.nio.file.Files.readString(COLLECTOR_CONFIG));
        java.nio.file.Path zip = java.nio.file.Path.of("target/function.zip");
        if (java.nio.file.Files.exists(zip)) {
            try (java.util.zip.ZipFile packaged = new java.util.zip.ZipFile(zip.toFile())) {
                assertThat(packaged.getEntry("collector.yaml")).as("collector.yaml at the root of function.zip").isNotNull();
            }
        }
    }

    @Test
    void traceSamplingIsARatioParameterTheBrokersSamplerReads() throws IOException {
        JsonNode parameter = template().path("Parameters").path("TraceSampleRatio");
        assertThat(parameter.path("Type").asText()).isEqualTo("Number");
        assertThat(parameter.path("Default").asDouble()).isEqualTo(1.0);
        assertThat(parameter.path("MinValue").asDouble()).isZero();
        assertThat(parameter.path("MaxValue").asDouble()).isEqualTo(1.0);
        assertThat(broker().path("Environment").path("Variables").path("QUARKUS_OTEL_TRACES_SAMPLER_ARG")).isEqualTo(ref("TraceSampleRatio"));
        // the ratio is an argument of a ratio sampler (a build-time choice): parent-based, so an agent's
        // sampling decision is followed
        String properties = java.nio.file.Files.readString(ROOT.resolve("functions/broker/src/main/resources/application.properties"));
        assertThat(properties.lines()).contains("quarkus.otel.traces.sampler=parentbased_traceidratio");
    }

    // ---- the broker's alias: SnapStart or provisioned concurrency, never both ----

    @Test
    void provisionedConcurrencyIsAParameterAppliedToTheLiveAliasOnlyWhenPositive() throws IOException {
        JsonNode template = template();
        JsonNode parameter = template.path("Parameters").path("BrokerProvisionedConcurrency");
        assertThat(parameter.path("Type").asText()).isEqualTo("Number");
        assertThat(parameter.path("Default").asInt(-1)).isZero();
        assertThat(parameter.path("MinValue").asInt(-1)).isZero();
        assertThat(template.path("Conditions").path("HasProvisionedConcurrency")).isEqualTo(json(
                "{'Fn::Not': [{'Fn::Equals': [{'Ref': 'BrokerProvisionedConcurrency'}, '0']}]}"));
        JsonNode broker = broker();
        // SAM cannot make AutoPublishAlias conditional; the alias is always there (SnapStart needs a
        // published version too) and carries the provisioned concurrency when there is any.
        assertThat(broker.path("AutoPublishAlias").asText()).isEqualTo("live");
        assertThat(broker.path("ProvisionedConcurrencyConfig")).isEqualTo(json(
                "{'Fn::If': ['HasProvisionedConcurrency', {'ProvisionedConcurrentExecutions': {'Ref': 'BrokerProvisionedConcurrency'}},"
                        + " {'Ref': 'AWS::NoValue'}]}"));
    }

    @Test
    void snapStartIsOffWhenNativeOrWithProvisionedConcurrency() throws IOException {
        // Lambda refuses provisioned concurrency on a SnapStart function, and provided.al2023 has no SnapStart.
        assertThat(template().path("Conditions").path("UseSnapStart")).isEqualTo(json(
                "{'Fn::And': [{'Fn::Not': [{'Condition': 'IsNative'}]}, {'Fn::Not': [{'Condition': 'HasProvisionedConcurrency'}]}]}"));
        assertThat(broker().path("SnapStart").path("ApplyOn")).isEqualTo(json(
                "{'Fn::If': ['UseSnapStart', 'PublishedVersions', 'None']}"));
    }

    @Test
    void everyRouteIsAnHttpApiEventOfTheBrokerApiSoSamPointsItAtTheLiveAlias() throws IOException {
        JsonNode events = broker().path("Events");
        assertThat(events.size()).isEqualTo(servedRoutes().size());
        events.forEach(event -> {
            assertThat(event.path("Type").asText()).isEqualTo("HttpApi");
            assertThat(event.path("Properties").path("ApiId")).isEqualTo(ref("BrokerApi"));
        });
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
    void templateTableHasTheSparseIndexOfUndeliveredAuditEventsTheRedriveScans() throws IOException {
        JsonNode table = template().path("Resources").path("StateTable").path("Properties");
        var index = SessionTable.undeliveredIndex();
        assertThat(table.path("GlobalSecondaryIndexes")).singleElement().satisfies(declared -> {
            assertThat(declared.path("IndexName").asText()).isEqualTo(index.indexName());
            Map<String, String> keys = StreamSupport.stream(declared.path("KeySchema").spliterator(), false)
                    .collect(Collectors.toMap(k -> k.path("KeyType").asText(), k -> k.path("AttributeName").asText()));
            assertThat(keys).isEqualTo(index.keySchema().stream()
                    .collect(Collectors.toMap(k -> k.keyTypeAsString(), k -> k.attributeName())));
            assertThat(declared.path("Projection").path("ProjectionType").asText()).isEqualTo(index.projection().projectionTypeAsString());
        });
        Map<String, String> attributes = StreamSupport.stream(table.path("AttributeDefinitions").spliterator(), false)
                .collect(Collectors.toMap(a -> a.path("AttributeName").asText(), a -> a.path("AttributeType").asText()));
        assertThat(attributes).isEqualTo(SessionTable.createTableRequest("t").attributeDefinitions().stream()
                .collect(Collectors.toMap(a -> a.attributeName(), a -> a.attributeTypeAsString())));
    }

    @Test
    void functionPolicyGrantsExactlyWhatTheAdaptersUseOnTheirOwnResources() throws IOException {
        JsonNode policies = template().path("Resources").path("BrokerFunction").path("Properties").path("Policies");
        assertThat(actionsByResource(policies)).isEqualTo(Map.of(
                // sessions (BatchGetItem with their audit chain head, GetItem, PutItem, UpdateItem), rate-limit
                // buckets (PutItem), idempotency records
                // (PutItem, UpdateItem, GetItem, DeleteItem) and their result chunks (Query), audit events
                // (TransactWriteItems = PutItem + UpdateItem), capacity leases (PutItem, UpdateItem, DeleteItem,
                // Query), warm sessions taken (Query, DeleteItem), the per-task session counter (UpdateItem ADD)
                getAtt("StateTable"), Set.of("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                        "dynamodb:DeleteItem", "dynamodb:Query"),
                // the allowlist and registry: read only, by key (DynamoDbPolicyStore, DynamoDbUpstreamRegistry); pinned
                // tool definitions (Query) and first-sight approvals (PutItem), on tools# partitions only (below)
                getAtt("PolicyTable"), Set.of("dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"),
                // the audit fingerprint key
                JsonNodeFactory.instance.objectNode().put("Ref", "AuditFingerprintKey").toString(),
                Set.of("secretsmanager:GetSecretValue"),
                // upstream credentials under the admin CLI's prefix only
                upstreamSecrets(), Set.of("secretsmanager:GetSecretValue")));
    }

    /** The broker writes the policy table only where tool approvals live, never grants or the registry. */
    @Test
    void functionWritesThePolicyTableOnlyInToolApprovalPartitions() throws IOException {
        JsonNode policies = template().path("Resources").path("BrokerFunction").path("Properties").path("Policies");
        java.util.List<JsonNode> onPolicyTable = new java.util.ArrayList<>();
        policies.forEach(policy -> policy.path("Statement").forEach(statement -> {
            if (statement.path("Resource").toString().equals(getAtt("PolicyTable"))) {
                onPolicyTable.add(statement);
            }
        }));
        assertThat(onPolicyTable).allSatisfy(statement -> {
            if (statement.path("Action").toString().contains("dynamodb:PutItem")) {
                assertThat(statement.path("Condition").path("ForAllValues:StringLike").path("dynamodb:LeadingKeys").toString())
                        .isEqualTo("[\"tools#*\"]");
            }
        }).anySatisfy(statement -> assertThat(statement.path("Action").toString()).contains("dynamodb:PutItem"));
    }

    /** The upstream credentials: secrets under the admin CLI's prefix only. */
    private static String upstreamSecrets() {
        return JsonNodeFactory.instance.objectNode().put("Fn::Sub",
                "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
                        + dev.mcpbroker.core.upstream.UpstreamAuth.SECRET_PREFIX + "*").toString();
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
                        "AuditForwarderFunctionName", "AuditDeadLetterQueueUrl", "ForwarderRoleArn", "AuditRedriveRoleArn",
                        "SessionMaintenanceFunctionName", "DashboardName");
        assertThat(forwarder().path("LoggingConfig").path("LogGroup").path("Ref").asText()).isEqualTo("AuditForwarderLogGroup");
        assertThat(template.path("Resources").path("AuditForwarderLogGroup").path("Properties").has("RetentionInDays")).isTrue();
        assertThat(maintenance().path("LoggingConfig").path("LogGroup").path("Ref").asText()).isEqualTo("SessionMaintenanceLogGroup");
        assertThat(template.path("Outputs").path("SessionMaintenanceFunctionName").path("Value")).isEqualTo(ref("SessionMaintenanceFunction"));
        assertThat(template.path("Outputs").path("DashboardName").path("Value")).isEqualTo(ref("BrokerDashboard"));
    }

    /** Every function logs to a log group of this stack with the retention parameter, never to an implicit one kept forever. */
    @Test
    void everyFunctionLogsToItsOwnLogGroupWithTheRetentionParameter() throws IOException {
        JsonNode resources = template().path("Resources");
        Set<String> logGroups = new TreeSet<>();
        resources.properties().forEach(resource -> {
            if (resource.getValue().path("Type").asText().equals("AWS::Serverless::Function")) {
                String logGroup = resource.getValue().path("Properties").path("LoggingConfig").path("LogGroup").path("Ref").asText();
                assertThat(resources.path(logGroup).path("Type").asText()).as("log group of %s", resource.getKey())
                        .isEqualTo("AWS::Logs::LogGroup");
                assertThat(resources.path(logGroup).path("Properties").path("RetentionInDays")).as("retention of %s", logGroup)
                        .isEqualTo(ref("LogRetentionDays"));
                assertThat(logGroups.add(logGroup)).as("%s shared by two functions", logGroup).isTrue();
            }
        });
        assertThat(logGroups).contains("BrokerLogGroup", "AuditForwarderLogGroup", "SessionMaintenanceLogGroup");
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
        variables.fieldNames().forEachRemaining(name -> {
            if (!isHandlerTelemetryVariable(name)) { // collectorLayerIsAnOptionalParameter... pins those
                names.add(name);
            }
        });
        assertThat(names).containsExactly("BROKER_AUDIT_STREAM_ARN", "BROKER_SESSION_TABLE")
                .allSatisfy(name -> assertThat(environmentNames("BROKER", BrokerConfig.class)).contains(name));
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

    /** Producers the audit account admits by exact ARN (infra/audit-account.yaml); nothing else here names its resources. */
    private static final Set<String> AUDIT_ACCOUNT_PRODUCERS = Set.of("AuditForwarderFunction", "AuditRedriveRole");

    @Test
    void onlyTheForwarderAndTheRedriveRoleTalkToTheAuditAccount() throws IOException {
        JsonNode resources = template().path("Resources");
        resources.properties().forEach(resource -> {
            if (!AUDIT_ACCOUNT_PRODUCERS.contains(resource.getKey())) {
                assertThat(resource.getValue().toString()).as(resource.getKey())
                        .doesNotContain("kinesis:", "kms:", "AuditStreamArn", "AuditKmsKeyArn");
            }
        });
        assertThat(actionsByResource(resources.path("BrokerFunction").path("Properties").path("Policies")).values().stream()
                .flatMap(Set::stream))
                .noneMatch(action -> action.startsWith("kinesis:") || action.startsWith("kms:"));
    }

    @Test
    void redriveRoleGrantsExactlyWhatTheRedriveUsesAndOnlyOnAuditOutboxItems() throws IOException {
        JsonNode role = template().path("Resources").path("AuditRedriveRole");
        assertThat(role.path("Type").asText()).isEqualTo("AWS::IAM::Role");
        JsonNode properties = role.path("Properties");
        assertThat(properties.path("Path").asText()).isEqualTo("/mcp-broker/audit-redrive/");
        assertThat(properties.has("ManagedPolicyArns")).as("inline statements only").isFalse();
        // assumed by principals of this account whose IAM policies allow it, nobody else
        assertThat(properties.path("AssumeRolePolicyDocument").path("Statement")).singleElement().satisfies(trust -> {
            assertThat(trust.path("Action").asText()).isEqualTo("sts:AssumeRole");
            assertThat(trust.path("Principal").path("AWS")).isEqualTo(JsonNodeFactory.instance.objectNode()
                    .put("Fn::Sub", "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"));
        });
        JsonNode documents = JsonNodeFactory.instance.arrayNode();
        properties.path("Policies").forEach(policy -> ((com.fasterxml.jackson.databind.node.ArrayNode) documents)
                .add(policy.path("PolicyDocument")));
        assertThat(actionsByResource(documents)).isEqualTo(Map.of(
                // DynamoDbAuditBacklog: a Scan of the sparse index, nothing of the table itself
                JsonNodeFactory.instance.objectNode().put("Fn::Sub", "${StateTable.Arn}/index/" + SessionTable.UNDELIVERED_INDEX)
                        .toString(), Set.of("dynamodb:Scan"),
                // DynamoDbAuditOutbox.undelivered (Query) and markDelivered (UpdateItem)
                getAtt("StateTable"), Set.of("dynamodb:Query", "dynamodb:UpdateItem"),
                // KinesisAuditPublisher, as the forwarder
                ref("AuditStreamArn").toString(), Set.of("kinesis:PutRecord", "kinesis:DescribeStreamSummary"),
                ref("AuditKmsKeyArn").toString(), Set.of("kms:GenerateDataKey")));
        for (JsonNode statement : documents.path(0).path("Statement")) {
            String resource = statement.path("Resource").toString();
            if (resource.equals(getAtt("StateTable"))) {
                assertThat(statement.path("Condition").path("ForAllValues:StringLike").path("dynamodb:LeadingKeys"))
                        .as("audit outbox partitions only").containsExactly(JsonNodeFactory.instance.textNode("audit#*"));
            } else if (resource.equals(ref("AuditStreamArn").toString()) || resource.equals(ref("AuditKmsKeyArn").toString())) {
                assertThat(statement.path("Condition").path("StringEquals").path("aws:ResourceAccount"))
                        .as("account condition of %s", statement).isEqualTo(ref("AuditAccountId"));
            }
        }
    }

    @Test
    void stateTableStreamsNewImagesToTheForwarder() throws IOException {
        JsonNode table = template().path("Resources").path("StateTable").path("Properties");
        assertThat(table.path("StreamSpecification").path("StreamViewType").asText()).isEqualTo("NEW_IMAGE");
        // the local run creates the same stream and feeds the forwarder from it
        assertThat(SessionTable.createTableWithStreamRequest("t").streamSpecification().streamViewTypeAsString())
                .isEqualTo(table.path("StreamSpecification").path("StreamViewType").asText());
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

    // ---- the session maintenance function: leases, gauges and warm pools, every minute ----

    static final String MAINTENANCE_HANDLER = "dev.mcpbroker.function.maintenance.SessionMaintenanceHandler::handleRequest";

    private static JsonNode maintenance() throws IOException {
        return template().path("Resources").path("SessionMaintenanceFunction").path("Properties");
    }

    @Test
    void maintenanceRunsTheMaintenanceHandlerFromTheBrokersZipOnTheManagedJavaRuntime() throws IOException {
        JsonNode resources = template().path("Resources");
        assertThat(resources.path("SessionMaintenanceFunction").path("Type").asText()).isEqualTo("AWS::Serverless::Function");
        assertThat(MAINTENANCE_HANDLER).isEqualTo(SessionMaintenanceHandler.class.getName() + "::handleRequest");
        JsonNode maintenance = maintenance();
        assertThat(maintenance.path("Handler").asText()).isEqualTo(MAINTENANCE_HANDLER);
        // always java21, also when the broker is native: like the forwarder, it is off the request path
        assertThat(maintenance.path("Runtime").asText()).isEqualTo("java21");
        assertThat(maintenance.path("CodeUri")).isEqualTo(broker().path("CodeUri"));
        // one run ends (or is stopped) before the schedule starts the next one
        assertThat(maintenance.path("Timeout").asInt()).isBetween(30, 60);
        assertThat(maintenance.path("MemorySize").asInt()).isEqualTo(512);
    }

    @Test
    void maintenanceHandlerIsAPlainHandlerTheRuntimeCanConstruct() throws ClassNotFoundException {
        String className = MAINTENANCE_HANDLER.substring(0, MAINTENANCE_HANDLER.indexOf("::"));
        String methodName = MAINTENANCE_HANDLER.substring(MAINTENANCE_HANDLER.indexOf("::") + 2);
        Class<?> handler = Class.forName(className, false, getClass().getClassLoader());
        assertThat(handler.getConstructors()).as("the runtime needs a public no-argument constructor")
                .anySatisfy(constructor -> assertThat(constructor.getParameterCount()).isZero());
        assertThat(handler.getMethods()).filteredOn(method -> method.getName().equals(methodName)).singleElement()
                .satisfies(method -> assertThat(method.getParameterTypes()).extracting(Class::getName)
                        .containsExactly("java.util.Map", "com.amazonaws.services.lambda.runtime.Context"));
    }

    @Test
    void maintenanceScheduleRunsEveryMinuteWithoutRetries() throws IOException {
        JsonNode events = maintenance().path("Events");
        assertThat(events.size()).isEqualTo(1);
        JsonNode event = events.elements().next();
        assertThat(event.path("Type").asText()).isEqualTo("Schedule");
        assertThat(event.path("Properties").path("Schedule").asText()).isEqualTo("rate(1 minute)");
        // a failed run is superseded by the next one; retries would only pile up behind it
        assertThat(maintenance().path("EventInvokeConfig").path("MaximumRetryAttempts").asInt(-1)).isZero();
    }

    @Test
    void maintenanceReadsExactlyItsConfigurationUnderTheBrokersNamesAndParameters() throws Exception {
        JsonNode variables = maintenance().path("Environment").path("Variables");
        Set<String> names = new TreeSet<>();
        variables.fieldNames().forEachRemaining(name -> {
            if (!isHandlerTelemetryVariable(name)) { // collectorLayerIsAnOptionalParameter... pins those
                names.add(name);
            }
        });
        // it reads the broker's own configuration (BrokerConfig), so every variable is one of its properties, fed by
        // the same parameters as the broker's: both must agree on the tables, the caps and the warm sessions' age
        assertThat(names).contains("BROKER_SESSION_TABLE", "BROKER_POLICY_TABLE", "BROKER_SESSION_CAPACITY_DEFAULT_MAX_SESSIONS",
                "BROKER_SESSION_WARM_MAX_AGE");
        Set<String> brokerNames = environmentNames("BROKER", BrokerConfig.class);
        JsonNode brokerVariables = broker().path("Environment").path("Variables");
        for (String name : names) {
            assertThat(brokerNames).as("%s is a broker configuration property", name).contains(name);
            assertThat(variables.path(name)).as(name).isEqualTo(brokerVariables.path(name));
        }
        assertThat(variables.path("BROKER_SESSION_TABLE")).isEqualTo(ref("StateTable"));
        assertThat(variables.path("BROKER_POLICY_TABLE")).isEqualTo(ref("PolicyTable"));
        assertThat(variables.path("BROKER_SESSION_CAPACITY_DEFAULT_MAX_SESSIONS")).isEqualTo(ref("DefaultMaxSessions"));
    }

    @Test
    void maintenancePolicyGrantsExactlyWhatMaintenanceUsesOnItsOwnResources() throws IOException {
        assertThat(actionsByResource(maintenance().path("Policies"))).isEqualTo(Map.of(
                // DynamoDbLeaseStore.list/reapExpired (Query, conditional DeleteItem); DynamoDbWarmSessionPool
                // list/remove/add (Query, DeleteItem, PutItem). No GetItem, no UpdateItem: it never touches sessions.
                getAtt("StateTable"), Set.of("dynamodb:Query", "dynamodb:DeleteItem", "dynamodb:PutItem"),
                // PolicyAdmin.listServers: a Scan of the registry's server items; it writes nothing
                getAtt("PolicyTable"), Set.of("dynamodb:Scan"),
                // warm sessions are opened with the upstreams' own credentials
                upstreamSecrets(), Set.of("secretsmanager:GetSecretValue")));
    }

    // ---- metrics: what EmfBrokerMetrics emits is what alarms and the dashboard read ----

    /**
     * Every metric EmfBrokerMetrics emits, as metric name to the dimension sets it is emitted under (an empty
     * set: the series across all dimension values). Found by calling every BrokerMetrics event on it.
     */
    private static Map<String, Set<Set<String>>> emittedMetrics() throws Exception {
        java.util.List<String> lines = new java.util.ArrayList<>();
        ObjectMapper mapper = new ObjectMapper();
        EmfBrokerMetrics emf = new EmfBrokerMetrics(mapper, java.time.Clock.systemUTC(), lines::add);
        for (Method event : dev.mcpbroker.core.telemetry.BrokerMetrics.class.getMethods()) {
            if (java.lang.reflect.Modifier.isStatic(event.getModifiers()) || event.getReturnType() != void.class) {
                continue;
            }
            Object[] arguments = java.util.Arrays.stream(event.getParameterTypes()).map(type -> {
                if (type == String.class) {
                    return "x";
                } else if (type == boolean.class) {
                    return true;
                } else if (type == java.time.Duration.class) {
                    return java.time.Duration.ofMillis(3);
                } else if (type == int.class) {
                    return 2;
                } else if (type == long.class) {
                    return 2L;
                } else if (type == double.class) {
                    return 0.5;
                }
                throw new AssertionError("no sample argument of type " + type + " for " + event);
            }).toArray();
            event.invoke(emf, arguments);
        }
        Map<String, Set<Set<String>>> emitted = new java.util.TreeMap<>();
        for (String line : lines) {
            JsonNode parsed = mapper.readTree(line);
            for (JsonNode directive : parsed.path("_aws").path("CloudWatchMetrics")) {
                assertThat(directive.path("Namespace").asText()).isEqualTo(EmfBrokerMetrics.NAMESPACE);
                Set<Set<String>> sets = new HashSet<>();
                for (JsonNode set : directive.path("Dimensions")) {
                    Set<String> dimensions = new TreeSet<>();
                    set.forEach(dimension -> {
                        assertThat(parsed.path(dimension.asText()).isTextual()).as("dimension %s of %s", dimension, line).isTrue();
                        dimensions.add(dimension.asText());
                    });
                    sets.add(dimensions);
                }
                for (JsonNode metric : directive.path("Metrics")) {
                    String name = metric.path("Name").asText();
                    assertThat(parsed.path(name).isNumber()).as("value of %s in %s", name, line).isTrue();
                    emitted.computeIfAbsent(name, k -> new HashSet<>()).addAll(sets);
                }
            }
        }
        assertThat(emitted).as("metrics EmfBrokerMetrics emits").isNotEmpty();
        return emitted;
    }

    private static Map<String, JsonNode> resourcesOfType(String type) throws IOException {
        Map<String, JsonNode> found = new java.util.TreeMap<>();
        template().path("Resources").properties().forEach(resource -> {
            if (resource.getValue().path("Type").asText().equals(type)) {
                found.put(resource.getKey(), resource.getValue().path("Properties"));
            }
        });
        return found;
    }

    @Test
    void everyAlarmOnABrokerMetricWatchesASeriesTheBrokerEmits() throws Exception {
        Map<String, Set<Set<String>>> emitted = emittedMetrics();
        Map<String, JsonNode> alarms = resourcesOfType("AWS::CloudWatch::Alarm");
        int onBrokerMetrics = 0;
        for (Map.Entry<String, JsonNode> alarm : alarms.entrySet()) {
            JsonNode properties = alarm.getValue();
            // every alarm notifies the operator's topic when one is configured
            assertThat(properties.path("AlarmActions")).as("actions of %s", alarm.getKey()).isEqualTo(json(
                    "{'Fn::If': ['HasAlarmTopic', [{'Ref': 'AlarmTopicArn'}], {'Ref': 'AWS::NoValue'}]}"));
            // a single metric, or metric math over several (each a MetricStat)
            java.util.List<JsonNode> watched = new java.util.ArrayList<>();
            if (properties.has("MetricName")) {
                watched.add(properties);
            }
            properties.path("Metrics").forEach(query -> {
                if (query.has("MetricStat")) {
                    watched.add(query.path("MetricStat").path("Metric"));
                }
            });
            for (JsonNode metric : watched) {
                if (!metric.path("Namespace").asText().equals(EmfBrokerMetrics.NAMESPACE)) {
                    continue;
                }
                onBrokerMetrics++;
                Set<String> dimensions = new TreeSet<>();
                metric.path("Dimensions").forEach(dimension -> dimensions.add(dimension.path("Name").asText()));
                assertThat(emitted.getOrDefault(metric.path("MetricName").asText(), Set.of()))
                        .as("%s watches %s by %s", alarm.getKey(), metric.path("MetricName").asText(), dimensions)
                        .contains(dimensions);
            }
        }
        assertThat(onBrokerMetrics).isGreaterThanOrEqualTo(2);
    }

    @Test
    void toolErrorRateAlarmDividesFailedCallsByAllCallsAcrossServersAndTools() throws IOException {
        JsonNode alarm = template().path("Resources").path("ToolErrorRateAlarm").path("Properties");
        Map<String, JsonNode> queries = new java.util.TreeMap<>();
        alarm.path("Metrics").forEach(query -> queries.put(query.path("Id").asText(), query));
        // the failure classes, one series each, and all calls
        for (String failureClass : java.util.List.of("not_executed", "deterministic", "ambiguous")) {
            JsonNode metric = queries.get(failureClass.replace("_", "")).path("MetricStat").path("Metric");
            assertThat(metric.path("MetricName").asText()).isEqualTo("ToolCalls");
            assertThat(metric.path("Dimensions")).isEqualTo(json("[{'Name': 'Outcome', 'Value': '" + failureClass + "'}]"));
            assertThat(dev.mcpbroker.core.error.FailureClass.valueOf(failureClass.toUpperCase(Locale.ROOT)).wireName())
                    .isEqualTo(failureClass);
        }
        assertThat(queries.get("calls").path("MetricStat").path("Metric").has("Dimensions")).isFalse();
        JsonNode rate = queries.get("errorrate");
        assertThat(rate.path("ReturnData").asBoolean()).isTrue();
        assertThat(rate.path("Expression").asText()).contains("notexecuted", "deterministic", "ambiguous", "/ calls");
        assertThat(queries.values().stream().filter(q -> q.path("ReturnData").asBoolean(true))).hasSize(1);
        assertThat(alarm.path("Threshold")).isEqualTo(ref("ToolErrorRateAlarmPercent"));
        assertThat(alarm.path("ComparisonOperator").asText()).isEqualTo("GreaterThanThreshold");
        assertThat(alarm.path("TreatMissingData").asText()).isEqualTo("notBreaching");
        JsonNode threshold = template().path("Parameters").path("ToolErrorRateAlarmPercent");
        assertThat(threshold.path("MinValue").asInt(-1)).isZero();
        assertThat(threshold.path("MaxValue").asInt()).isEqualTo(100);
    }

    @Test
    void toolLatencyAlarmWatchesTheP99AcrossEveryServerAndTool() throws IOException {
        JsonNode alarm = template().path("Resources").path("ToolLatencyP99Alarm").path("Properties");
        assertThat(alarm.path("Namespace").asText()).isEqualTo(EmfBrokerMetrics.NAMESPACE);
        assertThat(alarm.path("MetricName").asText()).isEqualTo("ToolLatency");
        assertThat(alarm.has("Dimensions")).isFalse();
        assertThat(alarm.path("ExtendedStatistic").asText()).isEqualTo("p99");
        assertThat(alarm.has("Statistic")).as("Statistic and ExtendedStatistic exclude each other").isFalse();
        assertThat(alarm.path("Threshold")).isEqualTo(ref("ToolLatencyP99AlarmMs"));
    }

    @Test
    void auditDeliveryFailuresAndUnknownOutcomesRaiseAlarms() throws IOException {
        JsonNode failing = template().path("Resources").path("AuditDeliveryFailingAlarm").path("Properties");
        assertThat(failing.path("MetricName").asText()).isEqualTo("AuditDeliveryFailures");
        assertThat(failing.path("Statistic").asText()).isEqualTo("Sum");
        assertThat(failing.path("Threshold").asInt(-1)).isZero();
        assertThat(failing.path("ComparisonOperator").asText()).isEqualTo("GreaterThanThreshold");
        JsonNode unknown = template().path("Resources").path("IdempotencyOutcomeUnknownAlarm").path("Properties");
        assertThat(unknown.path("MetricName").asText()).isEqualTo("IdempotencyOutcomesUnknown");
        assertThat(unknown.has("Dimensions")).as("one series across servers").isFalse();
        assertThat(unknown.path("EvaluationPeriods").asInt()).isEqualTo(1);
        assertThat(unknown.path("Threshold").asInt(-1)).isZero();
    }

    @Test
    void nearTheCapAlarmWatchesTheBusiestServersCapUtilisation() throws IOException {
        JsonNode alarm = template().path("Resources").path("SessionCapacityNearCapAlarm").path("Properties");
        assertThat(alarm.path("Namespace").asText()).isEqualTo(EmfBrokerMetrics.NAMESPACE);
        assertThat(alarm.path("MetricName").asText()).isEqualTo("SessionCapUtilization");
        // no dimensions: one series across every server, registered now or later; Maximum is the busiest
        assertThat(alarm.has("Dimensions")).isFalse();
        assertThat(alarm.path("Statistic").asText()).isEqualTo("Maximum");
        assertThat(alarm.path("Period").asInt()).isEqualTo(60);
        assertThat(alarm.path("EvaluationPeriods").asInt()).isEqualTo(3);
        assertThat(alarm.path("DatapointsToAlarm").asInt()).isEqualTo(3);
        assertThat(alarm.path("Threshold")).isEqualTo(ref("SessionCapAlarmThreshold"));
        assertThat(alarm.path("ComparisonOperator").asText()).isEqualTo("GreaterThanOrEqualToThreshold");
        assertThat(alarm.path("TreatMissingData").asText()).isEqualTo("notBreaching");
        JsonNode threshold = template().path("Parameters").path("SessionCapAlarmThreshold");
        assertThat(threshold.path("Type").asText()).isEqualTo("Number");
        assertThat(threshold.path("Default").asDouble()).isEqualTo(0.8);
        assertThat(threshold.path("MinValue").asDouble()).isZero();
        assertThat(threshold.path("MaxValue").asDouble()).isEqualTo(1.0);
    }

    @Test
    void capacityExhaustedAlarmFiresOnTheFirstRefusedSession() throws IOException {
        JsonNode alarm = template().path("Resources").path("SessionCapacityExhaustedAlarm").path("Properties");
        assertThat(alarm.path("Namespace").asText()).isEqualTo(EmfBrokerMetrics.NAMESPACE);
        assertThat(alarm.path("MetricName").asText()).isEqualTo("SessionCapacityExhausted");
        assertThat(alarm.has("Dimensions")).isFalse();
        assertThat(alarm.path("Statistic").asText()).isEqualTo("Sum");
        assertThat(alarm.path("Period").asInt()).isEqualTo(60);
        assertThat(alarm.path("EvaluationPeriods").asInt()).isEqualTo(1);
        assertThat(alarm.path("Threshold").asInt(-1)).isZero();
        assertThat(alarm.path("ComparisonOperator").asText()).isEqualTo("GreaterThanThreshold");
        assertThat(alarm.path("TreatMissingData").asText()).isEqualTo("notBreaching");
    }

    @Test
    void maintenanceFailuresRaiseAnAlarm() throws IOException {
        JsonNode alarm = template().path("Resources").path("SessionMaintenanceErrorAlarm").path("Properties");
        assertThat(alarm.path("Namespace").asText()).isEqualTo("AWS/Lambda");
        assertThat(alarm.path("MetricName").asText()).isEqualTo("Errors");
        assertThat(alarm.path("Dimensions").path(0).path("Name").asText()).isEqualTo("FunctionName");
        assertThat(alarm.path("Dimensions").path(0).path("Value")).isEqualTo(ref("SessionMaintenanceFunction"));
    }

    // ---- the dashboard ----

    private static final String REGION = "eu-central-1";

    /**
     * The dashboard body as CloudFormation renders it: pseudo parameters, parameters (their defaults), resource
     * references and attributes substituted. A name the template does not define fails, as Fn::Sub would.
     */
    private static JsonNode dashboardBody() throws IOException {
        JsonNode template = template();
        JsonNode dashboard = template.path("Resources").path("BrokerDashboard");
        assertThat(dashboard.path("Type").asText()).isEqualTo("AWS::CloudWatch::Dashboard");
        JsonNode body = dashboard.path("Properties").path("DashboardBody").path("Fn::Sub");
        assertThat(body.isTextual()).as("DashboardBody is !Sub of one JSON text").isTrue();
        Map<String, String> pseudo = Map.of("AWS::Region", REGION, "AWS::AccountId", "123456789012",
                "AWS::StackName", "mcp-broker", "AWS::Partition", "aws", "AWS::URLSuffix", "amazonaws.com");
        java.util.regex.Matcher variables = java.util.regex.Pattern.compile("\\$\\{(!?)([^}]*)}").matcher(body.asText());
        StringBuilder rendered = new StringBuilder();
        while (variables.find()) {
            String name = variables.group(2);
            String value;
            if (!variables.group(1).isEmpty()) {
                value = "${" + name + "}"; // ${!Literal}
            } else if (pseudo.containsKey(name)) {
                value = pseudo.get(name);
            } else if (template.path("Parameters").has(name)) {
                assertThat(template.path("Parameters").path(name).has("Default")).as("default of parameter %s", name).isTrue();
                value = template.path("Parameters").path(name).path("Default").asText();
            } else if (template.path("Resources").has(name)) {
                value = "ref:" + name;
            } else if (name.contains(".") && template.path("Resources").has(name.substring(0, name.indexOf('.')))) {
                value = "att:" + name;
            } else {
                throw new AssertionError("${" + name + "} in the dashboard body names nothing in the template");
            }
            variables.appendReplacement(rendered, java.util.regex.Matcher.quoteReplacement(value));
        }
        variables.appendTail(rendered);
        return new ObjectMapper().readTree(rendered.toString());
    }

    /** One series a dashboard widget shows: a metric, or the metrics a SEARCH expression finds. */
    private record Series(String namespace, String metric, Set<String> dimensions, Map<String, String> values, String stat) {
    }

    private static final java.util.regex.Pattern SEARCH = java.util.regex.Pattern.compile(
            "SEARCH\\('\\{([^}]*)} MetricName=\"([A-Za-z0-9]+)\"', '([A-Za-z0-9.]+)', (\\d+)\\)");

    /** Every series of every metric widget; each widget in the stack's region, with well-formed ids. */
    private static java.util.List<Series> dashboardSeries(JsonNode body) {
        java.util.List<Series> all = new java.util.ArrayList<>();
        for (JsonNode widget : body.path("widgets")) {
            if (!widget.path("type").asText().equals("metric")) {
                continue;
            }
            JsonNode properties = widget.path("properties");
            assertThat(properties.path("region").asText()).as("region of %s", properties.path("title")).isEqualTo(REGION);
            assertThat(properties.path("title").asText()).isNotBlank();
            Set<String> ids = new HashSet<>();
            java.util.List<String> mathExpressions = new java.util.ArrayList<>();
            for (JsonNode row : properties.path("metrics")) {
                JsonNode options = row.path(row.size() - 1).isObject() ? row.path(row.size() - 1) : JsonNodeFactory.instance.objectNode();
                if (options.has("id")) {
                    assertThat(options.path("id").asText()).matches("[a-z][A-Za-z0-9_]*");
                    assertThat(ids.add(options.path("id").asText())).as("ids unique in %s", properties.path("title")).isTrue();
                }
                if (options.has("expression") && !options.path("expression").asText().startsWith("SEARCH(")) {
                    // metric math over the widget's own series, e.g. an error rate
                    assertThat(row.size()).isEqualTo(1);
                    mathExpressions.add(options.path("expression").asText());
                } else if (options.has("expression")) {
                    assertThat(row.size()).isEqualTo(1);
                    java.util.regex.Matcher search = SEARCH.matcher(options.path("expression").asText());
                    assertThat(search.matches()).as("a SEARCH by exact schema: %s", options.path("expression")).isTrue();
                    java.util.List<String> schema = java.util.List.of(search.group(1).split(","));
                    all.add(new Series(schema.get(0), search.group(2), new TreeSet<>(schema.subList(1, schema.size())), Map.of(),
                            search.group(3)));
                } else {
                    int end = row.path(row.size() - 1).isObject() ? row.size() - 1 : row.size();
                    assertThat(row.path(0).asText()).as("no '.' shorthand: each row names its metric").isNotEqualTo(".");
                    assertThat(end % 2).as("namespace, metric name, then dimension name/value pairs: %s", row).isZero();
                    Map<String, String> values = new java.util.TreeMap<>();
                    for (int i = 2; i < end; i += 2) {
                        values.put(row.path(i).asText(), row.path(i + 1).asText());
                    }
                    all.add(new Series(row.path(0).asText(), row.path(1).asText(), new TreeSet<>(values.keySet()), values,
                            options.path("stat").asText(properties.path("stat").asText("Average"))));
                }
            }
            for (String expression : mathExpressions) {
                assertThat(MATH_NAMES.matcher(expression).results().map(java.util.regex.MatchResult::group)
                        .filter(name -> !MATH_FUNCTIONS.contains(name)))
                        .as("series named in %s (widget %s)", expression, properties.path("title")).isNotEmpty()
                        .allSatisfy(name -> assertThat(ids).contains(name));
            }
        }
        return all;
    }

    /** Identifiers in a metric math expression: series ids, or the functions below. */
    private static final java.util.regex.Pattern MATH_NAMES = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Set<String> MATH_FUNCTIONS = Set.of("FILL", "SUM", "MAX", "MIN", "AVG", "IF", "METRICS");

    @Test
    void dashboardShowsEveryBrokerMetricExactlyAsItIsEmitted() throws Exception {
        Map<String, Set<Set<String>>> emitted = emittedMetrics();
        java.util.List<Series> series = dashboardSeries(dashboardBody());
        Set<String> shown = new TreeSet<>();
        for (Series one : series) {
            if (one.namespace().equals(EmfBrokerMetrics.NAMESPACE)) {
                assertThat(emitted.getOrDefault(one.metric(), Set.of()))
                        .as("%s by %s is a series EmfBrokerMetrics emits", one.metric(), one.dimensions())
                        .contains(one.dimensions());
                shown.add(one.metric());
            }
        }
        // and nothing the broker reports is missing from it
        assertThat(shown).isEqualTo(emitted.keySet());
    }

    @Test
    void dashboardHasTheSessionToolAndRateLimitViews() throws Exception {
        java.util.List<Series> series = dashboardSeries(dashboardBody());
        String ns = EmfBrokerMetrics.NAMESPACE;
        assertThat(series).contains(
                // live sessions and cap utilisation per server (SEARCH: servers registered later appear too)
                new Series(ns, "LiveSessions", Set.of("Server"), Map.of(), "Maximum"),
                new Series(ns, "SessionCapUtilization", Set.of("Server"), Map.of(), "Maximum"),
                new Series(ns, "SessionCapUtilization", Set.of(), Map.of(), "Maximum"),
                // sessions opened warm or cold, queue wait
                new Series(ns, "SessionsOpened", Set.of("Server", "Source"), Map.of(), "Sum"),
                new Series(ns, "SessionQueueWait", Set.of("Server"), Map.of(), "p99"),
                new Series(ns, "SessionCapacityExhausted", Set.of(), Map.of(), "Sum"),
                new Series(ns, "SessionsPerTask", Set.of(), Map.of(), "Maximum"),
                new Series(ns, "SessionsPerTask", Set.of(), Map.of(), "p99"),
                // tools: latency per tool, calls by outcome (failure class)
                new Series(ns, "ToolLatency", Set.of("Server", "Tool"), Map.of(), "p50"),
                new Series(ns, "ToolLatency", Set.of("Server", "Tool"), Map.of(), "p99"),
                new Series(ns, "ToolCalls", Set.of("Outcome"), Map.of(), "Sum"),
                new Series(ns, "UpstreamSessionsReopened", Set.of("Server", "Retried"), Map.of(), "Sum"),
                new Series(ns, "RateLimited", Set.of("Tenant", "Scope"), Map.of(), "Sum"),
                // errors by failure class as a rate, latency across all tools, denials per reason
                new Series(ns, "ToolCalls", Set.of("Outcome"), Map.of("Outcome", "ambiguous"), "Sum"),
                new Series(ns, "ToolCalls", Set.of(), Map.of(), "Sum"),
                new Series(ns, "ToolLatency", Set.of(), Map.of(), "p99"),
                new Series(ns, "RequestsDenied", Set.of("Reason"), Map.of(), "Sum"),
                // idempotency: decisions, outcomes turned unknown
                new Series(ns, "IdempotencyDecisions", Set.of("Decision"), Map.of(), "Sum"),
                new Series(ns, "IdempotencyOutcomesUnknown", Set.of(), Map.of(), "Sum"),
                // audit delivery as the forwarder measures it
                new Series(ns, "AuditDeliveryLag", Set.of(), Map.of(), "Maximum"),
                new Series(ns, "AuditDeliveryFailures", Set.of(), Map.of(), "Sum"),
                // audit delivery: the forwarder's lag and its dead letters
                new Series("AWS/Lambda", "IteratorAge", Set.of("FunctionName"), Map.of("FunctionName", "ref:AuditForwarderFunction"), "Maximum"),
                new Series("AWS/SQS", "ApproximateNumberOfMessagesVisible", Set.of("QueueName"),
                        Map.of("QueueName", "att:AuditDeadLetterQueue.QueueName"), "Maximum"));
    }

    @Test
    void dashboardShowsEveryAlarmAndTheAlarmThresholds() throws Exception {
        JsonNode body = dashboardBody();
        Set<String> shown = new TreeSet<>();
        Map<String, Double> annotations = new java.util.TreeMap<>();
        for (JsonNode widget : body.path("widgets")) {
            widget.path("properties").path("alarms").forEach(alarm -> shown.add(alarm.asText()));
            widget.path("properties").path("annotations").path("horizontal").forEach(annotation ->
                    annotations.put(widget.path("properties").path("title").asText(), annotation.path("value").asDouble()));
        }
        Set<String> alarms = new TreeSet<>();
        resourcesOfType("AWS::CloudWatch::Alarm").keySet().forEach(alarm -> alarms.add("att:" + alarm + ".Arn"));
        assertThat(shown).isEqualTo(alarms);
        JsonNode resources = template().path("Resources");
        assertThat(annotations).containsValues(
                template().path("Parameters").path("SessionCapAlarmThreshold").path("Default").asDouble(),
                resources.path("AuditForwarderLagAlarm").path("Properties").path("Threshold").asDouble(),
                template().path("Parameters").path("ToolErrorRateAlarmPercent").path("Default").asDouble(),
                template().path("Parameters").path("ToolLatencyP99AlarmMs").path("Default").asDouble());
    }

    @Test
    void dashboardWidgetsFitTheGridWithoutOverlapping() throws Exception {
        java.util.List<int[]> boxes = new java.util.ArrayList<>();
        for (JsonNode widget : dashboardBody().path("widgets")) {
            int x = widget.path("x").asInt(-1);
            int y = widget.path("y").asInt(-1);
            int width = widget.path("width").asInt(-1);
            int height = widget.path("height").asInt(-1);
            assertThat(x).isNotNegative();
            assertThat(y).isNotNegative();
            assertThat(width).isPositive();
            assertThat(height).isPositive();
            assertThat(x + width).as("width of %s", widget.path("properties").path("title")).isLessThanOrEqualTo(24);
            for (int[] other : boxes) {
                boolean apart = x + width <= other[0] || other[0] + other[2] <= x || y + height <= other[1] || other[1] + other[3] <= y;
                assertThat(apart).as("%s overlaps another widget", widget.path("properties").path("title")).isTrue();
            }
            boxes.add(new int[] {x, y, width, height});
        }
        assertThat(boxes).hasSizeGreaterThan(10);
    }

    // ---- the OpenAPI document against the broker's headers and errors ----

    private static JsonNode resolve(JsonNode openApi, JsonNode node) {
        String target = node.path("$ref").asText();
        if (target.isEmpty()) {
            return node;
        }
        assertThat(target).startsWith("#/");
        JsonNode resolved = openApi.at(target.substring(1));
        assertThat(resolved.isMissingNode()).as("target of %s", target).isFalse();
        return resolved;
    }

    @Test
    void openApiDocumentsTheTaskIdHeaderOnPost() throws IOException {
        JsonNode openApi = read("openapi/openapi.yaml");
        JsonNode taskId = null;
        for (JsonNode parameter : openApi.path("paths").path("/mcp/{server}").path("post").path("parameters")) {
            JsonNode resolved = resolve(openApi, parameter);
            if (resolved.path("name").asText().equalsIgnoreCase(dev.mcpbroker.core.mcp.McpHeaders.TASK_ID)) {
                taskId = resolved;
            }
        }
        assertThat(taskId).as("%s parameter of POST", dev.mcpbroker.core.mcp.McpHeaders.TASK_ID).isNotNull();
        assertThat(taskId.path("name").asText()).isEqualTo(dev.mcpbroker.core.mcp.McpHeaders.TASK_ID);
        assertThat(taskId.path("in").asText()).isEqualTo("header");
        assertThat(taskId.path("required").asBoolean(true)).isFalse();
        java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(taskId.path("schema").path("pattern").asText());
        assertThat(pattern.matcher("t".repeat(128)).matches()).isTrue();
        assertThat(pattern.matcher("task-42/step:7").matches()).isTrue();
        assertThat(pattern.matcher("t".repeat(129)).matches()).isFalse();
        assertThat(pattern.matcher("task 42").matches()).isFalse();
        assertThat(pattern.matcher("").matches()).isFalse();
    }

    @Test
    void openApiDocumentsEveryErrorStatusAPostCanGet() throws IOException {
        JsonNode responses = read("openapi/openapi.yaml").path("paths").path("/mcp/{server}").path("post").path("responses");
        for (dev.mcpbroker.core.error.ErrorCode code : dev.mcpbroker.core.error.ErrorCode.values()) {
            if (code.httpStatus() >= 400 && code != dev.mcpbroker.core.error.ErrorCode.METHOD_NOT_ALLOWED) {
                assertThat(responses.has(Integer.toString(code.httpStatus()))).as("POST response %s (%s)", code.httpStatus(), code.reason())
                        .isTrue();
            }
        }
    }

    /** Every error example is what the broker answers for its reason: JSON-RPC code, failure class and HTTP status. */
    @Test
    void openApiErrorExamplesMatchTheBrokersErrorCodes() throws IOException {
        JsonNode openApi = read("openapi/openapi.yaml");
        Set<String> exampled = new TreeSet<>();
        openApi.path("paths").path("/mcp/{server}").path("post").path("responses").properties().forEach(status -> {
            JsonNode response = resolve(openApi, status.getValue());
            response.path("content").path("application/json").path("examples").forEach(example -> {
                JsonNode error = example.path("value").path("error");
                String reason = error.path("data").path("reason").asText();
                dev.mcpbroker.core.error.ErrorCode code = java.util.Arrays.stream(dev.mcpbroker.core.error.ErrorCode.values())
                        .filter(c -> c.reason().equals(reason)).findFirst()
                        .orElseThrow(() -> new AssertionError("example with unknown reason '" + reason + "'"));
                assertThat(Integer.toString(code.httpStatus())).as("status of %s", reason).isEqualTo(status.getKey());
                assertThat(error.path("code").asInt()).as("code of %s", reason).isEqualTo(code.jsonRpcCode());
                assertThat(error.path("data").path("failureClass").asText()).as("failure class of %s", reason)
                        .isEqualTo(code.failureClass().wireName());
                if (error.path("data").has("retryAfter")) {
                    assertThat(response.path("headers").has("Retry-After")).as("Retry-After with %s", reason).isTrue();
                }
                exampled.add(reason);
            });
        });
        assertThat(exampled).contains(dev.mcpbroker.core.error.ErrorCode.SESSION_CAPACITY_EXHAUSTED.reason(),
                dev.mcpbroker.core.error.ErrorCode.UPSTREAM_SESSION_LOST.reason());
    }

    private static JsonNode broker() throws IOException {
        return template().path("Resources").path("BrokerFunction").path("Properties");
    }

    /** JSON written with single quotes. */
    private static JsonNode json(String text) throws IOException {
        return new ObjectMapper().readTree(text.replace('\'', '"'));
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

    /** Environment-variable name to the config method it sets, for every property of a mapping (maps left out). */
    static Map<String, Method> configProperties(String prefix, Class<?> mapping) {
        Map<String, Method> properties = new java.util.TreeMap<>();
        for (Method method : mapping.getDeclaredMethods()) {
            String name = prefix + "_" + method.getName().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
            Class<?> type = method.getReturnType();
            if (type == Map.class) {
                continue;
            } else if (type.isInterface() && type.getName().startsWith("dev.mcpbroker")) {
                properties.putAll(configProperties(name, type));
            } else {
                properties.put(name, method);
            }
        }
        return properties;
    }
}

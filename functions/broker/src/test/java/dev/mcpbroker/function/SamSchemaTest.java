package dev.mcpbroker.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.mcpbroker.testkit.infra.CloudFormationYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Stands in for {@code sam validate --lint}, which cannot be installed here: every {@code AWS::Serverless::*}
 * resource of infra/template.yaml must conform to the SAM JSON Schema, and every function's inline IAM policy
 * must name only real actions (ones some SAM policy template grants) and no wildcards.
 *
 * <p>The SAM reference data lives beside the checkout ({@code ../shared/data/sam}); a clone without it skips
 * these tests.
 */
class SamSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    private static final Path SAM_DATA = Path.of(System.getProperty("sam.data.dir", ROOT.resolve("../shared/data/sam").toString()))
            .toAbsolutePath().normalize();
    private static final Path SCHEMA = SAM_DATA.resolve("sam.schema.json");
    private static final Path POLICY_TEMPLATES = SAM_DATA.resolve("policy_templates.json");

    private static JsonNode samSchema;
    private static JsonNode policyTemplates;
    private static JsonNode template;
    private static JsonSchemaFactory factory;

    private static boolean samDataPresent() {
        return Files.isRegularFile(SCHEMA) && Files.isRegularFile(POLICY_TEMPLATES);
    }

    @BeforeAll
    static void load() throws IOException {
        if (!samDataPresent()) {
            return; // every test skips in requireSamData()
        }
        samSchema = JSON.readTree(SCHEMA.toFile());
        policyTemplates = JSON.readTree(POLICY_TEMPLATES.toFile());
        template = CloudFormationYaml.read(ROOT.resolve("infra/template.yaml"));
        assertThat(samSchema.path("$schema").asText()).as("schema draft").isEqualTo("http://json-schema.org/draft-04/schema#");
        // The SAM schema annotates properties with two documentation keywords of its own.
        JsonMetaSchema draft4 = JsonMetaSchema.builder(JsonMetaSchema.getV4())
                .keyword(new NonValidationKeyword("markdownDescription"))
                .keyword(new NonValidationKeyword("__samPassThrough"))
                .build();
        factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4, builder -> builder.metaSchema(draft4));
    }

    @BeforeEach
    void requireSamData() {
        assumeTrue(samDataPresent(), () -> "SAM reference data not found at " + SAM_DATA
                + " (sam.schema.json, policy_templates.json): skipping the SAM schema and least-privilege checks");
    }

    /** "AWS::Serverless::Function" to the name of the schema definition of such a resource. */
    private static Map<String, String> resourceDefinitions() {
        Map<String, String> definitions = new TreeMap<>();
        samSchema.path("definitions").properties().forEach(definition -> {
            if (definition.getKey().endsWith("__Resource")) {
                definition.getValue().path("properties").path("Type").path("enum")
                        .forEach(type -> definitions.put(type.asText(), definition.getKey()));
            }
        });
        return definitions;
    }

    /** The SAM schema rooted at one of its definitions. */
    private static JsonSchema schemaFor(String definition) {
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", samSchema.path("$schema").asText());
        root.set("definitions", samSchema.path("definitions"));
        root.put("$ref", "#/definitions/" + definition);
        return factory.getSchema(root);
    }

    private static List<String> messages(Set<ValidationMessage> errors) {
        return errors.stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    @Test
    void templateIsASamTemplateWithServerlessResources() {
        assertThat(template.path("Transform").asText()).isEqualTo("AWS::Serverless-2016-10-31");
        assertThat(serverlessResources()).containsKeys("BrokerFunction", "BrokerApi", "AuditForwarderFunction",
                "SessionMaintenanceFunction");
    }

    @Test
    void templateConformsToTheSamModel() {
        assertThat(messages(factory.getSchema(samSchema).validate(template))).isEmpty();
    }

    @TestFactory
    Stream<DynamicTest> everyServerlessResourceConformsToItsSamSchemaDefinition() {
        Map<String, String> definitions = resourceDefinitions();
        assertThat(definitions).containsKeys("AWS::Serverless::Function", "AWS::Serverless::HttpApi");
        return serverlessResources().entrySet().stream().map(resource -> DynamicTest.dynamicTest(resource.getKey(), () -> {
            String type = resource.getValue().path("Type").asText();
            assertThat(definitions).as("SAM schema definition for %s", type).containsKey(type);
            assertThat(messages(schemaFor(definitions.get(type)).validate(resource.getValue())))
                    .as("%s (%s) against #/definitions/%s", resource.getKey(), type, definitions.get(type))
                    .isEmpty();
        }));
    }

    @Test
    void schemaValidationIsNotVacuous() {
        String function = resourceDefinitions().get("AWS::Serverless::Function");
        ObjectNode misspelled = template.path("Resources").path("BrokerFunction").deepCopy();
        ((ObjectNode) misspelled.path("Properties")).set("Handlr", misspelled.path("Properties").path("Handler"));
        assertThat(messages(schemaFor(function).validate(misspelled))).anySatisfy(m -> assertThat(m).contains("Handlr"));
        ObjectNode badEvent = template.path("Resources").path("BrokerFunction").deepCopy();
        ((ObjectNode) badEvent.path("Properties").path("Events").path("McpPost").path("Properties")).put("Method", 1);
        assertThat(messages(schemaFor(function).validate(badEvent))).isNotEmpty();
    }

    /** Every AWS::Serverless::Function of the template: each one's policy is held to the same rules. */
    @TestFactory
    Stream<DynamicTest> functionPolicyNamesOnlyRealActionsAndNoWildcards() {
        Set<String> knownActions = new TreeSet<>();
        Set<String> knownActionPrefixes = new TreeSet<>();
        policyTemplates.path("Templates").forEach(policyTemplate ->
                statements(policyTemplate.path("Definition")).forEach(statement -> textValues(statement.path("Action")).forEach(action -> {
                    if (!action.contains("*")) {
                        knownActions.add(action);
                    } else if (action.indexOf('*') == action.length() - 1 && action.indexOf(':') < action.length() - 2) {
                        // "sqs:SendMessage*" (SQSSendMessagePolicy) grants sqs:SendMessage; a bare "textract:*"
                        // would vouch for any spelling, so it vouches for none
                        knownActionPrefixes.add(action.substring(0, action.length() - 1));
                    }
                })));
        assertThat(knownActions).as("actions granted by SAM policy templates").contains("dynamodb:GetItem");
        assertThat(knownActionPrefixes).as("action prefixes granted by SAM policy templates").contains("sqs:SendMessage");
        Map<String, JsonNode> functions = new TreeMap<>(serverlessResources());
        functions.values().removeIf(resource -> !resource.path("Type").asText().equals("AWS::Serverless::Function"));
        assertThat(functions).containsKeys("BrokerFunction", "AuditForwarderFunction", "SessionMaintenanceFunction");
        return functions.entrySet().stream().map(function -> DynamicTest.dynamicTest(function.getKey(), () ->
                assertPolicyNamesOnlyRealActionsAndNoWildcards(function.getValue(), knownActions, knownActionPrefixes)));
    }

    private static void assertPolicyNamesOnlyRealActionsAndNoWildcards(JsonNode function, Set<String> knownActions,
            Set<String> knownActionPrefixes) {
        JsonNode policies = function.path("Properties").path("Policies");
        assertThat(policies.isArray()).as("Policies is a list").isTrue();
        List<JsonNode> statements = new ArrayList<>();
        for (JsonNode policy : policies) {
            assertThat(policy.isObject() && policy.has("Statement"))
                    .as("inline policy document (not a managed policy or policy template): %s", policy).isTrue();
            statements.addAll(statements(policy));
        }
        assertThat(statements).as("inline statements").isNotEmpty();
        for (JsonNode statement : statements) {
            assertThat(statement.has("NotAction") || statement.has("NotResource"))
                    .as("NotAction/NotResource grant everything else: %s", statement).isFalse();
            assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
            List<String> actions = textValues(statement.path("Action"));
            assertThat(actions).as("literal actions of %s", statement).isNotEmpty()
                    .allSatisfy(action -> assertThat(action).doesNotContain("*")
                            .matches(a -> knownActions.contains(a) || knownActionPrefixes.stream().anyMatch(a::startsWith),
                                    "an action some SAM policy template grants"));
            assertThat(statement.has("Resource")).as("Resource of %s", statement).isTrue();
            // The one wildcard allowed: the broker's own secret name prefix, never a bare or service-wide one.
            assertThat(allText(statement.path("Resource"))).as("resource strings of %s", statement)
                    .allSatisfy(text -> assertThat(text.replace(":secret:mcp-broker/upstream/*", ":secret:mcp-broker/upstream/"))
                            .doesNotContain("*"));
        }
    }

    private static Map<String, JsonNode> serverlessResources() {
        Map<String, JsonNode> resources = new TreeMap<>();
        template.path("Resources").properties().forEach(resource -> {
            if (resource.getValue().path("Type").asText().startsWith("AWS::Serverless::")) {
                resources.put(resource.getKey(), resource.getValue());
            }
        });
        return resources;
    }

    /** A policy document's statements: IAM allows a single statement object as well as a list. */
    private static List<JsonNode> statements(JsonNode policy) {
        JsonNode statement = policy.path("Statement");
        List<JsonNode> all = new ArrayList<>();
        if (statement.isArray()) {
            statement.forEach(all::add);
        } else if (statement.isObject()) {
            all.add(statement);
        }
        return all;
    }

    /** A string-or-list-of-strings IAM field; anything else (e.g. an intrinsic function) fails the check. */
    private static List<String> textValues(JsonNode field) {
        List<String> values = new ArrayList<>();
        if (field.isTextual()) {
            values.add(field.asText());
        } else if (field.isArray()) {
            field.forEach(value -> {
                assertThat(value.isTextual()).as("literal IAM action expected, got %s", value).isTrue();
                values.add(value.asText());
            });
        } else if (!field.isMissingNode()) {
            assertThat(field.isTextual()).as("literal IAM action expected, got %s", field).isTrue();
        }
        return values;
    }

    /** Every string anywhere in a value, including inside intrinsic functions (Fn::Sub, Fn::Join, ...). */
    private static List<String> allText(JsonNode value) {
        List<String> texts = new ArrayList<>();
        if (value.isTextual()) {
            texts.add(value.asText());
        } else {
            value.forEach(child -> texts.addAll(allText(child)));
        }
        return texts;
    }
}

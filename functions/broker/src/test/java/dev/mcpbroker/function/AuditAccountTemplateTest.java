package dev.mcpbroker.function;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.testkit.infra.CloudFormationYaml;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds infra/audit-account.yaml (the audit account: stream, key, Object Lock archive) to the properties the audit
 * trail relies on, and to the broker template's forwarder: only the broker account's forwarder role can write, the
 * events are encrypted with the audit account's own key, the archive cannot be deleted or rewritten, and no policy in
 * the template grants a wildcard action.
 */
class AuditAccountTemplateTest {

    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static JsonNode template;
    private static JsonNode resources;

    @BeforeAll
    static void load() throws IOException {
        template = CloudFormationYaml.read(ROOT.resolve("infra/audit-account.yaml"));
        resources = template.path("Resources");
    }

    private static JsonNode properties(String resource) {
        return resources.path(resource).path("Properties");
    }

    private static JsonNode ref(String name) {
        return NODES.objectNode().put("Ref", name);
    }

    private static JsonNode getAtt(String resource, String attribute) {
        return NODES.objectNode().set("Fn::GetAtt", NODES.arrayNode().add(resource).add(attribute));
    }

    private static JsonNode sub(String text) {
        return NODES.objectNode().put("Fn::Sub", text);
    }

    /** The one resource of a type; its logical id. */
    private static String only(String type) {
        List<String> ids = new ArrayList<>();
        resources.properties().forEach(resource -> {
            if (resource.getValue().path("Type").asText().equals(type)) {
                ids.add(resource.getKey());
            }
        });
        assertThat(ids).as("resources of type %s", type).hasSize(1);
        return ids.get(0);
    }

    @Test
    void isPlainCloudFormationWithTheParametersAndOutputsTheBrokerStackNeeds() {
        assertThat(template.has("Transform")).as("no SAM transform: no Serverless resources").isFalse();
        resources.forEach(resource -> assertThat(resource.path("Type").asText()).doesNotStartWith("AWS::Serverless::"));
        assertThat(template.path("Parameters").path("BrokerAccountId").path("AllowedPattern").asText()).isEqualTo("^\\d{12}$");
        assertThat(template.path("Parameters").path("RetentionHours").path("Default").asInt()).isEqualTo(168);
        assertThat(template.path("Parameters").path("ArchiveRetentionDays").path("Default").asInt()).isEqualTo(2555);
        assertThat(template.path("Outputs").path("AuditStreamArn").path("Value")).isEqualTo(getAtt(only("AWS::Kinesis::Stream"), "Arn"));
        assertThat(template.path("Outputs").path("AuditKmsKeyArn").path("Value")).isEqualTo(getAtt(only("AWS::KMS::Key"), "Arn"));
        assertThat(template.path("Outputs").path("ArchiveBucketName").path("Value")).isEqualTo(ref(only("AWS::S3::Bucket")));
    }

    @Test
    void keyIsCustomerManagedAndRotated() {
        JsonNode key = properties(only("AWS::KMS::Key"));
        assertThat(key.path("EnableKeyRotation").asBoolean()).isTrue();
        assertThat(resources.path(only("AWS::KMS::Key")).path("DeletionPolicy").asText()).isEqualTo("Retain");
    }

    @Test
    void streamIsOnDemandAndEncryptedWithTheTemplatesOwnKey() {
        JsonNode stream = properties(only("AWS::Kinesis::Stream"));
        assertThat(stream.path("StreamModeDetails").path("StreamMode").asText()).isEqualTo("ON_DEMAND");
        assertThat(stream.path("RetentionPeriodHours")).isEqualTo(ref("RetentionHours"));
        assertThat(stream.path("StreamEncryption").path("EncryptionType").asText()).isEqualTo("KMS");
        assertThat(stream.path("StreamEncryption").path("KeyId")).isEqualTo(getAtt(only("AWS::KMS::Key"), "Arn"));
    }

    @Test
    void onlyTheBrokerAccountsForwarderMayWriteAndOnlyWrite() throws IOException {
        String stream = only("AWS::Kinesis::Stream");
        String policyId = only("AWS::Kinesis::ResourcePolicy");
        assertThat(resources.path(policyId).path("Condition").asText())
                .as("no stream policy, so no writer, before the forwarder's ARN is known").isEqualTo("HasForwarder");
        JsonNode policy = properties(policyId);
        assertThat(policy.path("ResourceArn")).isEqualTo(getAtt(stream, "Arn"));
        JsonNode statements = policy.path("ResourcePolicy").path("Statement");
        assertThat(statements.size()).isEqualTo(1);
        JsonNode statement = statements.path(0);
        assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
        assertThat(statement.path("Principal")).isEqualTo(NODES.objectNode()
                .set("AWS", sub("arn:${AWS::Partition}:iam::${BrokerAccountId}:root")));
        assertThat(actions(statement)).isSubsetOf("kinesis:PutRecord", "kinesis:PutRecords", "kinesis:DescribeStreamSummary")
                .contains("kinesis:PutRecord");
        assertThat(statement.path("Resource")).isEqualTo(getAtt(stream, "Arn"));
        assertThat(statement.path("Condition").fieldNames()).toIterable().containsExactly("ArnEquals");
        assertThat(statement.path("Condition").path("ArnEquals").path("aws:PrincipalArn")).isEqualTo(exactProducerRoles());
    }

    /**
     * Exactly the broker stack's forwarder role, and its re-drive role when given: the parameters' ARNs, no
     * pattern, so no other role of the broker account can write, whatever its path.
     */
    private static JsonNode exactProducerRoles() {
        return NODES.objectNode().set("Fn::If", NODES.arrayNode().add("HasRedrive")
                .add(NODES.arrayNode().add(ref("ForwarderRoleArn")).add(ref("RedriveRoleArn")))
                .add(NODES.arrayNode().add(ref("ForwarderRoleArn"))));
    }

    @Test
    void producerRoleParametersTakeOnlyExactRoleArnsAsTheBrokerStackOutputsThem() throws IOException {
        for (String parameter : List.of("ForwarderRoleArn", "RedriveRoleArn")) {
            JsonNode definition = template.path("Parameters").path(parameter);
            java.util.regex.Pattern allowed = java.util.regex.Pattern.compile(definition.path("AllowedPattern").asText());
            assertThat(definition.path("Default").asText()).as("empty before the broker stack exists").isEmpty();
            assertThat(allowed.matcher("").matches()).isTrue();
            assertThat(allowed.matcher("arn:aws:iam::123456789012:role/mcp-broker/audit-forwarder/"
                    + "mcp-broker-AuditForwarderFunctionRole-1A2B3C4D").matches()).isTrue();
            assertThat(allowed.matcher("arn:aws:iam::123456789012:role/mcp-broker/audit-forwarder/*").matches())
                    .as("a path pattern").isFalse();
            assertThat(allowed.matcher("arn:aws:iam::123456789012:user/operator").matches()).as("not a role").isFalse();
        }
        assertThat(template.path("Conditions").path("HasForwarder")).isEqualTo(NODES.objectNode().set("Fn::Not",
                NODES.arrayNode().add(NODES.objectNode().set("Fn::Equals", NODES.arrayNode().add(ref("ForwarderRoleArn")).add("")))));
        // the broker stack outputs exactly the roles whose ARNs these parameters take
        JsonNode broker = CloudFormationYaml.read(ROOT.resolve("infra/template.yaml"));
        assertThat(broker.path("Outputs").path("ForwarderRoleArn").path("Value"))
                .isEqualTo(getAtt("AuditForwarderFunctionRole", "Arn"));
        assertThat(broker.path("Outputs").path("AuditRedriveRoleArn").path("Value")).isEqualTo(getAtt("AuditRedriveRole", "Arn"));
        assertThat(broker.path("Resources").path("AuditForwarderFunction").path("Properties").has("Role"))
                .as("SAM generates the forwarder's role, logical id AuditForwarderFunctionRole").isFalse();
    }

    @Test
    void keyPolicyLetsTheForwarderOnlyEncryptThroughKinesisForThisStream() throws IOException {
        JsonNode forwarderGrant = null;
        for (JsonNode statement : properties(only("AWS::KMS::Key")).path("KeyPolicy").path("Statement")) {
            if (statement.toString().contains("BrokerAccountId")) {
                assertThat(forwarderGrant).as("one key policy statement for the broker account").isNull();
                JsonNode conditional = statement.path("Fn::If");
                assertThat(conditional.path(0).asText()).as("granted only once the forwarder's ARN is known").isEqualTo("HasForwarder");
                assertThat(conditional.path(2)).isEqualTo(ref("AWS::NoValue"));
                forwarderGrant = conditional.path(1);
            }
        }
        assertThat(forwarderGrant).isNotNull();
        assertThat(forwarderGrant.path("Principal")).isEqualTo(NODES.objectNode()
                .set("AWS", sub("arn:${AWS::Partition}:iam::${BrokerAccountId}:root")));
        // a producer needs GenerateDataKey only; the forwarder never reads the stream
        assertThat(actions(forwarderGrant)).containsExactly("kms:GenerateDataKey");
        JsonNode condition = forwarderGrant.path("Condition");
        assertThat(condition.path("StringEquals").path("kms:ViaService")).isEqualTo(sub("kinesis.${AWS::Region}.${AWS::URLSuffix}"));
        String streamName = properties(only("AWS::Kinesis::Stream")).path("Name").path("Fn::Sub").asText();
        assertThat(streamName).isNotEmpty();
        assertThat(condition.path("StringEquals").path("kms:EncryptionContext:aws:kinesis:arn"))
                .isEqualTo(sub("arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/" + streamName));
        assertThat(condition.fieldNames()).toIterable().containsExactlyInAnyOrder("StringEquals", "ArnEquals");
        assertThat(condition.path("ArnEquals").path("aws:PrincipalArn")).isEqualTo(exactProducerRoles());
    }

    @Test
    void archiveIsWriteOnceForTheRetentionVersionedEncryptedAndPrivate() {
        String bucketId = only("AWS::S3::Bucket");
        JsonNode bucket = properties(bucketId);
        assertThat(bucket.path("ObjectLockEnabled").asBoolean()).isTrue();
        assertThat(bucket.path("ObjectLockConfiguration").path("ObjectLockEnabled").asText()).isEqualTo("Enabled");
        JsonNode retention = bucket.path("ObjectLockConfiguration").path("Rule").path("DefaultRetention");
        assertThat(retention.path("Mode").asText()).isEqualTo("COMPLIANCE");
        assertThat(retention.path("Days")).isEqualTo(ref("ArchiveRetentionDays"));
        assertThat(retention.has("Years")).isFalse();
        assertThat(bucket.path("VersioningConfiguration").path("Status").asText()).isEqualTo("Enabled");
        JsonNode sse = bucket.path("BucketEncryption").path("ServerSideEncryptionConfiguration").path(0);
        assertThat(sse.path("ServerSideEncryptionByDefault").path("SSEAlgorithm").asText()).isEqualTo("aws:kms");
        assertThat(sse.path("ServerSideEncryptionByDefault").path("KMSMasterKeyID")).isEqualTo(getAtt(only("AWS::KMS::Key"), "Arn"));
        JsonNode publicAccess = bucket.path("PublicAccessBlockConfiguration");
        for (String block : List.of("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")) {
            assertThat(publicAccess.path(block).asBoolean()).as(block).isTrue();
        }
        assertThat(resources.path(bucketId).path("DeletionPolicy").asText()).isEqualTo("Retain");
    }

    @Test
    void firehoseArchivesTheStreamIntoTheBucketWithItsOwnRole() {
        JsonNode delivery = properties(only("AWS::KinesisFirehose::DeliveryStream"));
        assertThat(delivery.path("DeliveryStreamType").asText()).isEqualTo("KinesisStreamAsSource");
        assertThat(delivery.path("KinesisStreamSourceConfiguration").path("KinesisStreamARN"))
                .isEqualTo(getAtt(only("AWS::Kinesis::Stream"), "Arn"));
        JsonNode s3 = delivery.path("ExtendedS3DestinationConfiguration");
        assertThat(s3.path("BucketARN")).isEqualTo(getAtt(only("AWS::S3::Bucket"), "Arn"));
        assertThat(s3.path("EncryptionConfiguration").path("KMSEncryptionConfig").path("AWSKMSKeyARN"))
                .isEqualTo(getAtt(only("AWS::KMS::Key"), "Arn"));
        String role = only("AWS::IAM::Role");
        assertThat(delivery.path("KinesisStreamSourceConfiguration").path("RoleARN")).isEqualTo(getAtt(role, "Arn"));
        assertThat(s3.path("RoleARN")).isEqualTo(getAtt(role, "Arn"));
        JsonNode trust = properties(role).path("AssumeRolePolicyDocument").path("Statement");
        assertThat(trust.size()).isEqualTo(1);
        assertThat(trust.path(0).path("Principal")).isEqualTo(NODES.objectNode().put("Service", "firehose.amazonaws.com"));
        assertThat(trust.path(0).path("Condition").path("StringEquals").path("sts:ExternalId")).isEqualTo(ref("AWS::AccountId"));

        // least privilege: read the stream, write the bucket, use the key only through Kinesis and S3
        Map<String, Set<String>> byResource = new java.util.TreeMap<>();
        for (JsonNode policy : properties(role).path("Policies")) {
            for (JsonNode statement : policy.path("PolicyDocument").path("Statement")) {
                assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
                JsonNode resource = statement.path("Resource");
                for (JsonNode one : resource.isArray() ? resource : NODES.arrayNode().add(resource)) {
                    byResource.computeIfAbsent(one.toString(), k -> new TreeSet<>()).addAll(actions(statement));
                }
                if (actions(statement).stream().anyMatch(action -> action.startsWith("kms:"))) {
                    assertThat(statement.path("Condition").path("StringEquals").has("kms:ViaService"))
                            .as("key use only through a service: %s", statement).isTrue();
                }
            }
        }
        String bucket = only("AWS::S3::Bucket");
        assertThat(byResource).isEqualTo(Map.of(
                getAtt(only("AWS::Kinesis::Stream"), "Arn").toString(),
                Set.of("kinesis:DescribeStream", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"),
                getAtt(bucket, "Arn").toString(), Set.of("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"),
                sub("${" + bucket + ".Arn}/audit/*").toString(), Set.of("s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"),
                sub("${" + bucket + ".Arn}/errors/*").toString(), Set.of("s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"),
                getAtt(only("AWS::KMS::Key"), "Arn").toString(), Set.of("kms:Decrypt", "kms:GenerateDataKey"),
                sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${ArchiveDeliveryLogGroup}"
                        + ":log-stream:${ArchiveDeliveryLogStream}").toString(), Set.of("logs:PutLogEvents")));
        // the archive's destination prefixes are exactly the ones the role may write
        assertThat(s3.path("Prefix").asText()).startsWith("audit/");
        // one event per line, the format scripts/audit-verify.sh --archive reads
        assertThat(s3.path("CompressionFormat").asText()).isEqualTo("GZIP");
        assertThat(s3.path("ProcessingConfiguration").path("Enabled").asBoolean()).isTrue();
        assertThat(s3.path("ProcessingConfiguration").path("Processors")).singleElement()
                .satisfies(processor -> assertThat(processor.path("Type").asText()).isEqualTo("AppendDelimiterToRecord"));
        assertThat(s3.path("ErrorOutputPrefix").asText()).startsWith("errors/");
    }

    /**
     * No policy document anywhere in the template (key policy, stream policy, role policies, trust policy) grants a
     * wildcard action or uses the Not* forms, and a wildcard resource appears only where AWS requires one:
     * <ul>
     *   <li>{@code "*"} in the KMS key policy, where it means "this key" (a key policy cannot name its own key: the
     *       ARN does not exist before the key, and KMS documents "*" as the only form);</li>
     *   <li>object keys under the archive bucket's prefixes, whose names Firehose generates.</li>
     * </ul>
     */
    @Test
    void noWildcardActionsAndWildcardResourcesOnlyWhereAwsRequiresThem() {
        String key = only("AWS::KMS::Key");
        String bucket = only("AWS::S3::Bucket");
        List<String> checked = new ArrayList<>();
        resources.properties().forEach(resource -> collectStatements(resource.getValue().path("Properties"), new ArrayList<>())
                .forEach(statement -> {
                    String where = resource.getKey() + ": " + statement;
                    checked.add(where);
                    for (String not : List.of("NotAction", "NotResource", "NotPrincipal")) {
                        assertThat(statement.has(not)).as("%s grants everything else: %s", not, where).isFalse();
                    }
                    assertThat(actions(statement)).as("actions of %s", where).isNotEmpty()
                            .allSatisfy(action -> assertThat(action).doesNotContain("*"));
                    assertThat(allText(statement.path("Principal"))).as("principals of %s", where)
                            .allSatisfy(principal -> assertThat(principal).doesNotContain("*"));
                    JsonNode resourceField = statement.path("Resource");
                    if (resource.getKey().equals(key)) {
                        assertThat(resourceField.asText()).as("a key policy's resource is the key itself: %s", where).isEqualTo("*");
                        return;
                    }
                    for (JsonNode one : resourceField.isArray() ? resourceField : NODES.arrayNode().add(resourceField)) {
                        List<String> texts = allText(one);
                        if (texts.stream().anyMatch(text -> text.contains("*"))) {
                            assertThat(one.path("Fn::Sub").asText()).as("wildcard resource of %s", where)
                                    .matches("\\$\\{" + bucket + "\\.Arn}/[a-z]+/\\*");
                        }
                    }
                }));
        // trust policy, key policy (3 statements), stream policy, role policy statements
        assertThat(checked).hasSizeGreaterThanOrEqualTo(6);
    }

    /** Every object with an "Effect" under a node: the IAM statements of every policy document in it. */
    private static List<JsonNode> collectStatements(JsonNode node, List<JsonNode> into) {
        if (node.isObject() && node.has("Effect")) {
            into.add(node);
        } else if (node.isContainerNode()) {
            node.forEach(child -> collectStatements(child, into));
        }
        return into;
    }

    /** A statement's actions: a string or a list of strings, never an intrinsic function. */
    private static List<String> actions(JsonNode statement) {
        JsonNode action = statement.path("Action");
        List<String> all = new ArrayList<>();
        for (JsonNode one : action.isArray() ? (ArrayNode) action : NODES.arrayNode().add(action)) {
            assertThat(one.isTextual()).as("literal action in %s", statement).isTrue();
            all.add(one.asText());
        }
        return all;
    }

    /** Every string anywhere in a value, including inside intrinsic functions. */
    private static List<String> allText(JsonNode value) {
        List<String> texts = new ArrayList<>();
        if (value.isTextual()) {
            texts.add(value.asText());
        } else if (value instanceof ObjectNode || value instanceof ArrayNode) {
            value.forEach(child -> texts.addAll(allText(child)));
        }
        return texts;
    }
}

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
        JsonNode policy = properties(only("AWS::Kinesis::ResourcePolicy"));
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
        assertThat(statement.path("Condition").path("ArnLike").path("aws:PrincipalArn")).isEqualTo(forwarderRolePattern());
    }

    /** The broker account's forwarder role, whatever name SAM gives it: the role path the broker template sets. */
    private static JsonNode forwarderRolePattern() throws IOException {
        JsonNode broker = CloudFormationYaml.read(ROOT.resolve("infra/template.yaml"));
        String rolePath = broker.path("Resources").path("AuditForwarderFunction").path("Properties").path("RolePath").asText();
        assertThat(rolePath).as("RolePath of the broker's AuditForwarderFunction").startsWith("/").endsWith("/").hasSizeGreaterThan(2);
        return sub("arn:${AWS::Partition}:iam::${BrokerAccountId}:role" + rolePath + "*");
    }

    @Test
    void keyPolicyLetsTheForwarderOnlyEncryptThroughKinesisForThisStream() throws IOException {
        JsonNode forwarderGrant = null;
        for (JsonNode statement : properties(only("AWS::KMS::Key")).path("KeyPolicy").path("Statement")) {
            if (statement.path("Principal").toString().contains("BrokerAccountId")) {
                assertThat(forwarderGrant).as("one key policy statement for the broker account").isNull();
                forwarderGrant = statement;
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
        assertThat(condition.path("ArnLike").path("aws:PrincipalArn")).isEqualTo(forwarderRolePattern());
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

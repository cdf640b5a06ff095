package dev.mcpbroker.sessiontable.policy;

import dev.mcpbroker.core.policy.ServerGrant;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The requests {@link PolicyAdmin} sends to the policy table, built in one place with the expressions of
 * {@link PolicyExpressions}, so tests pin exactly what is written and under which condition.
 */
final class PolicyRequests {

    private final String tableName;
    private final Clock clock;

    PolicyRequests(String tableName, Clock clock) {
        this.tableName = Objects.requireNonNull(tableName);
        this.clock = Objects.requireNonNull(clock);
    }

    UpdateItemRequest registerRequest(String serverId, URI url, UpstreamAuth auth, Duration connectTimeout, Duration requestTimeout) {
        PolicyItems.requireNonBlank(serverId, "serverId");
        Objects.requireNonNull(auth, "auth");
        if (!url.isAbsolute() || !("https".equalsIgnoreCase(url.getScheme()) || "http".equalsIgnoreCase(url.getScheme()))) {
            throw new IllegalArgumentException("an upstream URL must be absolute http or https");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":url", AttributeValue.fromS(url.toString()));
        values.put(":authScheme", AttributeValue.fromS(auth.scheme().name()));
        values.put(":connectTimeoutMs", AttributeValue.fromN(Long.toString(connectTimeout.toMillis())));
        values.put(":requestTimeoutMs", AttributeValue.fromN(Long.toString(requestTimeout.toMillis())));
        values.put(":updatedAt", now());
        values.put(":notKilled", AttributeValue.fromBool(false));
        boolean hasSecretId = auth.secretId() != null && !auth.secretId().isBlank();
        boolean hasHeaderName = auth.headerName() != null && !auth.headerName().isBlank();
        if (hasSecretId) {
            values.put(":secretId", AttributeValue.fromS(auth.secretId()));
        }
        if (hasHeaderName) {
            values.put(":headerName", AttributeValue.fromS(auth.headerName()));
        }
        return UpdateItemRequest.builder()
                .tableName(tableName)
                .key(PolicyItems.serverKey(serverId))
                .updateExpression(PolicyExpressions.registerUpdate(hasSecretId, hasHeaderName))
                .expressionAttributeNames(PolicyExpressions.REGISTER_NAMES)
                .expressionAttributeValues(values)
                .build();
    }

    UpdateItemRequest serverUpdateRequest(String serverId, String update, Map<String, String> names,
                                          Map<String, AttributeValue> values) {
        Map<String, AttributeValue> withTime = new HashMap<>(values);
        withTime.put(":updatedAt", now());
        return UpdateItemRequest.builder()
                .tableName(tableName)
                .key(PolicyItems.serverKey(serverId))
                .conditionExpression(PolicyExpressions.EXISTS_CONDITION)
                .updateExpression(update)
                .expressionAttributeNames(names)
                .expressionAttributeValues(withTime)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    UpdateItemRequest grantRequest(String agentId, String tenantId, ServerGrant grant) {
        return UpdateItemRequest.builder()
                .tableName(tableName)
                .key(PolicyItems.agentKey(agentId))
                .conditionExpression(PolicyExpressions.GRANT_CONDITION)
                .updateExpression(PolicyExpressions.GRANT_UPDATE)
                .expressionAttributeNames(PolicyExpressions.withServerId(PolicyExpressions.GRANT_NAMES, grant.serverId()))
                .expressionAttributeValues(Map.of(
                        ":tenantId", AttributeValue.fromS(tenantId),
                        ":grant", PolicyItems.grantValue(grant)))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    PutItemRequest createAgentRequest(String agentId, String tenantId, ServerGrant grant) {
        Map<String, AttributeValue> item = new HashMap<>(PolicyItems.agentKey(agentId));
        item.put(PolicyItems.TENANT_ID, AttributeValue.fromS(tenantId));
        item.put(PolicyItems.SERVERS, AttributeValue.fromM(Map.of(grant.serverId(), PolicyItems.grantValue(grant))));
        return PutItemRequest.builder()
                .tableName(tableName)
                .item(item)
                .conditionExpression(PolicyExpressions.CREATE_CONDITION)
                .expressionAttributeNames(PolicyExpressions.CREATE_NAMES)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    UpdateItemRequest revokeRequest(String agentId, String serverId) {
        return UpdateItemRequest.builder()
                .tableName(tableName)
                .key(PolicyItems.agentKey(agentId))
                .conditionExpression(PolicyExpressions.REVOKE_CONDITION)
                .updateExpression(PolicyExpressions.REVOKE_UPDATE)
                .expressionAttributeNames(PolicyExpressions.withServerId(PolicyExpressions.REVOKE_NAMES, serverId))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    UpdateItemRequest agentUpdateRequest(String agentId, String update, Map<String, AttributeValue> values) {
        UpdateItemRequest.Builder request = UpdateItemRequest.builder()
                .tableName(tableName)
                .key(PolicyItems.agentKey(agentId))
                .conditionExpression(PolicyExpressions.EXISTS_CONDITION)
                .updateExpression(update)
                .expressionAttributeNames(PolicyExpressions.AGENT_RATE_NAMES)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        if (!values.isEmpty()) {
            // DynamoDB rejects an empty value map as well as unused values.
            request.expressionAttributeValues(values);
        }
        return request.build();
    }

    ScanRequest scanRequest(String prefix, String role) {
        return ScanRequest.builder()
                .tableName(tableName)
                .filterExpression(PolicyExpressions.KIND_FILTER)
                .expressionAttributeNames(PolicyExpressions.KIND_NAMES)
                .expressionAttributeValues(Map.of(
                        ":kind", AttributeValue.fromS(prefix),
                        ":role", AttributeValue.fromS(role)))
                .consistentRead(true)
                .build();
    }

    private AttributeValue now() {
        return AttributeValue.fromN(Long.toString(clock.millis()));
    }
}

package dev.mcpbroker.testkit.aws.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * AWS Secrets Manager, emulated in memory over its wire protocol (AWS JSON 1.1, {@code X-Amz-Target:
 * secretsmanager.<Operation>}), so that the real SDK client drives it. Covers the operations the broker and its tests
 * use: CreateSecret, GetSecretValue, PutSecretValue, UpdateSecret, DescribeSecret, ListSecrets, DeleteSecret and
 * RestoreSecret, with the service's staging labels (AWSCURRENT moves, the former current version becomes
 * AWSPREVIOUS), idempotency tokens, scheduled deletion and error codes.
 *
 * <p>Thread-safe: every operation runs under this object's lock.
 */
public final class SecretsManagerEmulator implements HttpHandler {

    static final String CURRENT = "AWSCURRENT";
    static final String PREVIOUS = "AWSPREVIOUS";

    private static final String TARGET_PREFIX = "secretsmanager.";
    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9/_+=.@-]{1,512}");
    private static final Pattern TOKEN = Pattern.compile("[\\w-]{32,64}");
    private static final char[] ARN_SUFFIX_ALPHABET =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
    private static final int MAX_SECRET_BYTES = 65_536;

    private final ObjectMapper json = new ObjectMapper();
    private final SecureRandom random = new SecureRandom();
    private final String region;
    private final String accountId;
    private final Clock clock;
    /** Secrets by name, in creation order. */
    private final Map<String, Secret> secrets = new LinkedHashMap<>();

    public SecretsManagerEmulator(String region, String accountId, Clock clock) {
        this.region = Objects.requireNonNull(region);
        this.accountId = Objects.requireNonNull(accountId);
        this.clock = Objects.requireNonNull(clock);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = 200;
            ObjectNode response;
            try {
                response = dispatch(exchange, body);
            } catch (AwsServiceError error) {
                status = error.status();
                response = json.createObjectNode().put("__type", error.code()).put("Message", error.getMessage());
                exchange.getResponseHeaders().set("x-amzn-ErrorType", error.code());
            } catch (RuntimeException unexpected) {
                status = 500;
                response = json.createObjectNode().put("__type", "InternalServiceError").put("Message", String.valueOf(unexpected));
                exchange.getResponseHeaders().set("x-amzn-ErrorType", "InternalServiceError");
            }
            byte[] bytes = json.writeValueAsBytes(response);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private ObjectNode dispatch(HttpExchange exchange, byte[] body) {
        if (!"POST".equals(exchange.getRequestMethod())) {
            throw new AwsServiceError("UnknownOperationException", 404, "Only POST is supported");
        }
        SignedRequest.accessKeyId(exchange);
        String target = Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Amz-Target")).orElse("");
        if (!target.startsWith(TARGET_PREFIX)) {
            throw new AwsServiceError("UnknownOperationException", "Unknown target: " + target);
        }
        ObjectNode request = parse(body);
        return switch (target.substring(TARGET_PREFIX.length())) {
            case "CreateSecret" -> createSecret(request);
            case "GetSecretValue" -> getSecretValue(request);
            case "PutSecretValue" -> putSecretValue(request);
            case "UpdateSecret" -> updateSecret(request);
            case "DescribeSecret" -> describeSecret(request);
            case "ListSecrets" -> listSecrets(request);
            case "DeleteSecret" -> deleteSecret(request);
            case "RestoreSecret" -> restoreSecret(request);
            default -> throw new AwsServiceError("UnknownOperationException", "Unknown operation: " + target);
        };
    }

    private ObjectNode parse(byte[] body) {
        if (body.length == 0) {
            return json.createObjectNode();
        }
        try {
            JsonNode node = json.readTree(body);
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (IOException e) {
            // answered below, as the service does for a body it cannot read
        }
        throw new AwsServiceError("SerializationException", "Start of structure or map found where not expected.");
    }

    // ---------------------------------------------------------------- operations

    private synchronized ObjectNode createSecret(ObjectNode request) {
        String name = required(request, "Name");
        if (!NAME.matcher(name).matches()) {
            throw new AwsServiceError("InvalidParameterException",
                    "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!");
        }
        Optional<SecretValue> value = value(request);
        String token = token(request);
        Secret existing = find(name);
        if (existing != null) {
            if (existing.deletionDate != null) {
                throw new AwsServiceError("InvalidRequestException",
                        "You can't create this secret because a secret with this name is already scheduled for deletion.");
            }
            // A retry of a request that succeeded (same token, same value) is answered as the first one was.
            Version retried = existing.versions.get(token);
            if (retried != null && value.isPresent() && retried.value.equals(value.get())) {
                return identity(existing).put("VersionId", retried.id);
            }
            throw new AwsServiceError("ResourceExistsException", "The operation failed because the secret " + name + " already exists.");
        }
        Instant now = clock.instant();
        Secret secret = new Secret(name, arn(name), now);
        secret.description = text(request, "Description");
        secret.kmsKeyId = text(request, "KmsKeyId");
        for (JsonNode tag : request.path("Tags")) {
            secret.tags.put(tag.path("Key").asText(), tag.path("Value").asText());
        }
        secrets.put(name, secret);
        ObjectNode response = identity(secret);
        value.ifPresent(v -> response.put("VersionId", addVersion(secret, token, v, List.of(CURRENT)).id));
        return response;
    }

    private synchronized ObjectNode getSecretValue(ObjectNode request) {
        Secret secret = active(required(request, "SecretId"));
        String versionId = text(request, "VersionId");
        String stage = text(request, "VersionStage");
        Version version;
        if (versionId != null) {
            version = secret.versions.get(versionId);
            if (version == null || (stage != null && !version.stages.contains(stage))) {
                throw new AwsServiceError("ResourceNotFoundException",
                        "Secrets Manager can't find the specified secret value for VersionId: " + versionId);
            }
        } else {
            String label = stage == null ? CURRENT : stage;
            version = secret.withStage(label).orElseThrow(() -> new AwsServiceError("ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret value for staging label: " + label));
        }
        secret.lastAccessed = clock.instant().truncatedTo(ChronoUnit.DAYS);
        ObjectNode response = identity(secret).put("VersionId", version.id);
        version.value.writeTo(response);
        stages(response.putArray("VersionStages"), version);
        date(response, "CreatedDate", version.created);
        return response;
    }

    private synchronized ObjectNode putSecretValue(ObjectNode request) {
        Secret secret = active(required(request, "SecretId"));
        SecretValue value = value(request).orElseThrow(() -> new AwsServiceError("InvalidParameterException",
                "You must provide either SecretString or SecretBinary."));
        List<String> stages = new ArrayList<>();
        request.path("VersionStages").forEach(stage -> stages.add(stage.asText()));
        if (stages.isEmpty()) {
            stages.add(CURRENT);
        }
        Version version = addVersion(secret, token(request), value, stages);
        ObjectNode response = identity(secret).put("VersionId", version.id);
        stages(response.putArray("VersionStages"), version);
        return response;
    }

    private synchronized ObjectNode updateSecret(ObjectNode request) {
        Secret secret = active(required(request, "SecretId"));
        Optional<SecretValue> value = value(request);
        String description = text(request, "Description");
        String kmsKeyId = text(request, "KmsKeyId");
        if (description != null) {
            secret.description = description;
        }
        if (kmsKeyId != null) {
            secret.kmsKeyId = kmsKeyId;
        }
        secret.lastChanged = clock.instant();
        ObjectNode response = identity(secret);
        value.ifPresent(v -> response.put("VersionId", addVersion(secret, token(request), v, List.of(CURRENT)).id));
        return response;
    }

    private synchronized ObjectNode describeSecret(ObjectNode request) {
        return describe(existing(required(request, "SecretId")));
    }

    private synchronized ObjectNode listSecrets(ObjectNode request) {
        int maxResults = request.path("MaxResults").asInt(100);
        if (maxResults < 1 || maxResults > 100) {
            throw new AwsServiceError("InvalidParameterException", "MaxResults must be between 1 and 100.");
        }
        boolean includeDeleted = request.path("IncludePlannedDeletion").asBoolean(false);
        Predicate<Secret> filter = filters(request.path("Filters"));
        List<Secret> matching = new ArrayList<>();
        for (Secret secret : liveSecrets()) {
            if ((includeDeleted || secret.deletionDate == null) && filter.test(secret)) {
                matching.add(secret);
            }
        }
        matching.sort(Comparator.comparing((Secret s) -> s.created));
        if ("desc".equalsIgnoreCase(text(request, "SortOrder"))) {
            matching = matching.reversed();
        }
        int offset = offset(text(request, "NextToken"));
        ObjectNode response = json.createObjectNode();
        ArrayNode list = response.putArray("SecretList");
        int end = Math.min(matching.size(), offset + maxResults);
        for (Secret secret : matching.subList(Math.min(offset, end), end)) {
            ObjectNode entry = describe(secret);
            entry.set("SecretVersionsToStages", entry.remove("VersionIdsToStages"));
            list.add(entry);
        }
        if (end < matching.size()) {
            response.put("NextToken", Base64.getEncoder().encodeToString(Integer.toString(end).getBytes(StandardCharsets.UTF_8)));
        }
        return response;
    }

    private synchronized ObjectNode deleteSecret(ObjectNode request) {
        Secret secret = existing(required(request, "SecretId"));
        boolean force = request.path("ForceDeleteWithoutRecovery").asBoolean(false);
        JsonNode window = request.get("RecoveryWindowInDays");
        if (force && window != null && !window.isNull()) {
            throw new AwsServiceError("InvalidParameterException",
                    "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
        }
        Instant now = clock.instant();
        if (force) {
            secrets.remove(secret.name);
            return identity(secret).put("DeletionDate", seconds(now));
        }
        long days = window == null || window.isNull() ? 30 : window.asLong();
        if (days < 7 || days > 30) {
            throw new AwsServiceError("InvalidParameterException",
                    "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
        }
        if (secret.deletionDate != null) {
            throw new AwsServiceError("InvalidRequestException",
                    "You can't perform this operation on the secret because it was already scheduled for deletion.");
        }
        secret.deletionDate = now.plus(Duration.ofDays(days));
        return identity(secret).put("DeletionDate", seconds(secret.deletionDate));
    }

    private synchronized ObjectNode restoreSecret(ObjectNode request) {
        Secret secret = existing(required(request, "SecretId"));
        secret.deletionDate = null;
        return identity(secret);
    }

    // ---------------------------------------------------------------- state

    /**
     * Adds a version with the given staging labels. AWSCURRENT moving to it makes the former current version
     * AWSPREVIOUS; the first version of a secret is always AWSCURRENT.
     */
    private Version addVersion(Secret secret, String token, SecretValue value, List<String> stages) {
        Version existing = secret.versions.get(token);
        if (existing != null) {
            if (existing.value.equals(value)) {
                return existing; // an idempotent retry
            }
            throw new AwsServiceError("ResourceExistsException", "You can't modify an existing version, you can only create a new version.");
        }
        Instant now = clock.instant();
        Version version = new Version(token, value, now);
        Set<String> labels = new LinkedHashSet<>(stages);
        if (secret.versions.isEmpty()) {
            labels.add(CURRENT);
        }
        secret.versions.put(token, version);
        for (String label : labels) {
            moveStage(secret, label, version);
        }
        secret.lastChanged = now;
        return version;
    }

    private static void moveStage(Secret secret, String label, Version target) {
        Optional<Version> holder = secret.withStage(label);
        holder.ifPresent(version -> version.stages.remove(label));
        if (CURRENT.equals(label) && holder.isPresent() && holder.get() != target) {
            secret.withStage(PREVIOUS).ifPresent(version -> version.stages.remove(PREVIOUS));
            holder.get().stages.add(PREVIOUS);
        }
        target.stages.add(label);
    }

    /** The secret named or ARN'd by {@code id}, even if scheduled for deletion. */
    private Secret existing(String id) {
        Secret secret = find(id);
        if (secret == null) {
            throw new AwsServiceError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
        }
        return secret;
    }

    /** The secret named or ARN'd by {@code id}, which must not be scheduled for deletion. */
    private Secret active(String id) {
        Secret secret = existing(id);
        if (secret.deletionDate != null) {
            throw new AwsServiceError("InvalidRequestException",
                    "You can't perform this operation on the secret because it was marked for deletion.");
        }
        return secret;
    }

    /** By name, full ARN, or partial ARN (without the random suffix), as the service accepts. */
    private Secret find(String id) {
        for (Secret secret : liveSecrets()) {
            if (secret.name.equals(id) || secret.arn.equals(id) || secret.partialArn().equals(id)) {
                return secret;
            }
        }
        return null;
    }

    /** All secrets, after removing those whose recovery window has ended (as the service purges them). */
    private List<Secret> liveSecrets() {
        Instant now = clock.instant();
        for (Iterator<Secret> it = secrets.values().iterator(); it.hasNext(); ) {
            Instant deletion = it.next().deletionDate;
            if (deletion != null && !deletion.isAfter(now)) {
                it.remove();
            }
        }
        return List.copyOf(secrets.values());
    }

    private String arn(String name) {
        char[] suffix = new char[6];
        for (int i = 0; i < suffix.length; i++) {
            suffix[i] = ARN_SUFFIX_ALPHABET[random.nextInt(ARN_SUFFIX_ALPHABET.length)];
        }
        return "arn:aws:secretsmanager:" + region + ":" + accountId + ":secret:" + name + "-" + new String(suffix);
    }

    // ---------------------------------------------------------------- request and response shapes

    private static String required(ObjectNode request, String field) {
        String value = text(request, field);
        if (value == null || value.isEmpty()) {
            throw new AwsServiceError("ValidationException", "1 validation error detected: Value null at '"
                    + Character.toLowerCase(field.charAt(0)) + field.substring(1) + "' failed to satisfy constraint: Member must not be null");
        }
        return value;
    }

    private static String text(ObjectNode request, String field) {
        JsonNode node = request.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    private String token(ObjectNode request) {
        String token = text(request, "ClientRequestToken");
        if (token == null) {
            return UUID.randomUUID().toString();
        }
        if (!TOKEN.matcher(token).matches()) {
            throw new AwsServiceError("InvalidParameterException", "ClientRequestToken must be 32-64 characters long.");
        }
        return token;
    }

    private static Optional<SecretValue> value(ObjectNode request) {
        String string = text(request, "SecretString");
        String binary = text(request, "SecretBinary");
        if (string != null && binary != null) {
            throw new AwsServiceError("InvalidParameterException",
                    "You can't specify both a binary secret value and a string secret value in the same secret.");
        }
        if (string == null && binary == null) {
            return Optional.empty();
        }
        SecretValue value;
        if (string != null) {
            value = new SecretValue(string, null);
        } else {
            try {
                value = new SecretValue(null, Base64.getDecoder().decode(binary));
            } catch (IllegalArgumentException e) {
                throw new AwsServiceError("SerializationException", "SecretBinary is not valid base64");
            }
        }
        if (value.size() > MAX_SECRET_BYTES) {
            throw new AwsServiceError("InvalidParameterException", "The secret value is larger than 65536 bytes.");
        }
        return Optional.of(value);
    }

    private ObjectNode identity(Secret secret) {
        return json.createObjectNode().put("ARN", secret.arn).put("Name", secret.name);
    }

    private ObjectNode describe(Secret secret) {
        ObjectNode response = identity(secret);
        if (secret.description != null) {
            response.put("Description", secret.description);
        }
        if (secret.kmsKeyId != null) {
            response.put("KmsKeyId", secret.kmsKeyId);
        }
        response.put("RotationEnabled", false);
        date(response, "CreatedDate", secret.created);
        date(response, "LastChangedDate", secret.lastChanged);
        date(response, "LastAccessedDate", secret.lastAccessed);
        date(response, "DeletedDate", secret.deletionDate);
        if (!secret.tags.isEmpty()) {
            ArrayNode tags = response.putArray("Tags");
            secret.tags.forEach((key, value) -> tags.addObject().put("Key", key).put("Value", value));
        }
        ObjectNode versions = response.putObject("VersionIdsToStages");
        secret.versions.values().stream()
                .filter(version -> !version.stages.isEmpty())
                .forEach(version -> stages(versions.putArray(version.id), version));
        return response;
    }

    private static void stages(ArrayNode array, Version version) {
        version.stages.forEach(array::add);
    }

    private static void date(ObjectNode node, String field, Instant instant) {
        if (instant != null) {
            node.put(field, seconds(instant));
        }
    }

    /** JSON 1.1 timestamps are epoch seconds with a fraction. */
    private static BigDecimal seconds(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli(), 3);
    }

    private static Predicate<Secret> filters(JsonNode filters) {
        Predicate<Secret> all = secret -> true;
        for (JsonNode filter : filters) {
            String key = filter.path("Key").asText();
            Predicate<Secret> any = secret -> false;
            for (JsonNode valueNode : filter.path("Values")) {
                String value = valueNode.asText();
                boolean negated = value.startsWith("!");
                String prefix = negated ? value.substring(1) : value;
                Predicate<Secret> match = secret -> matches(secret, key, prefix);
                any = any.or(negated ? match.negate() : match);
            }
            all = all.and(any);
        }
        return all;
    }

    private static boolean matches(Secret secret, String key, String prefix) {
        return switch (key) {
            case "name" -> secret.name.startsWith(prefix);
            case "description" -> secret.description != null && secret.description.startsWith(prefix);
            case "tag-key" -> secret.tags.keySet().stream().anyMatch(k -> k.startsWith(prefix));
            case "tag-value" -> secret.tags.values().stream().anyMatch(v -> v.startsWith(prefix));
            case "all" -> matches(secret, "name", prefix) || matches(secret, "description", prefix)
                    || matches(secret, "tag-key", prefix) || matches(secret, "tag-value", prefix);
            default -> throw new AwsServiceError("InvalidParameterException", "Invalid filter key: " + key);
        };
    }

    private static int offset(String nextToken) {
        if (nextToken == null) {
            return 0;
        }
        try {
            return Integer.parseInt(new String(Base64.getDecoder().decode(nextToken), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new AwsServiceError("InvalidNextTokenException", "The NextToken value is invalid.");
        }
    }

    // ---------------------------------------------------------------- model

    private static final class Secret {
        final String name;
        final String arn;
        final Instant created;
        final Map<String, String> tags = new LinkedHashMap<>();
        /** By version id, oldest first. */
        final Map<String, Version> versions = new LinkedHashMap<>();
        String description;
        String kmsKeyId;
        Instant lastChanged;
        Instant lastAccessed;
        /** When a scheduled deletion takes effect; null while the secret is not scheduled for deletion. */
        Instant deletionDate;

        Secret(String name, String arn, Instant created) {
            this.name = name;
            this.arn = arn;
            this.created = created;
            this.lastChanged = created;
        }

        String partialArn() {
            return arn.substring(0, arn.length() - 7);
        }

        Optional<Version> withStage(String label) {
            return versions.values().stream().filter(version -> version.stages.contains(label)).findFirst();
        }
    }

    private static final class Version {
        final String id;
        final SecretValue value;
        final Instant created;
        final Set<String> stages = new LinkedHashSet<>();

        Version(String id, SecretValue value, Instant created) {
            this.id = id;
            this.value = value;
            this.created = created;
        }
    }

    /** Exactly one of the two is set. Deliberately without a toString: it is a secret. */
    private static final class SecretValue {
        private final String string;
        private final byte[] binary;

        SecretValue(String string, byte[] binary) {
            this.string = string;
            this.binary = binary;
        }

        int size() {
            return string != null ? string.getBytes(StandardCharsets.UTF_8).length : binary.length;
        }

        void writeTo(ObjectNode response) {
            if (string != null) {
                response.put("SecretString", string);
            } else {
                response.put("SecretBinary", Base64.getEncoder().encodeToString(binary));
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof SecretValue that && Objects.equals(string, that.string) && Arrays.equals(binary, that.binary);
        }

        @Override
        public int hashCode() {
            return Objects.hash(string, Arrays.hashCode(binary));
        }

        @Override
        public String toString() {
            return "SecretValue[redacted]";
        }
    }
}

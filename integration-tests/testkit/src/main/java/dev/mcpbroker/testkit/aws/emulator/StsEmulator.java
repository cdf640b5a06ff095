package dev.mcpbroker.testkit.aws.emulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AWS STS, emulated in memory over its wire protocol (the Query protocol: form-encoded {@code Action=...} in,
 * XML in the {@code https://sts.amazonaws.com/doc/2011-06-15/} namespace out), so that the real SDK client drives it.
 * Implements GetCallerIdentity and AssumeRole. Credentials issued by AssumeRole are remembered, so that
 * GetCallerIdentity signed with them answers with the assumed role, as the service does.
 */
public final class StsEmulator implements HttpHandler {

    private static final String NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):role/(?:[\\w+=,.@-]+/)*([\\w+=,.@-]{1,64})");
    private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");
    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
    private static final String UPPER_ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final Duration DEFAULT_DURATION = Duration.ofHours(1);

    private final SecureRandom random = new SecureRandom();
    private final String defaultAccountId;
    private final Clock clock;
    /** Sessions by the access key id issued for them. */
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    private record Session(String account, String arn, String userId, Instant expiration) {
    }

    /**
     * @param defaultAccountId the account of callers whose access key id is not a 12-digit account id (the same
     *                         convention as kinesis-local and LocalStack)
     */
    public StsEmulator(String defaultAccountId, Clock clock) {
        this.defaultAccountId = Objects.requireNonNull(defaultAccountId);
        this.clock = Objects.requireNonNull(clock);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String requestId = UUID.randomUUID().toString();
            int status = 200;
            String xml;
            try {
                xml = dispatch(exchange, requestId);
            } catch (AwsServiceError error) {
                status = error.status();
                xml = errorXml(error, requestId);
            } catch (RuntimeException unexpected) {
                status = 500;
                xml = errorXml(new AwsServiceError("InternalFailure", 500, String.valueOf(unexpected)), requestId);
            }
            byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/xml");
            exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private String dispatch(HttpExchange exchange, String requestId) throws IOException {
        String accessKeyId = SignedRequest.accessKeyId(exchange);
        Map<String, String> parameters = parameters(exchange);
        String action = parameters.getOrDefault("Action", "");
        return switch (action) {
            case "GetCallerIdentity" -> getCallerIdentity(accessKeyId, requestId);
            case "AssumeRole" -> assumeRole(parameters, requestId);
            case "" -> throw new AwsServiceError("MissingAction", "Missing Action");
            default -> throw new AwsServiceError("InvalidAction",
                    "Could not find operation " + action + " for version " + parameters.get("Version"));
        };
    }

    private String getCallerIdentity(String accessKeyId, String requestId) {
        Session session = sessions.get(accessKeyId);
        String account;
        String arn;
        String userId;
        if (session != null) {
            if (!session.expiration().isAfter(clock.instant())) {
                throw new AwsServiceError("ExpiredToken", 403, "The security token included in the request is expired");
            }
            account = session.account();
            arn = session.arn();
            userId = session.userId();
        } else {
            // Long-term test credentials act as the account's root user.
            account = ACCOUNT_ID.matcher(accessKeyId).matches() ? accessKeyId : defaultAccountId;
            arn = "arn:aws:iam::" + account + ":root";
            userId = account;
        }
        return response("GetCallerIdentity", requestId,
                element("Arn", arn) + element("UserId", userId) + element("Account", account));
    }

    private String assumeRole(Map<String, String> parameters, String requestId) {
        String roleArn = required(parameters, "RoleArn", "roleArn");
        String sessionName = required(parameters, "RoleSessionName", "roleSessionName");
        Matcher role = ROLE_ARN.matcher(roleArn);
        if (!role.matches()) {
            throw new AwsServiceError("ValidationError", roleArn + " is invalid");
        }
        if (!SESSION_NAME.matcher(sessionName).matches()) {
            throw new AwsServiceError("ValidationError", "1 validation error detected: Value '" + sessionName
                    + "' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
                    + " and have length between 2 and 64");
        }
        Duration duration = duration(parameters.get("DurationSeconds"));
        String account = role.group(1);
        String roleName = role.group(2);
        String assumedRoleId = "AROA" + stableId(roleArn) + ":" + sessionName;
        String assumedRoleArn = "arn:aws:sts::" + account + ":assumed-role/" + roleName + "/" + sessionName;
        Instant expiration = clock.instant().plus(duration).truncatedTo(ChronoUnit.SECONDS);
        String accessKeyId = "ASIA" + randomString(UPPER_ALPHANUMERIC, 16);
        sessions.put(accessKeyId, new Session(account, assumedRoleArn, assumedRoleId, expiration));
        String credentials = element("AccessKeyId", accessKeyId)
                + element("SecretAccessKey", randomBase64(30))
                + element("SessionToken", randomBase64(240))
                + element("Expiration", DateTimeFormatter.ISO_INSTANT.format(expiration));
        return response("AssumeRole", requestId,
                "<AssumedRoleUser>" + element("Arn", assumedRoleArn) + element("AssumedRoleId", assumedRoleId) + "</AssumedRoleUser>"
                        + "<Credentials>" + credentials + "</Credentials>");
    }

    // ---------------------------------------------------------------- protocol

    /** Query-protocol parameters: the form body of a POST, or the query string of a GET. */
    private static Map<String, String> parameters(HttpExchange exchange) throws IOException {
        String encoded = "POST".equals(exchange.getRequestMethod())
                ? new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                : exchange.getRequestURI().getRawQuery();
        Map<String, String> parameters = new HashMap<>();
        if (encoded == null || encoded.isBlank()) {
            return parameters;
        }
        for (String pair : encoded.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            parameters.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return parameters;
    }

    private static String required(Map<String, String> parameters, String name, String member) {
        String value = parameters.get(name);
        if (value == null || value.isEmpty()) {
            throw new AwsServiceError("ValidationError", "1 validation error detected: Value null at '" + member
                    + "' failed to satisfy constraint: Member must not be null");
        }
        return value;
    }

    private static Duration duration(String seconds) {
        if (seconds == null) {
            return DEFAULT_DURATION;
        }
        long value;
        try {
            value = Long.parseLong(seconds);
        } catch (NumberFormatException e) {
            throw new AwsServiceError("ValidationError", "DurationSeconds must be a number");
        }
        if (value < 900 || value > 43_200) {
            throw new AwsServiceError("ValidationError", "1 validation error detected: Value '" + value
                    + "' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200");
        }
        return Duration.ofSeconds(value);
    }

    private static String response(String action, String requestId, String result) {
        return "<" + action + "Response xmlns=\"" + NAMESPACE + "\">"
                + "<" + action + "Result>" + result + "</" + action + "Result>"
                + "<ResponseMetadata>" + element("RequestId", requestId) + "</ResponseMetadata>"
                + "</" + action + "Response>";
    }

    private static String errorXml(AwsServiceError error, String requestId) {
        String type = error.status() >= 500 ? "Receiver" : "Sender";
        return "<ErrorResponse xmlns=\"" + NAMESPACE + "\"><Error>" + element("Type", type) + element("Code", error.code())
                + element("Message", error.getMessage()) + "</Error>" + element("RequestId", requestId) + "</ErrorResponse>";
    }

    private static String element(String name, String text) {
        return "<" + name + ">" + escape(text) + "</" + name + ">";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&apos;");
    }

    // ---------------------------------------------------------------- identifiers

    /** A role's unique id is stable for the role, as in IAM. */
    private static String stableId(String roleArn) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(roleArn.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 17; i++) {
            id.append(UPPER_ALPHANUMERIC.charAt((digest[i] & 0xff) % UPPER_ALPHANUMERIC.length()));
        }
        return id.toString();
    }

    private String randomString(String alphabet, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private String randomBase64(int bytes) {
        byte[] data = new byte[bytes];
        random.nextBytes(data);
        return Base64.getEncoder().encodeToString(data);
    }
}

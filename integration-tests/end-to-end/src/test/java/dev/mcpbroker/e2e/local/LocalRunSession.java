package dev.mcpbroker.e2e.local;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/** What a user takes from a local run's banner: endpoints, token, and the commands printed ready to paste. */
record LocalRunSession(String text) {

    private static final Pattern ASSIGNMENT = Pattern.compile("([A-Z_]+)=(\\S+)");

    /** The MCP endpoint listed for {@code server}. */
    URI endpoint(String server) {
        return URI.create(find("(?m)^ {4}" + Pattern.quote(server) + " +(http://\\S+)"));
    }

    /** The dev token. */
    String token() {
        return find("export MCP_BROKER_TOKEN=(\\S+)");
    }

    /** The curl commands of the state-changing call and its outcome, as printed. */
    String curlCommands() {
        return block("A state-changing call with an Idempotency-Key");
    }

    /** The {@code export} lines printed for {@code scripts/admin.sh}. */
    String adminExports() {
        return String.join("\n", lines().stream().filter(line -> line.startsWith("    export ") && !line.contains("MCP_BROKER_TOKEN"))
                .map(String::strip).toList());
    }

    /** The printed audit-verify command line. */
    String auditVerifyCommand() {
        return lines().stream().filter(line -> line.contains("scripts/audit-verify.sh")).findFirst().orElseThrow().strip();
    }

    /** The state table, read with the printed admin environment. */
    LocalRunOutbox outbox() {
        Map<String, String> env = assignments(adminExports());
        DynamoDbClient dynamoDb = DynamoDbClient.builder().region(Region.of(env.get("AWS_REGION")))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(env.get("AWS_ACCESS_KEY_ID"),
                        env.get("AWS_SECRET_ACCESS_KEY"))))
                .endpointOverride(URI.create(env.get("AWS_ENDPOINT_URL_DYNAMODB")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        return new LocalRunOutbox(dynamoDb, env.get("BROKER_SESSION_TABLE"));
    }

    /** The audit stream, with the printed environment of the audit-verify command: as the audit account. */
    KinesisClient auditKinesis() {
        Map<String, String> env = assignments(auditVerifyCommand());
        return KinesisClient.builder().region(Region.of(env.get("AWS_REGION")))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(env.get("AWS_ACCESS_KEY_ID"),
                        env.get("AWS_SECRET_ACCESS_KEY"))))
                .endpointOverride(URI.create(env.get("AWS_ENDPOINT_URL_KINESIS")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    private List<String> lines() {
        return text.lines().toList();
    }

    /** The indented lines after the heading that starts with {@code heading}, up to the next blank line. */
    private String block(String heading) {
        List<String> lines = lines();
        int start = 0;
        while (!lines.get(start).strip().startsWith(heading)) {
            start++;
        }
        StringBuilder commands = new StringBuilder();
        for (int i = start + 1; i < lines.size() && !lines.get(i).isBlank(); i++) {
            commands.append(lines.get(i).strip()).append('\n');
        }
        return commands.toString();
    }

    private String find(String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        if (!matcher.find()) {
            throw new AssertionError("the banner has no match for " + regex + ":\n" + text);
        }
        return matcher.group(1);
    }

    private static Map<String, String> assignments(String text) {
        Map<String, String> env = new LinkedHashMap<>();
        Matcher matcher = ASSIGNMENT.matcher(text);
        while (matcher.find()) {
            env.put(matcher.group(1), matcher.group(2));
        }
        return env;
    }
}

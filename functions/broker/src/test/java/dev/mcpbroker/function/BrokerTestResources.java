package dev.mcpbroker.function;

import dev.mcpbroker.sessiontable.SessionTableSetup;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import dev.mcpbroker.testkit.upstream.DemoUpstream;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentials;

/**
 * Real components for the function's tests: DynamoDB (DynamoDB Local or LocalStack) and the demo
 * payments server as a separate process. Nothing is mocked.
 */
public class BrokerTestResources implements QuarkusTestResourceLifecycleManager {

    static final String TABLE = "broker-function-test";
    static final String PAYMENTS = "payments";
    static final String DOWN = "down";

    private static DemoUpstream payments;

    /** The demo upstream the function under test talks to. */
    static DemoUpstream payments() {
        return payments;
    }

    @Override
    public Map<String, String> start() {
        AwsEnvironment aws = AwsEnvironment.shared();
        SessionTableSetup.ensureTable(aws.dynamoDb(), TABLE);
        payments = DemoUpstream.start();
        AwsCredentials credentials = aws.credentials().resolveCredentials();
        // The SDK's default chain reads these system properties, as it reads the environment in Lambda.
        System.setProperty("aws.accessKeyId", credentials.accessKeyId());
        System.setProperty("aws.secretAccessKey", credentials.secretAccessKey());
        return Map.of(
                "broker.aws.region", aws.region().id(),
                "broker.aws.dynamodb.endpoint", aws.dynamoDbEndpoint().toString(),
                "broker.session.table", TABLE,
                "broker.upstreams." + PAYMENTS + ".url", payments.mcpEndpoint().toString(),
                // Nothing listens on port 9 of the loopback: connections are refused at once.
                "broker.upstreams." + DOWN + ".url", "http://127.0.0.1:9/mcp",
                "broker.limits.max-body-bytes", "65536");
    }

    @Override
    public void stop() {
        if (payments != null) {
            payments.close();
        }
    }
}

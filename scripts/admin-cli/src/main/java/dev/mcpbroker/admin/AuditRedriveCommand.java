package dev.mcpbroker.admin;

import dev.mcpbroker.admin.Arguments.UsageException;
import dev.mcpbroker.auditstream.KinesisAuditPublisher;
import dev.mcpbroker.core.audit.AuditForwarder;
import dev.mcpbroker.core.audit.AuditRedrive;
import dev.mcpbroker.core.telemetry.BrokerMetrics;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditBacklog;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditOutbox;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * {@code admin.sh audit-redrive}: puts the outbox events the forwarder never delivered on the audit stream, chain by
 * chain in sequence order, through the same forwarder and publisher code as the forwarder function, and marks them
 * delivered ({@link AuditRedrive}). Run it with credentials of the broker stack's {@code AuditRedriveRoleArn}: the
 * audit account's stream admits that role and the forwarder's, nobody else.
 */
final class AuditRedriveCommand {

    static final String STREAM_ENV = "BROKER_AUDIT_STREAM_ARN";
    /** Younger events are probably still in the forwarder's hands (it retries a failing batch for hours). */
    static final Duration DEFAULT_MIN_AGE = Duration.ofMinutes(15);

    private final DynamoDbClient dynamoDb;
    private final String sessionTable;
    private final Supplier<KinesisClient> kinesis;
    private final Map<String, String> env;
    private final Clock clock;
    private final PrintStream out;

    AuditRedriveCommand(DynamoDbClient dynamoDb, String sessionTable, Supplier<KinesisClient> kinesis,
                        Map<String, String> env, Clock clock, PrintStream out) {
        this.dynamoDb = dynamoDb;
        this.sessionTable = sessionTable;
        this.kinesis = kinesis;
        this.env = env;
        this.clock = clock;
        this.out = out;
    }

    /** Returns the exit status: 0 everything due was delivered, 1 some chain is stuck. */
    int run(Arguments a) {
        String stream = a.option("--stream-arn", env.get(STREAM_ENV));
        if (stream == null || stream.isBlank()) {
            throw new UsageException("audit-redrive needs --stream-arn or " + STREAM_ENV);
        }
        Duration minAge;
        try {
            minAge = Duration.parse(a.option("--min-age", DEFAULT_MIN_AGE.toString()));
        } catch (DateTimeParseException e) {
            throw new UsageException("--min-age is an ISO-8601 duration, e.g. PT15M");
        }
        if (minAge.isNegative()) {
            throw new UsageException("--min-age must not be negative");
        }
        a.requireAllUsed();
        DynamoDbAuditOutbox outbox = new DynamoDbAuditOutbox(dynamoDb, sessionTable);
        AuditForwarder forwarder = new AuditForwarder(new KinesisAuditPublisher(kinesis.get(), stream), outbox,
                BrokerMetrics.NONE, clock);
        AuditRedrive.Result result = new AuditRedrive(outbox, new DynamoDbAuditBacklog(dynamoDb, sessionTable), forwarder, clock)
                .redrive(minAge);
        out.println("re-drove " + result.redelivered() + " event(s) of " + result.chains() + " chain(s) with undelivered events");
        if (result.waiting() > 0) {
            out.println(result.waiting() + " chain(s) left to the forwarder: their next event is younger than " + minAge);
        }
        result.stuck().forEach(s -> out.println("STUCK session " + s.chainKey() + " at seq " + s.seq() + ": " + s.reason()));
        return result.stuck().isEmpty() ? 0 : 1;
    }
}

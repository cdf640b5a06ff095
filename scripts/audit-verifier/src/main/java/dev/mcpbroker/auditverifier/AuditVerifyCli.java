package dev.mcpbroker.auditverifier;

import dev.mcpbroker.auditverifier.VerifyOptions.UsageException;
import dev.mcpbroker.core.audit.AuditChain;
import dev.mcpbroker.core.audit.AuditChainReport;
import dev.mcpbroker.core.audit.AuditChainVerifier;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditEventCodec;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.sessiontable.audit.DynamoDbAuditChainHeads;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@code scripts/audit-verify.sh}: reads the audit trail — every record of the audit stream, and/or every object of
 * its S3 archive — and verifies each session's hash chain ({@link AuditChainVerifier}): gaps, duplicates, reordering,
 * tampering, intents without their outcome, and, given the broker's state table, chains whose tail never arrived.
 * Endpoint, region and credentials come from the AWS SDK's own environment ({@code AWS_REGION}, {@code AWS_PROFILE},
 * {@code AWS_ENDPOINT_URL_KINESIS}, {@code AWS_ENDPOINT_URL_S3}, {@code AWS_ENDPOINT_URL_DYNAMODB} for emulators).
 *
 * <p>Exit status: 0 every chain is intact, 1 problems were found (or a source could not be read completely), 2 usage.
 */
public final class AuditVerifyCli {

    static final String USAGE = """
            usage: audit-verify.sh [--stream <name>] [--archive s3://<bucket>/<prefix>] [--heads-table <table>]
                                   [--in-flight PT15M] [--outbox-retention P7D] [--max-seconds <n>] [--strict]

              Reads the audit trail and checks each session's hash chain: gaps, duplicates, reordering, tampering,
              broken links, every INTENT paired with its OUTCOME, and truncated chains.

              --stream <name>       the Kinesis stream (all shards, from TRIM_HORIZON until caught up);
                                    default: $BROKER_AUDIT_STREAM when no --archive is given
              --archive s3://...    the S3 archive Firehose writes (GZIP'd JSON lines), every object under the prefix;
                                    with --stream too, an event found in both is one event
              --heads-table <t>     the broker's state table (StateTableName): each chain's head in the outbox; a
                                    chain whose events stop before its head is TRUNCATED (broker-account credentials)
              --in-flight PT15M     intents and heads younger than this may still be on their way: not judged
              --outbox-retention P7D  the broker's broker.audit.outbox-retention (dates a head's last append)
              --max-seconds <n>     stop reading the stream after n seconds (default 300); an incomplete read exits 1
              --strict              exact duplicates (at-least-once re-deliveries) count as problems too

            exit status: 0 clean, 1 problems or incomplete read, 2 usage
            AWS: AWS_REGION and credentials as for the AWS CLI; AWS_ENDPOINT_URL_KINESIS / _S3 / _DYNAMODB for emulators.
            """;

    private final Supplier<KinesisClient> kinesis;
    private final Supplier<S3Client> s3;
    private final Supplier<DynamoDbClient> dynamoDb;
    private final Map<String, String> env;
    private final Clock clock;
    private final PrintStream out;

    /** A verifier of the stream only. */
    public AuditVerifyCli(KinesisClient kinesis, Map<String, String> env, Clock clock, PrintStream out) {
        this(() -> kinesis, () -> {
            throw new IllegalStateException("no S3 client");
        }, () -> {
            throw new IllegalStateException("no DynamoDB client");
        }, env, clock, out);
    }

    /** Clients are asked for only when the command line needs their service. */
    public AuditVerifyCli(Supplier<KinesisClient> kinesis, Supplier<S3Client> s3, Supplier<DynamoDbClient> dynamoDb,
                          Map<String, String> env, Clock clock, PrintStream out) {
        this.kinesis = Objects.requireNonNull(kinesis, "kinesis");
        this.s3 = Objects.requireNonNull(s3, "s3");
        this.dynamoDb = Objects.requireNonNull(dynamoDb, "dynamoDb");
        this.env = Map.copyOf(env);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.out = Objects.requireNonNull(out, "out");
    }

    public static void main(String[] args) {
        int status;
        try (AwsClients clients = new AwsClients(System.getenv())) {
            status = new AuditVerifyCli(clients::kinesis, clients::s3, clients::dynamoDb, System.getenv(), Clock.systemUTC(),
                    System.out).run(args, System.err);
        } catch (SdkClientException e) {
            // No region, no credentials or no connection: say so in one line, not with the SDK's stack trace.
            System.err.println("audit-verify: cannot reach AWS (check AWS_REGION, credentials, and the "
                    + "AWS_ENDPOINT_URL_* variables for emulators): " + e.getMessage().lines().findFirst().orElse(""));
            status = 1;
        }
        System.exit(status);
    }

    /** Verifies what the arguments name; returns the exit status (0 clean, 1 problems, 2 usage). */
    public int run(String[] args, PrintStream err) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("help"))) {
            out.print(USAGE);
            return 0;
        }
        VerifyOptions options;
        try {
            options = VerifyOptions.parse(args, env);
        } catch (UsageException e) {
            err.println("audit-verify: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        return verify(options, err);
    }

    private int verify(VerifyOptions options, PrintStream err) {
        Instant now = clock.instant();
        Instant inFlightSince = now.minus(options.inFlight());
        AuditEventCodec codec = new AuditEventCodec();
        AuditChainVerifier verifier = new AuditChainVerifier(new AuditChain(codec), options.strict(), inFlightSince);
        boolean complete = true;
        // Heads first: every event up to a head read now was recorded before the sources are read.
        if (options.headsTable() != null && !readHeads(options, inFlightSince, verifier, err)) {
            return 1;
        }
        if (options.stream() != null) {
            Boolean read = readStream(options, verifier, codec, err);
            if (read == null) {
                return 1;
            }
            complete = read;
        }
        if (options.archiveBucket() != null) {
            try {
                S3ArchiveReader.Result read = new S3ArchiveReader(s3.get()).read(options.archiveBucket(), options.archivePrefix(),
                        record -> accept(verifier, codec, record.location(), record.data(), "archive"), verifier::acceptUndecodable);
                out.println("archive s3://" + options.archiveBucket() + "/" + options.archivePrefix() + ": " + read.objects()
                        + " object(s), " + read.records() + " record(s) read");
            } catch (S3Exception e) {
                err.println("audit-verify: S3 refused: " + e.awsErrorDetails().errorMessage());
                return 1;
            }
        }
        AuditChainReport report = verifier.report();
        out.print(report.render());
        if (!complete) {
            out.println("read incomplete: stopped after " + options.maxTime().toSeconds() + " s with shard(s) not read to their"
                    + " tip; gaps may be reads not done");
            return 1;
        }
        return report.clean() ? 0 : 1;
    }

    /** Whether the heads could be read. */
    private boolean readHeads(VerifyOptions options, Instant inFlightSince, AuditChainVerifier verifier, PrintStream err) {
        List<DynamoDbAuditChainHeads.Head> heads;
        try {
            heads = new DynamoDbAuditChainHeads(dynamoDb.get(), options.headsTable(), options.outboxRetention()).read();
        } catch (StoreUnavailableException e) {
            err.println("audit-verify: the chain heads in '" + options.headsTable() + "' could not be read: " + e.getMessage());
            return false;
        }
        Map<String, Long> settled = new LinkedHashMap<>();
        heads.stream().filter(head -> head.lastAppend().isBefore(inFlightSince))
                .forEach(head -> settled.put(head.chainKey(), head.seq()));
        verifier.expectHeads(settled);
        out.println("heads " + options.headsTable() + ": " + heads.size() + " chain(s), " + (heads.size() - settled.size())
                + " appended to in the last " + options.inFlight() + " (not checked for truncation)");
        return true;
    }

    /** Whether the stream was read to its tip; null when it could not be read at all. */
    private Boolean readStream(VerifyOptions options, AuditChainVerifier verifier, AuditEventCodec codec, PrintStream err) {
        KinesisStreamReader.Result read;
        try {
            read = new KinesisStreamReader(kinesis.get(), clock).read(options.stream(), clock.instant().plus(options.maxTime()),
                    record -> accept(verifier, codec, record.location(), record.data(), "stream"));
        } catch (ResourceNotFoundException e) {
            err.println("audit-verify: stream '" + options.stream() + "' does not exist");
            return null;
        } catch (KinesisException e) {
            err.println("audit-verify: Kinesis refused: " + e.awsErrorDetails().errorMessage());
            return null;
        }
        out.println("stream " + options.stream() + ": " + read.shards() + " shard(s), " + read.records() + " record(s) read"
                + (read.complete() ? "" : ", INCOMPLETE (shard(s) " + read.pending() + ")"));
        return read.complete();
    }

    private static void accept(AuditChainVerifier verifier, AuditEventCodec codec, String location, byte[] data, String source) {
        AuditEvent event;
        try {
            event = codec.decode(data);
        } catch (AuditEventCodec.MalformedEventException e) {
            verifier.acceptUndecodable(location, e.getMessage());
            return;
        }
        verifier.accept(event, source);
    }
}

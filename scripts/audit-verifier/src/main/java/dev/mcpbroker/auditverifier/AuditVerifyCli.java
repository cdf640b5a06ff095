package dev.mcpbroker.auditverifier;

import dev.mcpbroker.core.audit.AuditChain;
import dev.mcpbroker.core.audit.AuditChainReport;
import dev.mcpbroker.core.audit.AuditChainVerifier;
import dev.mcpbroker.core.audit.AuditEvent;
import dev.mcpbroker.core.audit.AuditEventCodec;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

/**
 * {@code scripts/audit-verify.sh}: reads every record of the audit stream and verifies each session's hash chain
 * ({@link AuditChainVerifier}). Endpoint, region and credentials come from the AWS SDK's own environment
 * ({@code AWS_REGION}, {@code AWS_PROFILE}, {@code AWS_ENDPOINT_URL_KINESIS} for an emulator); the stream from
 * {@code --stream} or {@code BROKER_AUDIT_STREAM}.
 *
 * <p>Exit status: 0 every chain is intact, 1 problems were found (or the stream could not be read completely), 2
 * usage.
 */
public final class AuditVerifyCli {

    static final String USAGE = """
            usage: audit-verify.sh [--stream <name>] [--max-seconds <n>] [--strict]

              Reads every record of the audit stream (all shards, from TRIM_HORIZON until caught up) and checks each
              session's hash chain: gaps, duplicates, reordering, tampering, broken links.

              --stream <name>     the Kinesis stream; default: $BROKER_AUDIT_STREAM
              --max-seconds <n>   stop reading after n seconds (default 300); an incomplete read exits 1
              --strict            exact duplicates (at-least-once re-deliveries) count as problems too

            exit status: 0 clean, 1 problems or incomplete read, 2 usage
            AWS: AWS_REGION and credentials as for the AWS CLI; AWS_ENDPOINT_URL_KINESIS for an emulator.
            """;

    static final String STREAM_ENV = "BROKER_AUDIT_STREAM";
    static final int DEFAULT_MAX_SECONDS = 300;

    private final KinesisClient kinesis;
    private final Map<String, String> env;
    private final Clock clock;
    private final PrintStream out;

    public AuditVerifyCli(KinesisClient kinesis, Map<String, String> env, Clock clock, PrintStream out) {
        this.kinesis = Objects.requireNonNull(kinesis, "kinesis");
        this.env = Map.copyOf(env);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.out = Objects.requireNonNull(out, "out");
    }

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("help"))) {
            System.out.print(USAGE);
            System.exit(0);
        }
        Options options;
        try {
            options = Options.parse(args, System.getenv());
        } catch (UsageException e) {
            System.err.println("audit-verify: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        int status;
        try (KinesisClient kinesis = KinesisClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            status = new AuditVerifyCli(kinesis, System.getenv(), Clock.systemUTC(), System.out).verify(options, System.err);
        } catch (SdkClientException e) {
            // No region, no credentials or no connection: say so in one line, not with the SDK's stack trace.
            System.err.println("audit-verify: cannot reach Kinesis (check AWS_REGION, credentials, and "
                    + "AWS_ENDPOINT_URL_KINESIS for an emulator): " + e.getMessage().lines().findFirst().orElse(""));
            status = 1;
        }
        System.exit(status);
    }

    /** Verifies the stream the arguments name; returns the exit status (0 clean, 1 problems, 2 usage). */
    public int run(String[] args, PrintStream err) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("help"))) {
            out.print(USAGE);
            return 0;
        }
        Options options;
        try {
            options = Options.parse(args, env);
        } catch (UsageException e) {
            err.println("audit-verify: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        return verify(options, err);
    }

    private int verify(Options options, PrintStream err) {
        AuditEventCodec codec = new AuditEventCodec();
        AuditChainVerifier verifier = new AuditChainVerifier(new AuditChain(codec), options.strict());
        Instant deadline = clock.instant().plus(options.maxTime());
        KinesisStreamReader.Result read;
        try {
            read = new KinesisStreamReader(kinesis, clock).read(options.stream(), deadline, record -> {
                AuditEvent event;
                try {
                    event = codec.decode(record.data());
                } catch (AuditEventCodec.MalformedEventException e) {
                    verifier.acceptUndecodable(record.location(), e.getMessage());
                    return;
                }
                verifier.accept(event);
            });
        } catch (ResourceNotFoundException e) {
            err.println("audit-verify: stream '" + options.stream() + "' does not exist");
            return 1;
        } catch (KinesisException e) {
            err.println("audit-verify: Kinesis refused: " + e.awsErrorDetails().errorMessage());
            return 1;
        }
        AuditChainReport report = verifier.report();
        out.println("stream " + options.stream() + ": " + read.shards() + " shard(s), " + read.records() + " record(s) read"
                + (read.complete() ? "" : ", INCOMPLETE"));
        out.print(report.render());
        if (!read.complete()) {
            out.println("read incomplete: stopped after " + options.maxTime().toSeconds() + " s with shard(s) "
                    + read.pending() + " not read to their tip; gaps may be reads not done");
            return 1;
        }
        return report.clean() ? 0 : 1;
    }

    record Options(String stream, Duration maxTime, boolean strict) {

        static Options parse(String[] args, Map<String, String> env) {
            String stream = null;
            int maxSeconds = DEFAULT_MAX_SECONDS;
            boolean strict = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--stream" -> stream = value(args, ++i, "--stream");
                    case "--max-seconds" -> {
                        String v = value(args, ++i, "--max-seconds");
                        try {
                            maxSeconds = Integer.parseInt(v);
                        } catch (NumberFormatException e) {
                            throw new UsageException("--max-seconds needs a whole number of seconds, not '" + v + "'");
                        }
                        if (maxSeconds < 1) {
                            throw new UsageException("--max-seconds must be at least 1");
                        }
                    }
                    case "--strict" -> strict = true;
                    default -> throw new UsageException("unknown argument '" + args[i] + "'");
                }
            }
            if (stream == null) {
                stream = env.get(STREAM_ENV);
            }
            if (stream == null || stream.isBlank()) {
                throw new UsageException("no stream: pass --stream <name> or set " + STREAM_ENV);
            }
            return new Options(stream, Duration.ofSeconds(maxSeconds), strict);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length || args[i].startsWith("--")) {
                throw new UsageException(option + " needs a value");
            }
            return args[i];
        }
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}

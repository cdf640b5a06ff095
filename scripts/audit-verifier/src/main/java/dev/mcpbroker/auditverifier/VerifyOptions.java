package dev.mcpbroker.auditverifier;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * The verifier's command line.
 *
 * @param stream           the Kinesis stream to read, or null
 * @param archiveBucket    the S3 archive's bucket, or null
 * @param archivePrefix    the key prefix of the archived objects (Firehose's {@code audit/...}), possibly empty
 * @param headsTable       the broker's state table to read the chains' heads from, or null
 * @param outboxRetention  the outbox retention the broker runs with (a head's last append is its expiry minus this)
 * @param inFlight         intents and heads younger than this may still be on their way and are not judged
 * @param maxTime          longest read of the stream
 * @param strict           exact duplicates count as problems
 */
record VerifyOptions(String stream, String archiveBucket, String archivePrefix, String headsTable, Duration outboxRetention,
                     Duration inFlight, Duration maxTime, boolean strict) {

    static final String STREAM_ENV = "BROKER_AUDIT_STREAM";
    static final int DEFAULT_MAX_SECONDS = 300;
    static final Duration DEFAULT_IN_FLIGHT = Duration.ofMinutes(15);
    static final Duration DEFAULT_OUTBOX_RETENTION = Duration.ofDays(7);

    /** A wrong command line; the usage text follows. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    static VerifyOptions parse(String[] args, Map<String, String> env) {
        String stream = null;
        String archive = null;
        String heads = null;
        Duration retention = DEFAULT_OUTBOX_RETENTION;
        Duration inFlight = DEFAULT_IN_FLIGHT;
        int maxSeconds = DEFAULT_MAX_SECONDS;
        boolean strict = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--stream" -> stream = value(args, ++i, "--stream");
                case "--archive" -> archive = value(args, ++i, "--archive");
                case "--heads-table" -> heads = value(args, ++i, "--heads-table");
                case "--outbox-retention" -> retention = duration(value(args, ++i, "--outbox-retention"), "--outbox-retention");
                case "--in-flight" -> inFlight = duration(value(args, ++i, "--in-flight"), "--in-flight");
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
        if (stream == null && archive == null) {
            stream = env.get(STREAM_ENV);
        }
        if ((stream == null || stream.isBlank()) && archive == null) {
            throw new UsageException("nothing to read: pass --stream <name>, --archive s3://<bucket>/<prefix> or set " + STREAM_ENV);
        }
        String bucket = null;
        String prefix = null;
        if (archive != null) {
            URI uri;
            try {
                uri = URI.create(archive);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--archive must look like s3://<bucket>/<prefix>, not '" + archive + "'");
            }
            if (!"s3".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new UsageException("--archive must look like s3://<bucket>/<prefix>, not '" + archive + "'");
            }
            bucket = uri.getHost();
            prefix = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        }
        return new VerifyOptions(stream, bucket, prefix, heads, retention, inFlight, Duration.ofSeconds(maxSeconds), strict);
    }

    private static Duration duration(String value, String option) {
        try {
            Duration parsed = Duration.parse(value);
            if (parsed.isNegative()) {
                throw new UsageException(option + " must not be negative");
            }
            return parsed;
        } catch (DateTimeParseException e) {
            throw new UsageException(option + " is an ISO-8601 duration (e.g. PT15M, P7D), not '" + value + "'");
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }
}

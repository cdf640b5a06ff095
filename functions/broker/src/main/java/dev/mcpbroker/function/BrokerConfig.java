package dev.mcpbroker.function;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The broker function's configuration ({@code broker.*}). Every property can be set as an environment
 * variable in the usual MicroProfile form, e.g. {@code broker.session.table} as {@code BROKER_SESSION_TABLE};
 * the SAM template sets them per function.
 */
@ConfigMapping(prefix = "broker")
public interface BrokerConfig {

    Session session();

    Limits limits();

    Policy policy();

    Credentials credentials();

    Idempotency idempotency();

    Audit audit();

    Http http();

    Upstream upstream();

    Telemetry telemetry();

    Aws aws();

    interface Session {

        /** Name of the DynamoDB state table: sessions, leases, rate buckets, idempotency records, the audit outbox. */
        @WithDefault("mcp-broker-state")
        String table();

        /** Absolute lifetime of a session from initialize, however busy it is. */
        @WithDefault("PT12H")
        Duration lifetime();

        /** A session unused this long ends (404 afterwards); the record's TTL follows it. */
        @WithDefault("PT30M")
        Duration idleTimeout();

        /**
         * A use is written to the session record at most this often: one write per interval instead of one
         * per request. An idle session may end up to this much earlier than the idle timeout.
         */
        @WithDefault("PT1M")
        Duration touchInterval();

        Capacity capacity();

        Warm warm();
    }

    interface Capacity {

        /** Concurrent sessions per upstream server whose registry entry sets no cap. */
        @WithDefault("1000")
        int defaultMaxSessions();

        /** Initializes that may wait for a slot per server; more are refused at once with 503. */
        @WithDefault("50")
        int queueDepth();

        /** How long a waiting initialize waits for a slot before 503 with Retry-After. */
        @WithDefault("PT5S")
        Duration queueWait();

        /** How often a waiting initialize looks for a freed slot. */
        @WithDefault("PT0.2S")
        Duration pollInterval();

        /**
         * How long a slot taken for an initialize is held before the session is stored: longer than any
         * upstream's initialize, and the longest an instance that dies mid-initialize keeps a slot.
         */
        @WithDefault("PT60S")
        Duration initializeLease();
    }

    interface Warm {

        /** How long a pre-initialised upstream session is handed out; below the upstream's idle timeout. */
        @WithDefault("PT5M")
        Duration maxAge();
    }

    interface Limits {

        /** Largest request body accepted from an agent, in bytes; larger bodies get 413. */
        @WithDefault("1048576")
        int maxBodyBytes();

        /** Largest upstream answer read, in bytes; larger answers fail as a protocol error. */
        @WithDefault("8388608")
        long maxUpstreamResponseBytes();

        /**
         * Sustained requests per second of an agent whose allowlist entry sets no rate; empty for no
         * default limit. Enforced across all instances.
         */
        Optional<Double> defaultAgentRatePerSecond();

        /** Burst of the default agent rate limit. */
        @WithDefault("20")
        int defaultAgentBurst();
    }

    interface Policy {

        /**
         * Name of the DynamoDB allowlist table: agent grants, tenant limits and the upstream registry with
         * its kill switches. The broker only reads it; the admin CLI writes it.
         */
        @WithDefault("mcp-broker-policy")
        String table();

        /**
         * How long an instance trusts what it read from the allowlist table: the longest a grant change,
         * a revocation or a kill switch takes to reach every instance.
         */
        @WithDefault("PT30S")
        Duration cacheTtl();
    }

    interface Idempotency {

        /**
         * Whether a state-changing {@code tools/call} (any tool not annotated {@code readOnlyHint: true}) must
         * carry an idempotency key; without one it is refused before the upstream is contacted.
         */
        @WithDefault("true")
        boolean requireKey();

        /**
         * How long a claimed key may stay in progress. Past it, the claim belongs to an instance that died
         * mid-call and its outcome is unknown. Longer than the upstream request timeout.
         */
        @WithDefault("PT45S")
        Duration lease();

        /** How long records (and stored results) are kept: the window in which a retry is recognised. */
        @WithDefault("PT24H")
        Duration retention();

        /** How long an instance trusts the read-only annotations it learned from an upstream's tools/list. */
        @WithDefault("PT5M")
        Duration toolCatalogTtl();

        /**
         * How long an instance trusts a live tool definition it learned from an upstream's tools/list when it checks
         * a call on a server under tool pinning: the longest a changed definition may go unnoticed by a call that no
         * tools/list answer preceded. Past it, the broker reads the upstream's list again before deciding.
         */
        @WithDefault("PT1M")
        Duration liveToolsTtl();
    }

    interface Http {

        /**
         * Browser origins allowed to call the broker (exact, e.g. {@code https://console.example.com}). A
         * request carrying any other {@code Origin} is refused with 403; agents send none.
         */
        Optional<List<String>> allowedOrigins();

        /**
         * Host names the broker answers for (DNS-rebinding defence), with or without port; a request naming any
         * other {@code Host} is refused with 403. Unset: the host of {@code broker.auth.resource}; {@code *}: any
         * host.
         */
        Optional<List<String>> allowedHosts();
    }

    interface Upstream {

        /**
         * Local runs and tests only: also admit {@code http} and loopback upstream endpoints. In production every
         * upstream must be {@code https} and may not resolve to loopback (the Lambda runtime API), link-local or
         * instance metadata addresses; those are refused before anything is sent.
         */
        @WithDefault("false")
        boolean localDevelopment();

        /**
         * How long an instance trusts what it learned of an upstream: the protocol generation it speaks (unless
         * the registry declares it) and what it says of itself. A failure that suggests the upstream changed
         * makes the broker learn again sooner.
         */
        @WithDefault("PT5M")
        Duration learningTtl();

        /**
         * The longest the broker reads a 2026-07-28 upstream's {@code subscriptions/listen} stream: it stops at the
         * upstream's acknowledgement, or after this long, closes the stream and answers the agent with what arrived
         * (the acknowledgement and any notifications, as events before a complete result). The agent listens again
         * to go on. Keep it well under the API's integration timeout (29 s on API Gateway).
         */
        @WithDefault("PT10S")
        Duration listenWindow();
    }

    interface Audit {

        /**
         * Secrets Manager secret holding the key of the argument fingerprints (HMAC-SHA256 over canonical
         * JSON; at least 32 bytes). Read once per instance: arguments are never recorded, only this keyed hash.
         */
        @WithDefault("mcp-broker/audit/fingerprint-key")
        String fingerprintKeySecret();

        /** Table of the audit outbox; empty: the state table (one transaction scope with sessions). */
        Optional<String> outboxTable();

        /** How long events stay in the outbox, delivered or not: longer than any forwarder outage. */
        @WithDefault("P7D")
        Duration outboxRetention();

        /**
         * The audit account's Kinesis stream (ARN or name) the audit forwarder delivers the outbox to; read only by
         * the forwarder function, which does not start without it.
         */
        Optional<String> streamArn();
    }

    interface Credentials {

        /** How long an instance keeps an upstream secret in memory; PT0S reads Secrets Manager on every call. */
        @WithDefault("PT5M")
        Duration cacheTtl();
    }

    interface Telemetry {

        /**
         * How long an invocation may wait, after its answer is ready, for its spans to end and for them and
         * its metrics to reach the collector. Lambda may freeze the environment as soon as the handler
         * returns and reap it later, so nothing is left to a background export; a collector that does not
         * answer within this costs each invocation this much and loses that invocation's telemetry, never
         * its answer.
         */
        @WithDefault("PT1S")
        Duration flushTimeout();

        /**
         * How many distinct tool names per server an instance reports as a metric dimension (ToolCalls,
         * ToolLatency, the OpenTelemetry tool and operation histograms); calls of any further name, and of
         * names that are not MCP tool names, report as {@code _other}. Spans and logs keep every name. A wildcard
         * grant lets an agent call names it makes up, each of which would otherwise be a new metric series.
         */
        @WithDefault("100")
        int metricToolsPerServer();
    }

    interface Aws {

        /** AWS region; when empty the SDK's default region chain applies (AWS_REGION in Lambda). */
        Optional<String> region();

        Endpoint dynamodb();

        Endpoint secretsmanager();

        Endpoint kinesis();

        /** Bounds on every AWS SDK call, shared by all the clients a function builds. */
        Sdk sdk();

        interface Sdk {

            /**
             * Longest a whole SDK call may take, retries included. A request waits at most this long for state
             * before it is answered {@code state_unavailable}; well under API Gateway's 30 s.
             */
            @WithDefault("PT5S")
            Duration apiCallTimeout();

            /** Longest one attempt of an SDK call may take before the SDK retries it (within the call timeout). */
            @WithDefault("PT2S")
            Duration apiCallAttemptTimeout();
        }

        interface Endpoint {

            /** Endpoint override for local emulators; empty in AWS. */
            Optional<URI> endpoint();
        }
    }
}

package dev.mcpbroker.core.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@link AuditEvent} as JSON, as published to the audit stream and described by {@code audit-event.schema.json}
 * (a resource beside this class).
 *
 * <ul>
 *   <li>Field names are the record's components, lowerCamelCase: {@link #FIELDS}. Every field is always present;
 *       an absent value is JSON {@code null}.</li>
 *   <li>{@code time}: ISO-8601 in UTC with exactly three fraction digits, {@code 2025-06-18T09:30:00.000Z}.</li>
 *   <li>{@code kind}, {@code decision}: the enum names ({@code INTENT}, {@code ALLOWED}); {@code outcomeClass}: the
 *       wire names of {@link AuditEvent.OutcomeClass} ({@code ok}, {@code ambiguous}, ...).</li>
 *   <li>{@code sessionSeq}, {@code upstreamLatencyMillis}: JSON integers.</li>
 *   <li>{@link #encode} writes the {@link CanonicalJson canonical form}, so the bytes of an event are a function of
 *       the event.</li>
 * </ul>
 * {@link #decode} is strict, like the schema: unknown or missing fields, wrong types and invalid values are refused
 * with {@link MalformedEventException}. Thread-safe.
 */
public final class AuditEventCodec {

    /** The JSON fields, in the record's order. */
    public static final List<String> FIELDS = List.of("eventId", "kind", "time", "agentId", "tenantId", "onBehalfOf",
            "sessionId", "serverId", "method", "tool", "argumentFingerprint", "decision", "reason", "outcomeClass",
            "upstreamLatencyMillis", "idempotencyKey", "traceId", "correlationId", "sessionSeq", "previousHash", "hash");

    /** Classpath location of the JSON Schema the encoded events conform to. */
    public static final String SCHEMA_RESOURCE = "/dev/mcpbroker/core/audit/audit-event.schema.json";

    private static final Set<String> FIELD_SET = Set.copyOf(FIELDS);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern TIME_SHAPE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");

    private final ObjectMapper mapper = new ObjectMapper();

    /** A record on the stream that is not a valid audit event. */
    public static final class MalformedEventException extends IllegalArgumentException {
        public MalformedEventException(String message) {
            super(message);
        }
    }

    /** The event as a JSON object with every field of {@link #FIELDS}, in that order. */
    public ObjectNode toJson(AuditEvent e) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("eventId", e.eventId());
        o.put("kind", e.kind().name());
        o.put("time", formatTime(e.time()));
        o.put("agentId", e.agentId());
        o.put("tenantId", e.tenantId());
        o.put("onBehalfOf", e.onBehalfOf());
        o.put("sessionId", e.sessionId());
        o.put("serverId", e.serverId());
        o.put("method", e.method());
        o.put("tool", e.tool());
        o.put("argumentFingerprint", e.argumentFingerprint());
        o.put("decision", e.decision().name());
        o.put("reason", e.reason());
        o.put("outcomeClass", e.outcomeClass() == null ? null : e.outcomeClass().wireName());
        o.put("upstreamLatencyMillis", e.upstreamLatencyMillis());
        o.put("idempotencyKey", e.idempotencyKey());
        o.put("traceId", e.traceId());
        o.put("correlationId", e.correlationId());
        o.put("sessionSeq", e.sessionSeq());
        o.put("previousHash", e.previousHash());
        o.put("hash", e.hash());
        return o;
    }

    /** The record to publish: canonical JSON, UTF-8. */
    public byte[] encode(AuditEvent e) {
        return CanonicalJson.bytes(toJson(e));
    }

    /** Reads one published record. */
    public AuditEvent decode(byte[] json) {
        JsonNode tree;
        try {
            tree = mapper.readTree(json);
        } catch (JsonProcessingException ex) {
            throw new MalformedEventException("not JSON: " + ex.getOriginalMessage());
        } catch (IOException ex) {
            throw new MalformedEventException("unreadable: " + ex.getMessage());
        }
        if (!(tree instanceof ObjectNode o)) {
            throw new MalformedEventException("not a JSON object");
        }
        return fromJson(o);
    }

    /** The event a JSON object describes; strict (see the class comment). */
    public AuditEvent fromJson(ObjectNode o) {
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = o.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELD_SET.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new MalformedEventException("unknown field(s) " + unknown);
        }
        for (String field : FIELDS) {
            if (!o.has(field)) {
                throw new MalformedEventException("missing field '" + field + "'");
            }
        }
        try {
            String outcome = text(o, "outcomeClass");
            return new AuditEvent(required(o, "eventId"), AuditEvent.Kind.valueOf(required(o, "kind")),
                    parseTime(required(o, "time")), text(o, "agentId"), text(o, "tenantId"), text(o, "onBehalfOf"),
                    text(o, "sessionId"), text(o, "serverId"), text(o, "method"), text(o, "tool"),
                    text(o, "argumentFingerprint"), AuditEvent.Decision.valueOf(required(o, "decision")),
                    text(o, "reason"), outcome == null ? null : AuditEvent.OutcomeClass.fromWireName(outcome),
                    integer(o, "upstreamLatencyMillis"), text(o, "idempotencyKey"), text(o, "traceId"),
                    text(o, "correlationId"), requiredInteger(o, "sessionSeq"), text(o, "previousHash"), text(o, "hash"));
        } catch (MalformedEventException ex) {
            throw ex;
        } catch (IllegalArgumentException | NullPointerException ex) {
            throw new MalformedEventException("invalid event: " + ex.getMessage());
        }
    }

    static String formatTime(Instant time) {
        return TIME.format(time);
    }

    private static Instant parseTime(String value) {
        if (!TIME_SHAPE.matcher(value).matches()) {
            throw new MalformedEventException("time '" + value + "' is not yyyy-MM-ddTHH:mm:ss.SSSZ");
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException ex) {
            throw new MalformedEventException("time '" + value + "' is not a valid instant");
        }
    }

    private static String text(ObjectNode o, String field) {
        JsonNode v = o.get(field);
        if (v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new MalformedEventException("'" + field + "' is not a string");
        }
        return v.textValue();
    }

    private static String required(ObjectNode o, String field) {
        String v = text(o, field);
        if (v == null) {
            throw new MalformedEventException("'" + field + "' is null");
        }
        return v;
    }

    private static Long integer(ObjectNode o, String field) {
        JsonNode v = o.get(field);
        if (v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new MalformedEventException("'" + field + "' is not an integer");
        }
        return v.longValue();
    }

    private static long requiredInteger(ObjectNode o, String field) {
        Long v = integer(o, field);
        if (v == null) {
            throw new MalformedEventException("'" + field + "' is null");
        }
        return v;
    }
}

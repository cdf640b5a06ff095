package dev.mcpbroker.testkit.otel;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One span as a collector received it: ids in the hex form of W3C trace context, attributes and the
 * exporting process' resource as strings.
 *
 * @param kind the OTLP span kind, e.g. {@code SPAN_KIND_SERVER}
 */
public record ReceivedSpan(String traceId, String spanId, String parentSpanId, String name, String kind,
                           Map<String, String> attributes, Map<String, String> resource) {

    static List<ReceivedSpan> of(ExportTraceServiceRequest request) {
        return request.getResourceSpansList().stream().flatMap(resourceSpans -> {
            Map<String, String> resource = strings(resourceSpans.getResource().getAttributesList());
            return resourceSpans.getScopeSpansList().stream().flatMap(scope -> scope.getSpansList().stream())
                    .map(span -> of(span, resource));
        }).toList();
    }

    private static ReceivedSpan of(Span span, Map<String, String> resource) {
        HexFormat hex = HexFormat.of();
        return new ReceivedSpan(hex.formatHex(span.getTraceId().toByteArray()), hex.formatHex(span.getSpanId().toByteArray()),
                hex.formatHex(span.getParentSpanId().toByteArray()), span.getName(), span.getKind().name(),
                strings(span.getAttributesList()), resource);
    }

    private static Map<String, String> strings(List<KeyValue> attributes) {
        Map<String, String> values = new LinkedHashMap<>();
        for (KeyValue attribute : attributes) {
            AnyValue value = attribute.getValue();
            values.put(attribute.getKey(), switch (value.getValueCase()) {
                case STRING_VALUE -> value.getStringValue();
                case INT_VALUE -> Long.toString(value.getIntValue());
                case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
                case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
                default -> value.toString();
            });
        }
        return values;
    }
}

package dev.mcpbroker.demo;

import io.quarkiverse.mcp.server.Meta;
import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.Tool;
import io.quarkiverse.mcp.server.ToolArg;
import io.quarkiverse.mcp.server.ToolResponse;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.common.annotation.Blocking;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The MCP tools of the demo payments server. */
@Singleton
public class PaymentTools {

    /** Where a client (or the broker) may put an idempotency key in the request's {@code _meta}. */
    public static final String META_IDEMPOTENCY_KEY = "dev.mcpbroker/idempotencyKey";
    /** The HTTP header that may carry an idempotency key instead. */
    public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

    @Inject
    Ledger ledger;

    @Inject
    CurrentVertxRequest currentRequest;

    @Tool(name = "transfer", title = "Transfer money",
            description = "Moves money between two ledger accounts. Side-effecting: every call that is not an "
                    + "idempotent replay moves money.",
            annotations = @Tool.Annotations(title = "Transfer money", readOnlyHint = false, destructiveHint = true,
                    idempotentHint = false, openWorldHint = false))
    @Blocking
    public ToolResponse transfer(
            @ToolArg(description = "Account to debit") String from,
            @ToolArg(description = "Account to credit") String to,
            @ToolArg(description = "Amount in cents, positive") long amountCents,
            @ToolArg(description = "ISO currency code", defaultValue = "EUR") String currency,
            @ToolArg(description = "Free-text memo", required = false) String memo,
            Meta meta) {
        String key = idempotencyKey(meta);
        Ledger.TransferOutcome outcome = ledger.transfer(from, to, amountCents, currency, memo, key);
        if (outcome.isError()) {
            return ToolResponse.error(outcome.error());
        }
        Ledger.Transfer t = outcome.transfer();
        String balances = outcome.balances().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
        String text = "transfer " + t.id() + ": " + t.amountCents() + " " + t.currency() + " cents from " + t.from()
                + " to " + t.to() + (outcome.replayed() ? " (replayed)" : "") + "; balances: " + balances;
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("transferId", t.id());
        structured.put("from", t.from());
        structured.put("to", t.to());
        structured.put("amountCents", t.amountCents());
        structured.put("currency", t.currency());
        if (t.memo() != null) {
            structured.put("memo", t.memo());
        }
        structured.put("balances", outcome.balances());
        structured.put("replayed", outcome.replayed());
        return new ToolResponse(false, List.of(new TextContent(text)), structured, null);
    }

    @Tool(name = "get_balance", title = "Get balance", description = "The balance of an account, in cents.",
            annotations = @Tool.Annotations(title = "Get balance", readOnlyHint = true, destructiveHint = false,
                    idempotentHint = true, openWorldHint = false))
    @Blocking
    public ToolResponse getBalance(@ToolArg(description = "Account name") String account) {
        Long balance = ledger.balance(account);
        if (balance == null) {
            return ToolResponse.error("unknown account: " + account);
        }
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("account", account);
        structured.put("balanceCents", balance);
        structured.put("currency", Ledger.CURRENCY);
        return new ToolResponse(false, List.of(new TextContent(account + ": " + balance + " " + Ledger.CURRENCY + " cents")),
                structured, null);
    }

    @Tool(name = "list_transfers", title = "List transfers", description = "All transfers executed so far, oldest first.",
            annotations = @Tool.Annotations(title = "List transfers", readOnlyHint = true, destructiveHint = false,
                    idempotentHint = true, openWorldHint = false))
    @Blocking
    public ToolResponse listTransfers() {
        List<Map<String, Object>> rows = ledger.transfers().stream().map(t -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("transferId", t.id());
            row.put("from", t.from());
            row.put("to", t.to());
            row.put("amountCents", t.amountCents());
            row.put("currency", t.currency());
            if (t.memo() != null) {
                row.put("memo", t.memo());
            }
            row.put("at", t.at().toString());
            return row;
        }).toList();
        String text = rows.isEmpty() ? "no transfers"
                : rows.stream().map(r -> r.get("transferId") + " " + r.get("from") + "->" + r.get("to") + " "
                        + r.get("amountCents") + " " + r.get("currency")).collect(Collectors.joining("\n"));
        return new ToolResponse(false, List.of(new TextContent(text)), Map.of("transfers", rows), null);
    }

    /**
     * A deliberately careless tool: it echoes the credentials it was called with, as a misbehaving or
     * compromised upstream might. Tests use it to prove the broker redacts them before an agent sees them.
     */
    @Tool(name = "echo_credentials", title = "Echo credentials",
            description = "Debugging aid: shows the Authorization and X-Api-Key headers this server received.",
            annotations = @Tool.Annotations(title = "Echo credentials", readOnlyHint = true, destructiveHint = false,
                    idempotentHint = true, openWorldHint = false))
    @Blocking
    public ToolResponse echoCredentials() {
        RoutingContext ctx = currentRequest.getCurrent();
        String authorization = ctx == null ? null : ctx.request().getHeader("Authorization");
        String apiKey = ctx == null ? null : ctx.request().getHeader("X-Api-Key");
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("authorization", String.valueOf(authorization));
        structured.put("apiKey", String.valueOf(apiKey));
        return new ToolResponse(false, List.of(new TextContent("authorization=" + authorization + " x-api-key=" + apiKey)),
                structured, null);
    }

    /**
     * Debugging aid for distributed tracing: the W3C trace context this server received for the call, in
     * the HTTP headers and in the request's {@code params._meta} (where MCP carries it for transports
     * without headers). Tests use it to prove the broker propagates one trace to its upstreams.
     */
    @Tool(name = "echo_trace_context", title = "Echo trace context",
            description = "Debugging aid: shows the traceparent and tracestate this server received, in headers and in _meta.",
            annotations = @Tool.Annotations(title = "Echo trace context", readOnlyHint = true, destructiveHint = false,
                    idempotentHint = true, openWorldHint = false))
    @Blocking
    public ToolResponse echoTraceContext(Meta meta) {
        RoutingContext ctx = currentRequest.getCurrent();
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("headerTraceparent", ctx == null ? null : ctx.request().getHeader("traceparent"));
        structured.put("headerTracestate", ctx == null ? null : ctx.request().getHeader("tracestate"));
        structured.put("metaTraceparent", meta == null ? null : meta.asJsonObject().getValue("traceparent"));
        structured.put("metaTracestate", meta == null ? null : meta.asJsonObject().getValue("tracestate"));
        return new ToolResponse(false, List.of(new TextContent("trace context: " + structured)), structured, null);
    }

    /** The key from {@code _meta["dev.mcpbroker/idempotencyKey"]}, else from the {@code Idempotency-Key} header. */
    private String idempotencyKey(Meta meta) {
        if (meta != null) {
            Object value = meta.asJsonObject().getValue(META_IDEMPOTENCY_KEY);
            if (value != null && !value.toString().isBlank()) {
                return value.toString();
            }
        }
        try {
            RoutingContext ctx = currentRequest.getCurrent();
            if (ctx != null) {
                String header = ctx.request().getHeader(IDEMPOTENCY_KEY_HEADER);
                if (header != null && !header.isBlank()) {
                    return header;
                }
            }
        } catch (RuntimeException e) {
            // no HTTP request behind this call (e.g. another transport): no header key
        }
        return null;
    }
}

package dev.mcpbroker.demo;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;

/** Test-only controls of the demo server. Listens on 127.0.0.1 with the MCP endpoint. */
@Path("/admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    @Inject
    Ledger ledger;

    @Inject
    RequestHeaderRecorder headers;

    @Inject
    ChangingTool changingTool;

    /** {@code {"transfer": n, "get_balance": n, "list_transfers": n}}: tool executions since the last reset. */
    @GET
    @Path("/executions")
    public Map<String, Long> executions() {
        return ledger.executions();
    }

    /** Current balances in cents (does not count as a tool execution). */
    @GET
    @Path("/balances")
    public Map<String, Long> balances() {
        return ledger.balances();
    }

    /**
     * Defines (or redefines) the tool {@code quote_fx} with {@code description}: an upstream changing a tool under a
     * running broker. {@code DELETE} removes it again.
     */
    @POST
    @Path("/changing-tool")
    public Map<String, String> defineChangingTool(@QueryParam("description") String description) {
        changingTool.define(description == null ? "Quotes a currency pair." : description);
        return Map.of("defined", ChangingTool.NAME);
    }

    @jakarta.ws.rs.DELETE
    @Path("/changing-tool")
    public Map<String, Boolean> removeChangingTool() {
        changingTool.remove();
        return Map.of("removed", true);
    }

    /** {@code {"calls": n}}: executions of {@code quote_fx} since it was last removed. */
    @GET
    @Path("/changing-tool")
    public Map<String, Long> changingToolCalls() {
        return Map.of("calls", changingTool.calls());
    }

    /** Seed balances, no transfers, zero counters, no remembered headers, no {@code quote_fx}; releases a hung transfer. */
    @POST
    @Path("/reset")
    public Map<String, Long> reset() {
        ledger.reset();
        headers.reset();
        changingTool.remove();
        return ledger.executions();
    }

    /** The next transfer executes (counted, applied) and then blocks up to 60 s before answering. */
    @POST
    @Path("/hang-next-transfer")
    public Map<String, Boolean> hangNextTransfer() {
        ledger.hangNextTransfer();
        return Map.of("armed", true);
    }

    /** {@code {"count": n}}: requests of any method to /mcp since the last reset, including refused ones. */
    @GET
    @Path("/mcp-requests")
    public Map<String, Long> mcpRequests() {
        return Map.of("count", headers.requestCount());
    }

    /**
     * From now on /mcp answers 401 unless header {@code name} equals {@code value}; an empty name lifts
     * the requirement. Lets tests rotate an upstream's credential under a running broker.
     */
    @POST
    @Path("/require-credential")
    public Map<String, Boolean> requireCredential(@QueryParam("header") String name, @QueryParam("value") String value) {
        boolean required = name != null && !name.isBlank();
        headers.requireCredential(required ? name : null, required ? value : null);
        return Map.of("required", required);
    }

    /** Headers (names lowercased) of the last POST to /mcp. */
    @GET
    @Path("/last-request-headers")
    public Map<String, String> lastRequestHeaders() {
        return headers.lastPostHeaders();
    }

    /** {@code {"count": n}}: initializes (POSTs without a session id) since the last reset. */
    @GET
    @Path("/initializes")
    public Map<String, Long> initializes() {
        return Map.of("count", headers.initializeCount());
    }

    /** Every answer from now on sets a new cookie {@code r<n>=<n>}; {@code on=false} stops it. */
    @POST
    @Path("/cookie-per-response")
    public Map<String, Boolean> cookiePerResponse(@QueryParam("on") boolean on) {
        headers.cookiePerResponse(on);
        return Map.of("on", on);
    }

    /** The next initialize is received and never answered (released by nothing: the caller times out). */
    @POST
    @Path("/hang-next-initialize")
    public Map<String, Boolean> hangNextInitialize() {
        headers.hangNextInitialize();
        return Map.of("armed", true);
    }
}

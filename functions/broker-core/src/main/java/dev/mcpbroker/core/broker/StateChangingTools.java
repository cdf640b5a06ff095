package dev.mcpbroker.core.broker;

import dev.mcpbroker.core.idempotency.ToolCatalog;
import dev.mcpbroker.core.pinning.ApprovedTool;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a tool changes state: as the registry declares it, else unless its upstream annotates it read-only
 * ({@code readOnlyHint} is the upstream's own claim; an unannotated tool is treated as changing state). A tool whose
 * approved definition ({@link ToolPinning}) changes state stays state-changing whatever its live annotation now
 * claims, so an upstream cannot shed the idempotency protection by turning a hint. An instance that does not know
 * the server's whole tool list yet asks the upstream for it, once per catalog TTL, before deciding.
 */
final class StateChangingTools {

    private final ToolCatalog catalog;
    private final ToolLists lists;

    StateChangingTools(ToolCatalog catalog, ToolLists lists) {
        this.catalog = Objects.requireNonNull(catalog);
        this.lists = Objects.requireNonNull(lists);
    }

    boolean isStateChanging(UpstreamServer server, UpstreamBinding session, String tool, Optional<ApprovedTool> approved) {
        Optional<Boolean> declared = server.toolPolicy().declaredReadOnly(tool);
        if (declared.isPresent()) {
            return !declared.get(); // the operator's word outranks the upstream's annotation
        }
        if (approved.isPresent() && !approved.get().definition().readOnlyHint()) {
            return true;
        }
        Optional<Boolean> readOnly = catalog.isReadOnly(server.id(), tool);
        if (readOnly.isEmpty()) {
            lists.readAll(server, session);
            readOnly = catalog.isReadOnly(server.id(), tool);
        }
        return !readOnly.orElse(false);
    }
}

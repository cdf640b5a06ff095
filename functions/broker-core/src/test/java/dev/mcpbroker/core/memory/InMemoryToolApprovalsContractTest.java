package dev.mcpbroker.core.memory;

import dev.mcpbroker.core.contract.ToolApprovalsContract;
import dev.mcpbroker.core.pinning.ToolApprovals;

/** The in-memory adapter held to the same contract as the DynamoDB one. */
class InMemoryToolApprovalsContractTest extends ToolApprovalsContract {

    private final InMemoryToolApprovals approvals = new InMemoryToolApprovals();

    @Override
    protected ToolApprovals approvals() {
        return approvals;
    }
}

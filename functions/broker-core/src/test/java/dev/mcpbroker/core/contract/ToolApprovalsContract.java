package dev.mcpbroker.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.pinning.ApprovalConflictException;
import dev.mcpbroker.core.pinning.ApprovedTool;
import dev.mcpbroker.core.pinning.PinningMode;
import dev.mcpbroker.core.pinning.ServerPins;
import dev.mcpbroker.core.pinning.ToolApprovals;
import dev.mcpbroker.core.pinning.ToolDefinition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ToolApprovals} does: a server never set up is off with nothing approved; approvals come back with
 * their definition, hash, time and approver; an approval only replaces the one it names (none for a new tool), so of
 * two concurrent approvals of the same change exactly one is stored; the mode is kept per server. Ids are random per
 * test.
 */
public abstract class ToolApprovalsContract {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant AT = Instant.ofEpochMilli(1_760_000_000_123L);

    private final String server = "pinned-" + UUID.randomUUID();

    protected abstract ToolApprovals approvals();

    /** Registers the server in whatever registry the adapter checks before it takes a mode; nothing by default. */
    protected void register(String serverId) {
    }

    private static ToolDefinition definition(String name, String description, boolean readOnly) {
        ObjectNode tool = JSON.createObjectNode().put("name", name).put("description", description);
        tool.putObject("inputSchema").put("type", "object").putObject("properties").putObject("account").put("type", "string");
        tool.putObject("annotations").put("readOnlyHint", readOnly);
        return ToolDefinition.of(tool);
    }

    @Test
    void aServerNeverSetUpIsOffWithNothingApproved() {
        assertThat(approvals().read(server)).isEqualTo(ServerPins.NONE);
    }

    @Test
    void anApprovedDefinitionIsReadBackWithItsHashTimeAndApprover() {
        ToolDefinition balance = definition("get_balance", "The balance of an account — in cents.", true);

        approvals().approve(server, new ApprovedTool(balance, AT, "alice"), Optional.empty());

        ApprovedTool read = approvals().read(server).approvedOf("get_balance").orElseThrow();
        assertThat(read.definition().canonicalJson()).isEqualTo(balance.canonicalJson());
        assertThat(read.hash()).isEqualTo(balance.hash());
        assertThat(read.approvedAt()).isEqualTo(AT);
        assertThat(read.approvedBy()).isEqualTo("alice");
        assertThat(approvals().read(server).mode()).isEqualTo(PinningMode.OFF);
    }

    @Test
    void aNewApprovalOfAToolThatHasOneIsRefusedAndLeavesTheStoredOne() {
        ToolDefinition first = definition("transfer", "Moves money.", false);
        approvals().approve(server, new ApprovedTool(first, AT, "alice"), Optional.empty());

        assertThatThrownBy(() -> approvals().approve(server,
                new ApprovedTool(definition("transfer", "Moves money anywhere.", true), AT, "mallory"), Optional.empty()))
                .isInstanceOfSatisfying(ApprovalConflictException.class,
                        e -> assertThat(e.current().map(ApprovedTool::hash)).contains(first.hash()));
        assertThat(approvals().read(server).approvedOf("transfer").orElseThrow().hash()).isEqualTo(first.hash());
    }

    @Test
    void anApprovalReplacesOnlyTheApprovalItNames() {
        ToolDefinition first = definition("transfer", "Moves money.", false);
        ToolDefinition second = definition("transfer", "Moves money between accounts.", false);
        approvals().approve(server, new ApprovedTool(first, AT, "alice"), Optional.empty());

        assertThatThrownBy(() -> approvals().approve(server, new ApprovedTool(second, AT, "bob"), Optional.of("0".repeat(64))))
                .isInstanceOf(ApprovalConflictException.class);
        approvals().approve(server, new ApprovedTool(second, AT.plusSeconds(5), "bob"), Optional.of(first.hash()));

        ApprovedTool read = approvals().read(server).approvedOf("transfer").orElseThrow();
        assertThat(read.hash()).isEqualTo(second.hash());
        assertThat(read.approvedBy()).isEqualTo("bob");
    }

    @Test
    void aReplacementOfAToolThatWasNeverApprovedIsRefused() {
        assertThatThrownBy(() -> approvals().approve(server,
                new ApprovedTool(definition("refund", "Refunds.", false), AT, "bob"), Optional.of("0".repeat(64))))
                .isInstanceOfSatisfying(ApprovalConflictException.class, e -> assertThat(e.current()).isEmpty());
        assertThat(approvals().read(server).approved()).isEmpty();
    }

    @Test
    void ofTwoConcurrentApprovalsOfTheSameChangeExactlyOneIsStored() throws Exception {
        ToolDefinition first = definition("transfer", "Moves money.", false);
        approvals().approve(server, new ApprovedTool(first, AT, "alice"), Optional.empty());
        List<Boolean> stored = Race.of(8, i -> {
            try {
                approvals().approve(server, new ApprovedTool(definition("transfer", "Moves money, version " + i, false), AT,
                        "op-" + i), Optional.of(first.hash()));
                return true;
            } catch (ApprovalConflictException expected) {
                return false; // another approval of the same change won
            }
        });

        assertThat(stored).containsOnlyOnce(true);
    }

    @Test
    void theModeIsKeptPerServerAndApprovalsOfEachServerStayApart() {
        String other = server + "-other";
        approvals().approve(server, new ApprovedTool(definition("a", "A.", true), AT, "alice"), Optional.empty());
        approvals().approve(other, new ApprovedTool(definition("b", "B.", true), AT, "alice"), Optional.empty());

        register(server);
        register(other);
        approvals().setMode(server, PinningMode.ENFORCE);
        approvals().setMode(other, PinningMode.WARN);
        approvals().setMode(other, PinningMode.OFF);

        assertThat(approvals().read(server).mode()).isEqualTo(PinningMode.ENFORCE);
        assertThat(approvals().read(other).mode()).isEqualTo(PinningMode.OFF);
        assertThat(approvals().read(server).approved().keySet()).containsExactly("a");
        assertThat(approvals().read(other).approved().keySet()).containsExactly("b");
    }

    @Test
    void everyToolOfAServerIsRead() {
        List<String> names = java.util.stream.IntStream.range(0, 30).mapToObj(i -> "tool_" + i).toList();
        names.forEach(name -> approvals().approve(server, new ApprovedTool(definition(name, "x".repeat(2_000), true), AT,
                "alice"), Optional.empty()));

        assertThat(approvals().read(server).approved().keySet()).containsExactlyInAnyOrderElementsOf(names);
    }
}

package dev.mcpbroker.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.core.virtual.VirtualMember;
import dev.mcpbroker.core.virtual.VirtualServer;
import dev.mcpbroker.core.virtual.VirtualServerRefusal;
import dev.mcpbroker.core.virtual.VirtualServerRegistry;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link VirtualServerRegistry} shows: a definition is found as defined (members in order, prefixes and
 * selections), never overwrites another unless it says it replaces one, is refused with nothing written when an
 * upstream server has its name or a member is no registered server, and a removal removes once. Ids are random per
 * test; registering upstream servers is the subclass's hook.
 */
public abstract class VirtualServerRegistryContract {

    private final String suffix = UUID.randomUUID().toString();
    private final String pay = "pay-" + suffix;
    private final String docs = "docs-" + suffix;
    private final String name = "all-" + suffix;

    protected abstract VirtualServerRegistry registry();

    /** Registers an upstream server under {@code serverId}, as the admin tool does. */
    protected abstract void registerUpstream(String serverId);

    @BeforeEach
    void upstreams() {
        registerUpstream(pay);
        registerUpstream(docs);
    }

    private VirtualServer twoMembers() {
        return new VirtualServer(name, List.of(
                new VirtualMember(pay, "pay", List.of("get_*", "transfer"), null, List.of("summary")),
                new VirtualMember(docs, "kb", null, List.of("file:///kb/*", "file:///docs/{name}"), null)));
    }

    @Test
    void aDefinedVirtualServerIsFoundWithItsMembersInOrderAndTheirSelections() {
        registry().define(twoMembers(), false);

        assertThat(registry().find(name)).contains(twoMembers());
        assertThat(registry().find(name).orElseThrow().members()).extracting(VirtualMember::serverId)
                .containsExactly(pay, docs);
    }

    @Test
    void aNameNeverDefinedIsNotFound() {
        assertThat(registry().find("nobody-" + suffix)).isEmpty();
    }

    @Test
    void aSecondDefinitionOfTheSameNameIsRefusedAndTheFirstKept() {
        registry().define(twoMembers(), false);
        VirtualServer other = new VirtualServer(name, List.of(VirtualMember.of(docs, null)));

        assertThatThrownBy(() -> registry().define(other, false)).isInstanceOf(VirtualServerRefusal.AlreadyDefined.class)
                .extracting(e -> ((VirtualServerRefusal) e).reason()).isEqualTo("virtual_server_exists");
        assertThat(registry().find(name)).contains(twoMembers());
    }

    @Test
    void aReplacementReplacesAnExistingDefinitionOnly() {
        VirtualServer other = new VirtualServer(name, List.of(VirtualMember.of(docs, "d"), VirtualMember.of(pay, "p")));
        assertThatThrownBy(() -> registry().define(other, true)).isInstanceOf(VirtualServerRefusal.NotDefined.class);
        assertThat(registry().find(name)).isEmpty();

        registry().define(twoMembers(), false);
        registry().define(other, true);

        assertThat(registry().find(name)).contains(other);
    }

    @Test
    void theNameOfARegisteredUpstreamServerIsRefusedWithNothingWritten() {
        VirtualServer clash = new VirtualServer(pay, List.of(VirtualMember.of(docs, null)));

        assertThatThrownBy(() -> registry().define(clash, false)).isInstanceOf(VirtualServerRefusal.NameTaken.class)
                .extracting(e -> ((VirtualServerRefusal) e).reason()).isEqualTo("virtual_name_taken");
        assertThat(registry().find(pay)).isEmpty();
    }

    @Test
    void aMemberThatIsNoRegisteredServerIsRefusedWithNothingWritten() {
        VirtualServer unknown = new VirtualServer(name, List.of(VirtualMember.of(pay, "p"),
                VirtualMember.of("missing-" + suffix, "m")));

        assertThatThrownBy(() -> registry().define(unknown, false)).isInstanceOf(VirtualServerRefusal.UnknownMember.class)
                .extracting(e -> ((VirtualServerRefusal) e).reason()).isEqualTo("virtual_member_unknown");
        assertThat(registry().find(name)).isEmpty();
    }

    @Test
    void aRemovedVirtualServerIsGoneAndASecondRemovalIsRefused() {
        registry().define(twoMembers(), false);

        registry().remove(name);

        assertThat(registry().find(name)).isEmpty();
        assertThatThrownBy(() -> registry().remove(name)).isInstanceOf(VirtualServerRefusal.NotDefined.class);
    }

    @Test
    void everyDefinedVirtualServerIsListed() {
        registry().define(twoMembers(), false);
        VirtualServer second = new VirtualServer("second-" + suffix, List.of(VirtualMember.of(pay, null)));
        registry().define(second, false);

        assertThat(registry().all()).contains(twoMembers(), second);
    }

    @Test
    void concurrentDefinitionsOfOneNameLeaveExactlyOne() throws Exception {
        List<VirtualServer> candidates = List.of(twoMembers(), new VirtualServer(name, List.of(VirtualMember.of(docs, "x"))),
                new VirtualServer(name, List.of(VirtualMember.of(pay, "y"))));
        java.util.concurrent.atomic.AtomicInteger defined = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<?>> runs = candidates.stream().map(candidate -> pool.submit(() -> {
                start.await();
                try {
                    registry().define(candidate, false);
                    defined.incrementAndGet();
                } catch (VirtualServerRefusal.AlreadyDefined lost) {
                    // another definition won
                }
                return null;
            })).collect(java.util.stream.Collectors.toList());
            start.countDown();
            for (java.util.concurrent.Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(defined.get()).isEqualTo(1);
        assertThat(candidates).contains(registry().find(name).orElseThrow());
    }
}

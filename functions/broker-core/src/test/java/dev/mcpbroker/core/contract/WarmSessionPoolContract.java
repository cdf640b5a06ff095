package dev.mcpbroker.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpbroker.core.session.WarmSession;
import dev.mcpbroker.core.session.WarmSessionPool;
import dev.mcpbroker.core.upstream.UpstreamAffinity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link WarmSessionPool} does: take hands out the oldest fresh entry opened for the requested version,
 * each entry to exactly one taker, never a stale one or one of another version; list shows the whole pool oldest
 * first; remove says whether it removed the entry. Times are whole milliseconds, creation times distinct, servers
 * random per test.
 */
public abstract class WarmSessionPoolContract {

    protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    protected static final String V1 = "2025-06-18";
    protected static final String V2 = "2025-11-25";

    private WarmSessionPool pool;
    protected final String server = "server-" + UUID.randomUUID();

    protected abstract WarmSessionPool newPool();

    @BeforeEach
    void openPool() {
        pool = newPool();
    }

    /** An entry of {@link #server} opened at {@code T0 + createdSecond} for {@code version}, fresh until {@code T0 + freshUntilSecond}. */
    protected static WarmSession entry(String serverId, String entryId, String version, int createdSecond, int freshUntilSecond) {
        return new WarmSession(serverId, entryId, "upstream-" + entryId, version, version,
                "{\"clientInfo\":{\"name\":\"mcp-broker\",\"version\":\"1\"}}",
                "{\"protocolVersion\":\"" + version + "\",\"serverInfo\":{\"name\":\"up\",\"version\":\"3\"}}",
                new UpstreamAffinity(Map.of("lb", "replica-" + entryId)),
                T0.plusSeconds(createdSecond), T0.plusSeconds(freshUntilSecond));
    }

    private WarmSession entry(String entryId, String version, int createdSecond, int freshUntilSecond) {
        return entry(server, entryId, version, createdSecond, freshUntilSecond);
    }

    @Test
    void addedEntriesAreListedOldestFirstEqualToWhatWasAdded() {
        WarmSession middle = entry("b", V1, 20, 600);
        WarmSession newest = entry("c", V2, 30, 600);
        WarmSession oldest = new WarmSession(server, "a", null, V1, V1, "{}", "{}", UpstreamAffinity.NONE,
                T0.plusSeconds(10).plusMillis(7), T0.plusSeconds(600));
        pool.add(middle);
        pool.add(newest);
        pool.add(oldest);

        assertThat(pool.list(server)).containsExactly(oldest, middle, newest);
    }

    @Test
    void listOfAServerWithoutEntriesIsEmpty() {
        assertThat(pool.list(server)).isEmpty();
    }

    @Test
    void takeHandsOutTheOldestFreshEntryOfTheRequestedVersion() {
        WarmSession newer = entry("newer", V1, 20, 600);
        WarmSession older = entry("older", V1, 10, 600);
        pool.add(newer);
        pool.add(older);

        assertThat(pool.take(server, V1, T0.plusSeconds(30))).contains(older);

        assertThat(pool.list(server)).containsExactly(newer);
    }

    @Test
    void eachEntryIsTakenOnlyOnce() {
        WarmSession a = entry("a", V1, 10, 600);
        WarmSession b = entry("b", V1, 20, 600);
        pool.add(a);
        pool.add(b);
        Instant now = T0.plusSeconds(30);

        assertThat(pool.take(server, V1, now)).contains(a);
        assertThat(pool.take(server, V1, now)).contains(b);
        assertThat(pool.take(server, V1, now)).isEmpty();
        assertThat(pool.list(server)).isEmpty();
    }

    @Test
    void takeFromAnEmptyPoolIsEmpty() {
        assertThat(pool.take(server, V1, T0)).isEmpty();
    }

    @Test
    void staleEntriesAreNotTakenButStayListed() {
        WarmSession stale = entry("stale", V1, 10, 100);
        WarmSession fresh = entry("fresh", V1, 20, 600);
        pool.add(stale);
        pool.add(fresh);

        assertThat(pool.take(server, V1, T0.plusSeconds(150))).contains(fresh);
        assertThat(pool.take(server, V1, T0.plusSeconds(150))).isEmpty();

        assertThat(pool.list(server)).containsExactly(stale);
    }

    @Test
    void anEntryIsStaleFromItsExpiryOn() {
        WarmSession entry = entry("a", V1, 10, 100);
        pool.add(entry);

        assertThat(pool.take(server, V1, T0.plusSeconds(100))).isEmpty();
        assertThat(pool.take(server, V1, T0.plusSeconds(100).minusMillis(1))).contains(entry);
    }

    @Test
    void entriesOpenedForAnotherVersionAreNotTaken() {
        WarmSession otherVersion = entry("v1", V1, 10, 600);
        WarmSession requested = entry("v2", V2, 20, 600);
        pool.add(otherVersion);
        pool.add(requested);
        Instant now = T0.plusSeconds(30);

        assertThat(pool.take(server, V2, now)).contains(requested);
        assertThat(pool.take(server, V2, now)).isEmpty();

        assertThat(pool.list(server)).containsExactly(otherVersion);
    }

    @Test
    void entriesOfAnotherServerAreNeitherTakenNorListed() {
        String otherServer = "server-" + UUID.randomUUID();
        WarmSession theirs = entry(otherServer, "theirs", V1, 10, 600);
        pool.add(theirs);

        assertThat(pool.take(server, V1, T0.plusSeconds(30))).isEmpty();
        assertThat(pool.list(server)).isEmpty();
        assertThat(pool.list(otherServer)).containsExactly(theirs);
    }

    /** Protected: an adapter known to disagree here (and reported) overrides it as a disabled test. */
    @Test
    protected void takeFindsTheFreshEntryOfTheRequestedVersionBehindManyOthers() {
        for (int i = 0; i < 8; i++) {
            pool.add(entry("stale-" + i, V2, i, 100));
        }
        for (int i = 0; i < 8; i++) {
            pool.add(entry("other-version-" + i, V1, 10 + i, 600));
        }
        WarmSession wanted = entry("wanted", V2, 50, 600);
        pool.add(wanted);

        assertThat(pool.take(server, V2, T0.plusSeconds(200))).contains(wanted);
    }

    @Test
    void removeDeletesTheEntryAndSaysSo() {
        WarmSession a = entry("a", V1, 10, 600);
        WarmSession b = entry("b", V1, 20, 600);
        pool.add(a);
        pool.add(b);

        assertThat(pool.remove(a)).isTrue();

        assertThat(pool.list(server)).containsExactly(b);
        assertThat(pool.take(server, V1, T0.plusSeconds(30))).contains(b);
    }

    @Test
    void removeOfAStaleEntryDeletesIt() {
        WarmSession stale = entry("stale", V1, 10, 100);
        pool.add(stale);

        assertThat(pool.remove(stale)).isTrue();

        assertThat(pool.list(server)).isEmpty();
    }

    @Test
    void removeIsFalseWhenSomeoneTookTheEntryFirst() {
        WarmSession a = entry("a", V1, 10, 600);
        pool.add(a);
        assertThat(pool.take(server, V1, T0.plusSeconds(30))).contains(a);

        assertThat(pool.remove(a)).isFalse();
    }

    @Test
    void removeIsFalseTheSecondTime() {
        WarmSession a = entry("a", V1, 10, 600);
        pool.add(a);
        assertThat(pool.remove(a)).isTrue();

        assertThat(pool.remove(a)).isFalse();
    }

    @Test
    void concurrentTakersGetDistinctEntriesAndEachEntryOnce() throws Exception {
        for (int i = 0; i < 6; i++) {
            pool.add(entry("e" + i, V1, 10 + i, 600));
        }

        List<WarmSession> taken = Race.of(16, racer -> pool.take(server, V1, T0.plusSeconds(30)))
                .stream().flatMap(Optional::stream).toList();

        assertThat(taken).hasSize(6);
        assertThat(taken).extracting(WarmSession::entryId).doesNotHaveDuplicates();
        assertThat(pool.list(server)).isEmpty();
    }
}

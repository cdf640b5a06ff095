package dev.mcpbroker.demo;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-memory payments ledger behind the demo tools, and the execution counters the tests read.
 * Every method is synchronized except the wait of a "hung" transfer, which happens outside the lock.
 */
@ApplicationScoped
public class Ledger {

    public static final String CURRENCY = "EUR";
    public static final String TRANSFER = "transfer";
    public static final String GET_BALANCE = "get_balance";
    public static final String LIST_TRANSFERS = "list_transfers";

    /** Seed balances in cents, restored by {@link #reset()}. */
    public static final Map<String, Long> SEED = Map.of("alice", 100_000L, "bob", 50_000L, "carol", 0L);

    /** How long a transfer armed by {@link #hangNextTransfer()} blocks before answering. */
    static final long HANG_SECONDS = 60;

    public record Transfer(String id, String from, String to, long amountCents, String currency, String memo,
            String idempotencyKey, Instant at) {
    }

    /** The outcome of one transfer call: either a transfer with the new balances, or a business error. */
    public record TransferOutcome(Transfer transfer, Map<String, Long> balances, String error, boolean replayed) {
        public boolean isError() {
            return error != null;
        }
    }

    private final Map<String, Long> balances = new TreeMap<>();
    private final List<Transfer> transfers = new ArrayList<>();
    private final Map<String, Long> executions = new LinkedHashMap<>();
    /** Idempotency key -> the arguments and outcome of the first call that used it. */
    private final Map<String, KeyedOutcome> byIdempotencyKey = new LinkedHashMap<>();
    private final AtomicLong nextTransferId = new AtomicLong(1);
    private boolean hangNext;
    private CountDownLatch hangRelease = new CountDownLatch(1);

    private record KeyedOutcome(String from, String to, long amountCents, String currency, TransferOutcome outcome) {
    }

    public Ledger() {
        reset();
    }

    /** Restores the seed balances, forgets transfers, counters and idempotency keys, and releases a hung transfer. */
    public synchronized void reset() {
        balances.clear();
        balances.putAll(SEED);
        transfers.clear();
        byIdempotencyKey.clear();
        executions.clear();
        executions.put(TRANSFER, 0L);
        executions.put(GET_BALANCE, 0L);
        executions.put(LIST_TRANSFERS, 0L);
        nextTransferId.set(1);
        hangNext = false;
        hangRelease.countDown();
        hangRelease = new CountDownLatch(1);
    }

    /** Arms the switch: the next executed transfer is applied, then blocks up to 60 s before it answers. */
    public synchronized void hangNextTransfer() {
        hangNext = true;
    }

    public synchronized Map<String, Long> executions() {
        return new LinkedHashMap<>(executions);
    }

    public synchronized Map<String, Long> balances() {
        return new TreeMap<>(balances);
    }

    /**
     * Executes a transfer. With an idempotency key seen before, the first outcome is replayed and nothing is
     * executed or counted; the same key with different arguments is a business error.
     */
    public TransferOutcome transfer(String from, String to, long amountCents, String currency, String memo,
            String idempotencyKey) {
        TransferOutcome outcome;
        CountDownLatch hang = null;
        synchronized (this) {
            if (idempotencyKey != null && !idempotencyKey.isEmpty()) {
                KeyedOutcome previous = byIdempotencyKey.get(idempotencyKey);
                if (previous != null) {
                    boolean same = previous.from.equals(from) && previous.to.equals(to)
                            && previous.amountCents == amountCents && previous.currency.equals(currency);
                    if (!same) {
                        return new TransferOutcome(null, null,
                                "idempotency key " + idempotencyKey + " was already used with different arguments", true);
                    }
                    TransferOutcome first = previous.outcome;
                    return new TransferOutcome(first.transfer, first.balances, first.error, true);
                }
            }
            executions.merge(TRANSFER, 1L, Long::sum);
            outcome = apply(from, to, amountCents, currency, memo, idempotencyKey);
            if (idempotencyKey != null && !idempotencyKey.isEmpty()) {
                byIdempotencyKey.put(idempotencyKey, new KeyedOutcome(from, to, amountCents, currency, outcome));
            }
            if (hangNext) {
                hangNext = false;
                hang = hangRelease;
            }
        }
        if (hang != null) {
            try {
                hang.await(HANG_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return outcome;
    }

    private TransferOutcome apply(String from, String to, long amountCents, String currency, String memo,
            String idempotencyKey) {
        if (!CURRENCY.equals(currency)) {
            return error("unsupported currency " + currency + " (this ledger only holds " + CURRENCY + ")");
        }
        if (amountCents <= 0) {
            return error("amountCents must be positive, got " + amountCents);
        }
        if (!balances.containsKey(from)) {
            return error("unknown account: " + from);
        }
        if (!balances.containsKey(to)) {
            return error("unknown account: " + to);
        }
        if (from.equals(to)) {
            return error("cannot transfer from an account to itself: " + from);
        }
        long available = balances.get(from);
        if (available < amountCents) {
            return error("insufficient funds: " + from + " has " + available + " cents, needs " + amountCents);
        }
        balances.put(from, available - amountCents);
        balances.merge(to, amountCents, Long::sum);
        Transfer transfer = new Transfer("tx-" + nextTransferId.getAndIncrement(), from, to, amountCents, currency,
                memo, idempotencyKey, Instant.now());
        transfers.add(transfer);
        Map<String, Long> after = new LinkedHashMap<>();
        after.put(from, balances.get(from));
        after.put(to, balances.get(to));
        return new TransferOutcome(transfer, after, null, false);
    }

    private static TransferOutcome error(String message) {
        return new TransferOutcome(null, null, message, false);
    }

    /** The balance of {@code account} in cents, or null when the account does not exist. Counted. */
    public synchronized Long balance(String account) {
        executions.merge(GET_BALANCE, 1L, Long::sum);
        return balances.get(Objects.requireNonNullElse(account, ""));
    }

    /** All transfers, oldest first. Counted. */
    public synchronized List<Transfer> transfers() {
        executions.merge(LIST_TRANSFERS, 1L, Long::sum);
        return List.copyOf(transfers);
    }
}

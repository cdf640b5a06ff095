package dev.mcpbroker.core.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs one task on several threads released at the same moment, as concurrent broker requests race. */
final class Race {

    /** One racer's work; {@code racer} is its number, 0 to threads - 1. */
    @FunctionalInterface
    interface Racer<T> {
        T run(int racer) throws Exception;
    }

    private Race() {
    }

    /** The racers' results, in racer order; a racer's exception fails the race. */
    static <T> List<T> of(int threads, Racer<T> racer) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<T>> running = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int number = i;
                running.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return racer.run(number);
                }));
            }
            ready.await();
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> result : running) {
                results.add(result.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}

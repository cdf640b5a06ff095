package dev.mcpbroker.function.telemetry;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many recorded spans have started and not yet ended. Quarkus adds every {@link SpanProcessor} bean to
 * its tracer provider. The HTTP server span ends when Vert.x has finished writing the response, which can
 * be just after the Lambda handler got it; {@link InvocationTelemetryFlush} waits for this count to reach
 * zero before flushing, so an invocation's spans leave together.
 */
@Singleton
public class OpenSpans implements SpanProcessor {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition allEnded = lock.newCondition();
    private int open;

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        lock.lock();
        try {
            open++;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        lock.lock();
        try {
            open--;
            if (open <= 0) {
                allEnded.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    /** Waits at most {@code limit} until no span is open; whether none is. */
    public boolean awaitNoneOpen(Duration limit) {
        long remaining = limit.toNanos();
        lock.lock();
        try {
            while (open > 0) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = allEnded.awaitNanos(remaining);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }
}

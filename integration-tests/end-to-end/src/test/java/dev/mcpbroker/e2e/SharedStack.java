package dev.mcpbroker.e2e;

import java.nio.file.Path;

/**
 * One stack for the test JVM: two broker instances, both upstreams. Started on first use, stopped when the
 * JVM exits. Tests that kill or add instances start their own on top of it.
 */
final class SharedStack {

    private static LocalBrokerStack stack;

    private SharedStack() {
    }

    static synchronized LocalBrokerStack get() {
        if (stack == null) {
            stack = LocalBrokerStack.start(2, true, Path.of("target/e2e-logs").toAbsolutePath());
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "stop-shared-stack"));
        }
        return stack;
    }
}

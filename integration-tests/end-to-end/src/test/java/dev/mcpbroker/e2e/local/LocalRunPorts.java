package dev.mcpbroker.e2e.local;

import dev.mcpbroker.testkit.aws.EmulatorPorts;
import dev.mcpbroker.testkit.process.Ports;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Ports for a test's local run: a block that is free now, away from the defaults a user's own run takes. */
record LocalRunPorts(int gateway, int firstAws) {

    static LocalRunPorts free() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 60_000);
            if (allFree(base, 1 + EmulatorPorts.COUNT)) {
                return new LocalRunPorts(base, base + 1);
            }
        }
        throw new IllegalStateException("no block of free ports found");
    }

    private static boolean allFree(int first, int count) {
        for (int port = first; port < first + count; port++) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress(InetAddress.getByName(Ports.LOOPBACK), port), 1);
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }
}

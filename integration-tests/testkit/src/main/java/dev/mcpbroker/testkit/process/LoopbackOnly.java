package dev.mcpbroker.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;


/** Asserts that a TCP port is listened on by loopback sockets only (Linux /proc/net, plus a connect probe). */
public final class LoopbackOnly {

    private static final String LISTEN = "0A";
    private static final List<String> LOOPBACK_HEX = List.of(
            "0100007F",                          // 127.0.0.1 in /proc/net/tcp
            "0000000000000000FFFF00000100007F",  // ::ffff:127.0.0.1 in /proc/net/tcp6
            "00000000000000000000000001000000"); // ::1

    private LoopbackOnly() {
    }

    public static void assertListensOnLoopbackOnly(int port) {
        List<String> addresses = new ArrayList<>();
        addresses.addAll(listeners(Path.of("/proc/net/tcp"), port));
        addresses.addAll(listeners(Path.of("/proc/net/tcp6"), port));
        if (addresses.isEmpty()) {
            throw new AssertionError("nothing listens on port " + port);
        }
        if (!LOOPBACK_HEX.containsAll(addresses)) {
            throw new AssertionError("port " + port + " listens beyond loopback: " + addresses);
        }
        for (InetAddress address : nonLoopbackAddresses()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port), 300);
                throw new AssertionError("port " + port + " accepts connections on " + address.getHostAddress());
            } catch (IOException expected) {
                // refused: not listening there
            }
        }
    }

    private static List<String> listeners(Path table, int port) {
        if (!Files.isReadable(table)) {
            return List.of();
        }
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        List<String> result = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(table)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].contains(":") && f[3].equals(LISTEN)) {
                    String[] local = f[1].split(":");
                    if (local[1].equalsIgnoreCase(hexPort)) {
                        result.add(local[0].toUpperCase(Locale.ROOT));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }

    private static List<InetAddress> nonLoopbackAddresses() {
        List<InetAddress> result = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                        result.add(address);
                    }
                }
            }
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }
}

package dev.mcpbroker.testkit.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.mcpbroker.testkit.process.Ports;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every emulator port listens on 127.0.0.1 only: nothing the harness starts is reachable from the network. */
class LoopbackBindingTest {

    private static AwsEnvironment aws;

    @BeforeAll
    static void emulatorsOnly() {
        aws = AwsEnvironment.shared();
        assumeThat(aws.kind()).as("LocalStack's ports are published by Docker").isEqualTo("emulators");
    }

    static Stream<String> services() {
        return Stream.of("dynamodb", "kinesis", "secretsmanager", "sts", "s3");
    }

    private static int port(String service) {
        URI endpoint = switch (service) {
            case "dynamodb" -> aws.dynamoDbEndpoint();
            case "kinesis" -> aws.kinesisEndpoint();
            case "secretsmanager" -> aws.secretsManagerEndpoint();
            case "sts" -> aws.stsEndpoint();
            case "s3" -> aws.s3Endpoint();
            default -> throw new IllegalArgumentException(service);
        };
        assertThat(endpoint.getHost()).isEqualTo(Ports.LOOPBACK);
        return endpoint.getPort();
    }

    @ParameterizedTest
    @MethodSource("services")
    void emulatorPortIsBoundToLoopbackOnly(String service) throws IOException {
        int port = port(service);
        assertThat(Ports.isListening(port)).isTrue();

        // What the kernel says the socket is bound to (Linux); covers machines whose only interface is loopback.
        List<InetAddress> bound = listeningAddresses(port);
        if (Files.isReadable(Path.of("/proc/net/tcp"))) {
            assertThat(bound).as("addresses listening on port %d", port).isNotEmpty().allMatch(InetAddress::isLoopbackAddress);
        }
        // And from the outside: every other address of this machine refuses the connection.
        for (InetAddress address : nonLoopbackAddresses()) {
            assertThatThrownBy(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(address, port), 500);
                }
            }).as("connecting to %s:%d", address, port).isInstanceOf(IOException.class);
        }
    }

    private static List<InetAddress> nonLoopbackAddresses() throws SocketException {
        List<InetAddress> addresses = new ArrayList<>();
        for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
            if (nic.isUp() && !nic.isLoopback()) {
                nic.inetAddresses()
                        .filter(address -> !(address instanceof Inet6Address v6 && v6.isLinkLocalAddress()))
                        .forEach(addresses::add);
            }
        }
        return addresses;
    }

    /** Local addresses of sockets in LISTEN state on {@code port}, from /proc/net/tcp and tcp6. */
    private static List<InetAddress> listeningAddresses(int port) throws IOException {
        List<InetAddress> addresses = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.isReadable(path)) {
                continue;
            }
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                String[] local = fields[1].split(":");
                boolean listening = "0A".equals(fields[3]);
                if (listening && Integer.parseInt(local[1], 16) == port) {
                    addresses.add(procAddress(local[0]));
                }
            }
        }
        return addresses;
    }

    /** /proc/net writes addresses as 32-bit words in host (little-endian) byte order. */
    private static InetAddress procAddress(String hex) throws UnknownHostException {
        byte[] raw = HexFormat.of().parseHex(hex);
        byte[] address = new byte[raw.length];
        for (int word = 0; word < raw.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                address[word + i] = raw[word + 3 - i];
            }
        }
        return InetAddress.getByAddress(address); // an IPv4-mapped IPv6 address comes back as IPv4
    }
}

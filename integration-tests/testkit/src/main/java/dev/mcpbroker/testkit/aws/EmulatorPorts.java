package dev.mcpbroker.testkit.aws;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the emulators listen on 127.0.0.1. {@code 0} lets the operating system choose a free port (what tests
 * want: nothing to collide with); fixed ports give a local run the same endpoints on every start.
 *
 * @param kinesisTls kinesis-local always opens a TLS listener too; nothing uses it, but it needs a port of its own
 */
public record EmulatorPorts(int dynamoDb, int kinesis, int kinesisTls, int secretsManager, int sts) {

    /** Any free ports. */
    public static final EmulatorPorts ANY = new EmulatorPorts(0, 0, 0, 0, 0);

    /** How many consecutive ports {@link #from(int)} takes. */
    public static final int COUNT = 5;

    public EmulatorPorts {
        for (int port : new int[] {dynamoDb, kinesis, kinesisTls, secretsManager, sts}) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("not a TCP port: " + port);
            }
        }
    }

    /** {@value #COUNT} consecutive ports from {@code first}: DynamoDB, Kinesis, Kinesis TLS, Secrets Manager, STS. */
    public static EmulatorPorts from(int first) {
        if (first < 1 || first + COUNT - 1 > 65_535) {
            throw new IllegalArgumentException("ports " + first + ".." + (first + COUNT - 1) + " are not all TCP ports");
        }
        return new EmulatorPorts(first, first + 1, first + 2, first + 3, first + 4);
    }

    /** Each fixed port with what it is for, in start order; ports left to the operating system are not listed. */
    public Map<String, Integer> fixed() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        put(ports, "DynamoDB", dynamoDb);
        put(ports, "Kinesis", kinesis);
        put(ports, "Kinesis (TLS, unused)", kinesisTls);
        put(ports, "Secrets Manager", secretsManager);
        put(ports, "STS", sts);
        return ports;
    }

    private static void put(Map<String, Integer> ports, String what, int port) {
        if (port != 0) {
            ports.put(what, port);
        }
    }
}

package dev.mcpbroker.testkit.aws.dynamodb;

import java.lang.reflect.Field;
import java.util.Arrays;

/**
 * Main class of the child JVM that runs DynamoDB Local, bound to one host address.
 *
 * <p>DynamoDB Local's own main ({@code ServerRunner}) has no option for the listen address: its
 * {@code DynamoDBProxyServer} creates a Jetty {@code Server(port)}, whose connector listens on all interfaces. This
 * launcher lets DynamoDB Local build that server from the usual command line, sets the host of the Jetty
 * connector before the server starts, then starts it.
 *
 * <p>Everything is reached by reflection because this class is compiled with the testkit, which deliberately does
 * not have DynamoDB Local on its classpath; the child JVM has both. It uses nothing else from the testkit.
 *
 * <p>Usage: {@code DynamoDbLocalLauncher <host> <DynamoDB Local arguments...>}
 */
public final class DynamoDbLocalLauncher {

    private DynamoDbLocalLauncher() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: DynamoDbLocalLauncher <host> <DynamoDB Local arguments...>");
            System.exit(2);
        }
        exitWithParent();
        String host = args[0];
        String[] serverArgs = Arrays.copyOfRange(args, 1, args.length);

        Class<?> runner = Class.forName("com.amazonaws.services.dynamodbv2.local.main.ServerRunner");
        Object proxyServer = runner.getMethod("createServerFromCommandLineArgs", String[].class).invoke(null, (Object) serverArgs);
        Field serverField = proxyServer.getClass().getDeclaredField("server");
        serverField.setAccessible(true);
        Object jetty = serverField.get(proxyServer);
        Object[] connectors = (Object[]) jetty.getClass().getMethod("getConnectors").invoke(jetty);
        if (connectors.length == 0) {
            throw new IllegalStateException("DynamoDB Local's Jetty server has no connector to bind");
        }
        for (Object connector : connectors) {
            connector.getClass().getMethod("setHost", String.class).invoke(connector, host);
        }

        // DynamoDBProxyServer.start() reports a port already in use on stderr and stops instead of throwing.
        proxyServer.getClass().getMethod("start").invoke(proxyServer);
        if (!(Boolean) jetty.getClass().getMethod("isStarted").invoke(jetty)) {
            System.err.println("DynamoDB Local did not start");
            System.exit(1);
        }
        System.out.println("DynamoDB Local listening on " + host + " " + Arrays.toString(serverArgs));
        proxyServer.getClass().getMethod("join").invoke(proxyServer);
    }

    /** A harness killed with SIGKILL cannot stop its children: they notice and stop themselves. */
    private static void exitWithParent() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(0)));
    }
}

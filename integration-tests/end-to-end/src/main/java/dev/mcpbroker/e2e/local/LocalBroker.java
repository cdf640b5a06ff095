package dev.mcpbroker.e2e.local;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The main class of {@code scripts/run-local.sh}: reads the options, starts the {@link LocalRun}, prints the
 * {@link LocalRunBanner} and keeps everything running until the process is interrupted (Ctrl-C) or terminated.
 * Exit status: 2 for a command line it cannot run, 1 when a port is taken or the start fails.
 */
public final class LocalBroker {

    private LocalBroker() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.print(LocalRunOptions.USAGE);
            return;
        }
        LocalRunOptions options;
        try {
            options = LocalRunOptions.parse(args, Path.of(System.getProperty("broker.local.logs", "target/local-run")));
        } catch (LocalRunOptions.UsageException e) {
            System.err.println("run-local: " + e.getMessage());
            System.err.print(LocalRunOptions.USAGE);
            System.exit(2);
            return;
        }
        LocalRun run;
        try {
            run = LocalRun.start(options, System.out::println);
        } catch (LocalPorts.PortInUseException e) {
            System.err.println("run-local: " + e.getMessage());
            System.exit(1);
            return;
        } catch (RuntimeException e) {
            // What failed to start has been stopped again; its log says why.
            System.err.println("run-local: could not start: " + e.getMessage() + "\n(logs in " + options.logDir() + ")");
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            run.close();
            stopped.countDown();
        }, "stop-local-run"));
        Duration startup = Duration.ofMillis(System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime());
        System.out.println(LocalRunBanner.render(run, startup));
        stopped.await();
    }
}

package dev.mcpbroker.e2e.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used so far (user + system, all its threads, living and ended), read from
 * {@code /proc/<pid>/stat} as Linux accounts it, in clock ticks of {@code 1 / CLK_TCK} seconds (10 ms on Linux).
 */
final class ProcessCpu {

    /** Linux reports {@code stat} times in USER_HZ, 100 on every mainstream architecture. */
    private static final double MILLIS_PER_TICK = 1000.0 / 100;

    private ProcessCpu() {
    }

    /** CPU milliseconds {@code pid} has used, at the 10 ms resolution of the kernel's accounting. */
    static double millis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name (field 2) may contain spaces; fields after it are counted from its closing parenthesis
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(fields[11]);
            long stime = Long.parseLong(fields[12]);
            return (utime + stime) * MILLIS_PER_TICK;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of process " + pid + " (Linux only)", e);
        }
    }
}

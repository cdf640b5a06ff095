package dev.mcpbroker.e2e.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The frame of every end-to-end benchmark: measure, print the results and write them to {@code bench.out},
 * exit with a status. The local AWS environment and child processes stop in shutdown hooks.
 */
final class BenchmarkRun {

    /** One benchmark's measurements, in the order they are reported. */
    interface Measurement {
        Map<String, Object> measure() throws IOException;
    }

    private BenchmarkRun() {
    }

    /** @param defaultOut where results go unless {@code -Dbench.out} says otherwise */
    static void main(String defaultOut, Measurement measurement) {
        int status = 1;
        try {
            Path out = Path.of(System.getProperty("bench.out", defaultOut));
            String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(measurement.measure());
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, json);
            System.out.println(json);
            status = 0;
        } catch (IOException | RuntimeException e) {
            e.printStackTrace();
        } finally {
            System.exit(status);
        }
    }
}

package dev.mcpbroker.testkit.lb;

import dev.mcpbroker.testkit.RepoPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Where the nginx executable is, installed on demand without root.
 *
 * <p>In order: {@code $NGINX_BINARY}; {@code /usr/sbin/nginx}; {@code <repo>/.tools/nginx/usr/sbin/nginx}; otherwise
 * {@code scripts/lib/nginx.sh} fetches Debian's package with {@code apt-get download} and unpacks it with
 * {@code dpkg -x} into {@code <repo>/.tools/nginx} (no service is started, nothing is installed system-wide). The
 * script is the one place that knows how, so CI ({@code .ci/run}) and the test JVMs install the same way; it also
 * serialises concurrent installs with a lock.
 */
public final class NginxBinary {

    private static final long INSTALL_TIMEOUT_SECONDS = 300;

    private static Path binary;

    private NginxBinary() {
    }

    /** The nginx executable, installed into {@code <repo>/.tools/nginx} first when there is none. */
    public static synchronized Path get() {
        if (binary == null) {
            binary = locate();
        }
        return binary;
    }

    private static Path locate() {
        String fromEnv = System.getenv("NGINX_BINARY");
        if (fromEnv != null && !fromEnv.isBlank()) {
            Path candidate = Path.of(fromEnv).toAbsolutePath();
            if (!runs(candidate)) {
                throw new IllegalStateException("NGINX_BINARY=" + fromEnv + " does not run (`nginx -v` failed)");
            }
            return candidate;
        }
        for (Path candidate : new Path[] {Path.of("/usr/sbin/nginx"), toolsBinary()}) {
            if (runs(candidate)) {
                return candidate;
            }
        }
        install();
        if (!runs(toolsBinary())) {
            throw new IllegalStateException("scripts/lib/nginx.sh succeeded but " + toolsBinary() + " does not run");
        }
        return toolsBinary();
    }

    /** {@code <repo>/.tools/nginx/usr/sbin/nginx}: where {@code dpkg -x} puts Debian's binary. */
    public static Path toolsBinary() {
        return RepoPaths.toolsDir().resolve("nginx").resolve("usr").resolve("sbin").resolve("nginx");
    }

    /** {@code nginx -v} of an executable ({@code nginx version: nginx/1.22.1}), or null when it cannot be run. */
    public static String version(Path executable) {
        if (!Files.isExecutable(executable)) {
            return null;
        }
        try {
            Process p = new ProcessBuilder(executable.toString(), "-v").redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static boolean runs(Path executable) {
        return version(executable) != null;
    }

    private static void install() {
        Path script = RepoPaths.repoRoot().resolve("scripts").resolve("lib").resolve("nginx.sh");
        try {
            Path log = Files.createTempFile("nginx-install-", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder("bash", script.toString())
                        .directory(RepoPaths.repoRoot().toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
                // The script must install into .tools, not accept a system nginx this JVM already rejected.
                builder.environment().remove("NGINX_BINARY");
                Process p = builder.start();
                if (!p.waitFor(INSTALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    throw new IllegalStateException(script + " did not finish within " + INSTALL_TIMEOUT_SECONDS + " s");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("no nginx, and " + script + " could not install one (exit "
                            + p.exitValue() + "):\n" + Files.readString(log));
                }
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing nginx", e);
        }
    }
}

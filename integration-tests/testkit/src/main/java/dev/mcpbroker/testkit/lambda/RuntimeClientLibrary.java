package dev.mcpbroker.testkit.lambda;

import com.amazonaws.services.lambda.runtime.api.client.AWSLambda;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The runtime interface client's native library, unpacked once for every function process this JVM starts.
 *
 * <p>Left to itself, the client copies the library to one fixed path, {@code /tmp/.libaws-lambda-jni.so}, whenever
 * a function process starts (in Lambda each execution environment has a {@code /tmp} of its own). Function processes
 * starting at the same moment on one machine overwrite the file another one is loading, and that JVM dies with
 * SIGBUS. The client loads the file named by {@link #PROPERTY} instead when it is set: a copy named by its content,
 * written aside and moved into place, which no start ever changes again.
 */
final class RuntimeClientLibrary {

    /** The client's own system property for a library it should load rather than unpack. */
    static final String PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

    private static final ConcurrentMap<Path, Path> UNPACKED = new ConcurrentHashMap<>();

    private RuntimeClientLibrary() {
    }

    /** The {@code -D} option that points a function JVM at the library, unpacked under {@code dir} if needed. */
    static String jvmOption(Path dir) {
        return "-D" + PROPERTY + "=" + UNPACKED.computeIfAbsent(dir.toAbsolutePath(), RuntimeClientLibrary::unpack);
    }

    private static Path unpack(Path dir) {
        String resource = "/jni/libaws-lambda-jni." + platform() + ".so";
        try (InputStream in = AWSLambda.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the runtime interface client has no " + resource);
            }
            byte[] library = in.readAllBytes();
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(library), 0, 8);
            Files.createDirectories(dir);
            Path target = dir.resolve("libaws-lambda-jni-" + digest + ".so");
            if (!Files.exists(target)) {
                Path temporary = Files.createTempFile(dir, "libaws-lambda-jni", ".tmp");
                Files.write(temporary, library);
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the runtime interface client's native library", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The client's name for this machine: {@code linux-x86_64}, {@code linux-aarch_64}, or their musl variants. */
    private static String platform() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String cpu = arch.equals("aarch64") || arch.equals("arm64") ? "aarch_64" : "x86_64";
        return (musl() ? "linux_musl-" : "linux-") + cpu;
    }

    private static boolean musl() {
        for (String lib : new String[] {"/lib", "/usr/lib"}) {
            try (DirectoryStream<Path> loaders = Files.newDirectoryStream(Path.of(lib), "ld-musl-*.so.1")) {
                if (loaders.iterator().hasNext()) {
                    return true;
                }
            } catch (IOException | RuntimeException noSuchDirectory) {
                // not this one
            }
        }
        return false;
    }
}

package dev.mcpbroker.e2e.local;

import dev.mcpbroker.testkit.aws.EmulatorPorts;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line of {@code scripts/run-local.sh}. Every option has a documented default, so the plain command
 * starts the same thing on the same ports every time.
 */
public record LocalRunOptions(int port, int awsPorts, Optional<String> issuer, Optional<URI> jwksUrl,
                              Optional<String> audience, Map<String, URI> upstreams, Optional<URI> otlp,
                              Optional<Duration> maintenanceEvery, boolean withEverything, Path logDir) {

    public static final int DEFAULT_PORT = 8790;
    public static final int DEFAULT_AWS_PORTS = 8791;

    public static final String USAGE = """
            usage: scripts/run-local.sh [options]

              --port <n>                the API gateway's port, where the MCP endpoints are (default 8790)
              --aws-ports <n>           the first of five ports for the AWS emulators (default 8791): DynamoDB n,
                                        Kinesis n+1, Kinesis' unused TLS listener n+2, Secrets Manager n+3, STS n+4
              --issuer <url>            trust tokens of this issuer instead of the dev token (needs --jwks-url)
              --jwks-url <url>          where that issuer publishes its signing keys (a JWK Set)
              --audience <uri>          the broker's resource URL, the audience tokens must name
                                        (default https://mcp-broker.local)
              --upstream <id>=<url>     register your own MCP server (Streamable HTTP) and grant it to the dev
                                        agent; repeatable
              --otlp <url>              send traces and metrics over OTLP/HTTP, e.g. http://127.0.0.1:4318
              --maintenance-every <d>   how often session maintenance runs, e.g. 10s, 5m (default: the template's
                                        schedule, every minute)
              --no-everything           without @modelcontextprotocol/server-everything
              --logs <dir>              logs and unpacked functions (default target/local-run)
              --help
            """;

    private static final Pattern SERVER_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    /** Reads the arguments; {@code defaultLogDir} is used without {@code --logs}. */
    public static LocalRunOptions parse(String[] args, Path defaultLogDir) {
        int port = DEFAULT_PORT;
        int awsPorts = DEFAULT_AWS_PORTS;
        String issuer = null;
        URI jwksUrl = null;
        String audience = null;
        Map<String, URI> upstreams = new LinkedHashMap<>();
        URI otlp = null;
        Duration maintenance = null;
        boolean everything = true;
        Path logDir = defaultLogDir;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--port" -> port = port(option, value(args, ++i, option));
                case "--aws-ports" -> awsPorts = port(option, value(args, ++i, option));
                case "--issuer" -> issuer = value(args, ++i, option);
                case "--jwks-url" -> jwksUrl = httpUrl(option, value(args, ++i, option));
                case "--audience" -> audience = value(args, ++i, option);
                case "--upstream" -> {
                    String value = value(args, ++i, option);
                    int eq = value.indexOf('=');
                    String id = eq < 0 ? "" : value.substring(0, eq);
                    if (!SERVER_ID.matcher(id).matches()) {
                        throw new UsageException("--upstream takes <id>=<url> with a lower-case id (a-z, 0-9, - and _), not '" + value + "'");
                    }
                    if (upstreams.put(id, httpUrl(option, value.substring(eq + 1))) != null || id.equals("payments")
                            || id.equals("everything")) {
                        throw new UsageException("--upstream " + id + " is already registered");
                    }
                }
                case "--otlp" -> otlp = httpUrl(option, value(args, ++i, option));
                case "--maintenance-every" -> maintenance = duration(option, value(args, ++i, option));
                case "--no-everything" -> everything = false;
                case "--logs" -> logDir = Path.of(value(args, ++i, option));
                default -> throw new UsageException("unknown option '" + option + "'");
            }
        }
        if ((issuer == null) != (jwksUrl == null)) {
            throw new UsageException("--issuer and --jwks-url go together: the issuer's tokens are checked with its keys");
        }
        if (awsPorts + EmulatorPorts.COUNT - 1 > 65_535) {
            throw new UsageException("--aws-ports " + awsPorts + " leaves no room for " + EmulatorPorts.COUNT + " ports");
        }
        if (port >= awsPorts && port < awsPorts + EmulatorPorts.COUNT) {
            throw new UsageException("--port " + port + " is one of the emulators' ports " + awsPorts + ".."
                    + (awsPorts + EmulatorPorts.COUNT - 1));
        }
        return new LocalRunOptions(port, awsPorts, Optional.ofNullable(issuer), Optional.ofNullable(jwksUrl),
                Optional.ofNullable(audience), Map.copyOf(upstreams), Optional.ofNullable(otlp), Optional.ofNullable(maintenance),
                everything, logDir.toAbsolutePath());
    }

    public EmulatorPorts emulatorPorts() {
        return EmulatorPorts.from(awsPorts);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    private static int port(String option, String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(option + " takes a port (1-65535), not '" + value + "'");
    }

    private static URI httpUrl(String option, String value) {
        try {
            URI uri = new URI(value);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new UsageException(option + " takes an http(s) URL, not '" + value + "'");
    }

    /** {@code 10s}, {@code 5m}, {@code 1h}, or ISO-8601 ({@code PT30S}). */
    static Duration duration(String option, String value) {
        Matcher shortForm = SHORT_DURATION.matcher(value.toLowerCase(Locale.ROOT));
        Duration duration = null;
        if (shortForm.matches()) {
            long amount = Long.parseLong(shortForm.group(1));
            duration = switch (shortForm.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        } else {
            try {
                duration = Duration.parse(value);
            } catch (DateTimeParseException e) {
                // reported below
            }
        }
        if (duration == null || duration.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new UsageException(option + " takes a duration of at least 1s (e.g. 10s, 5m, PT30S), not '" + value + "'");
        }
        return duration;
    }

    /** A command line that cannot be run; the message says why. */
    public static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}

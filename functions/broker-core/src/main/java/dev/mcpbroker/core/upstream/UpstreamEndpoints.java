package dev.mcpbroker.core.upstream;

import dev.mcpbroker.core.error.BrokerException;
import dev.mcpbroker.core.error.ErrorCode;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Which upstream endpoints the broker may contact. An upstream is reached with the broker's network position and
 * the upstream's credential, so a registry entry that names the instance metadata service, a link-local address or
 * the Lambda runtime API (loopback) would turn the broker into a way into its own environment. In production an
 * endpoint must be {@code https} and resolve only to addresses that are none of these; local development (the
 * local run, tests) also admits {@code http} and loopback. Link-local and metadata addresses are never admitted.
 *
 * <p>Checked before every exchange, with the JVM's DNS cache (a name is looked up again once its cached answer
 * expires), so a registry entry cannot be made to point inward later without being refused.
 */
public final class UpstreamEndpoints {

    /** Endpoints a production broker may contact. */
    public static final UpstreamEndpoints PRODUCTION = new UpstreamEndpoints(false);
    /** Also {@code http} and loopback: for local runs and tests only. */
    public static final UpstreamEndpoints LOCAL_DEVELOPMENT = new UpstreamEndpoints(true);

    private final boolean localDevelopment;

    private UpstreamEndpoints(boolean localDevelopment) {
        this.localDevelopment = localDevelopment;
    }

    public static UpstreamEndpoints of(boolean localDevelopment) {
        return localDevelopment ? LOCAL_DEVELOPMENT : PRODUCTION;
    }

    /**
     * @throws BrokerException {@code upstream_endpoint_not_allowed} (nothing was sent) when the endpoint is not one
     *                         the broker may contact
     */
    public void check(UpstreamServer server) {
        problem(server.endpoint()).ifPresent(problem -> {
            throw new BrokerException(ErrorCode.UPSTREAM_ENDPOINT_NOT_ALLOWED,
                    "the registered endpoint of upstream '" + server.id() + "' is not allowed: " + problem);
        });
    }

    /** What is wrong with an endpoint, if anything: for the registry's administrators as much as for the broker. */
    public Optional<String> problem(URI endpoint) {
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(localDevelopment && scheme.equals("http"))) {
            return Optional.of(localDevelopment ? "the scheme must be http or https" : "the scheme must be https");
        }
        String host = endpoint.getHost();
        if (host == null || host.isEmpty()) {
            return Optional.of("it names no host");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return Optional.empty(); // unreachable rather than dangerous: the exchange fails as not executed
        }
        for (InetAddress address : addresses) {
            if (address.isLinkLocalAddress() || isMetadata(address)) {
                return Optional.of("it names a link-local or instance metadata address");
            }
            if (!localDevelopment && (address.isLoopbackAddress() || address.isAnyLocalAddress())) {
                return Optional.of("it names a loopback address (the Lambda runtime API listens there)");
            }
        }
        return Optional.empty();
    }

    /** The instance metadata service: 169.254.169.254 (link-local anyway) and its IPv6 address fd00:ec2::254. */
    private static boolean isMetadata(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address) {
            byte[] metadata = {(byte) 0xfd, 0, 0x0e, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};
            return java.util.Arrays.equals(bytes, metadata);
        }
        return bytes.length == 4 && (bytes[0] & 0xff) == 169 && (bytes[1] & 0xff) == 254;
    }

    @Override
    public String toString() {
        return localDevelopment ? "UpstreamEndpoints[local development]" : "UpstreamEndpoints[production]";
    }
}

package dev.mcpbroker.testkit.aws.emulator;

import com.sun.net.httpserver.HttpExchange;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The caller's access key id, read from a SigV4 {@code Authorization} header. Signatures are not verified: the
 * emulators trust the local caller, but like AWS they refuse unsigned requests, so that a client misconfigured
 * without credentials fails here as it would in production.
 */
final class SignedRequest {

    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/,\\s]+)/");

    private SignedRequest() {
    }

    static String accessKeyId(HttpExchange exchange) {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        return Optional.ofNullable(authorization)
                .filter(value -> value.startsWith("AWS4-HMAC-SHA256 "))
                .map(CREDENTIAL::matcher)
                .filter(Matcher::find)
                .map(matcher -> matcher.group(1))
                .orElseThrow(() -> new AwsServiceError("MissingAuthenticationToken", 403,
                        "Request is missing Authentication Token"));
    }
}

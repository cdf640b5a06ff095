package dev.mcpbroker.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.error.StoreUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * Turns an upstream's secret into the headers of its auth scheme, with every form of the secret the redactor must
 * look for. The one place this happens, for the broker and the admin CLI alike.
 */
public final class SecretCredentials {

    private SecretCredentials() {
    }

    /** @throws StoreUnavailableException when a basic credential is not {@code {"username","password"}} */
    public static UpstreamCredential of(UpstreamServer server, String secret, ObjectMapper mapper) {
        UpstreamAuth auth = server.auth();
        return switch (auth.scheme()) {
            case BEARER -> new UpstreamCredential(Map.of("Authorization", "Bearer " + secret), Set.of(secret));
            case HEADER -> new UpstreamCredential(Map.of(auth.headerName(), secret), Set.of(secret));
            case BASIC -> basic(server, secret, mapper);
            case NONE -> UpstreamCredential.NONE;
        };
    }

    private static UpstreamCredential basic(UpstreamServer server, String secret, ObjectMapper mapper) {
        JsonNode json;
        try {
            json = mapper.readTree(secret);
        } catch (IOException e) {
            throw new StoreUnavailableException("the basic credential of '" + server.id() + "' is not JSON", null);
        }
        String username = json.path("username").asText("");
        String password = json.path("password").asText("");
        if (username.isEmpty() || password.isEmpty()) {
            throw new StoreUnavailableException("the basic credential of '" + server.id() + "' lacks username or password", null);
        }
        String encoded = Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        return new UpstreamCredential(Map.of("Authorization", "Basic " + encoded), Set.of(password, encoded, secret));
    }
}

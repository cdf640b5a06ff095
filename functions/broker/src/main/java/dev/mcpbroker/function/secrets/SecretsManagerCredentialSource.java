package dev.mcpbroker.function.secrets;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.error.StoreUnavailableException;
import dev.mcpbroker.core.policy.TtlCache;
import dev.mcpbroker.core.upstream.CredentialSource;
import dev.mcpbroker.core.upstream.SecretCredentials;
import dev.mcpbroker.core.upstream.UpstreamAuth;
import dev.mcpbroker.core.upstream.UpstreamCredential;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.time.Clock;
import java.time.Duration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Upstream credentials from Secrets Manager, resolved at call time. Values are kept in process for at
 * most {@code cacheTtl} (zero: every call asks Secrets Manager); a refresh bypasses the cache. The secret
 * is turned into request headers here and nowhere else, and every form of it (raw, encoded) is handed to
 * the redactor.
 */
public final class SecretsManagerCredentialSource implements CredentialSource {

    private final SecretsManagerClient secrets;
    private final ObjectMapper mapper;
    private final TtlCache<String, String> cache;

    public SecretsManagerCredentialSource(SecretsManagerClient secrets, ObjectMapper mapper, Duration cacheTtl, Clock clock) {
        this.secrets = secrets;
        this.mapper = mapper;
        this.cache = new TtlCache<>(cacheTtl, clock);
    }

    @Override
    public UpstreamCredential resolve(UpstreamServer server, boolean refresh) {
        UpstreamAuth auth = server.auth();
        if (auth.scheme() == UpstreamAuth.Scheme.NONE) {
            return UpstreamCredential.NONE;
        }
        if (refresh) {
            cache.invalidate(auth.secretId());
        }
        return SecretCredentials.of(server, cache.get(auth.secretId(), this::fetch), mapper);
    }

    private String fetch(String secretId) {
        try {
            String value = secrets.getSecretValue(b -> b.secretId(secretId)).secretString();
            if (value == null || value.isEmpty()) {
                throw new StoreUnavailableException("secret has no string value", null);
            }
            return value;
        } catch (SdkException e) {
            // The SDK's message names the secret and the failure, never its value.
            throw new StoreUnavailableException("secret could not be read: " + e.getClass().getSimpleName(), e);
        }
    }
}

package dev.mcpbroker.core.upstream;

import java.util.Objects;

/**
 * How the broker authenticates to an upstream. The credential itself stays in Secrets Manager under
 * {@code secretId} and is attached only to broker-to-upstream requests.
 *
 * @param scheme     how the credential is presented
 * @param secretId   Secrets Manager secret id or ARN; null for {@link Scheme#NONE}
 * @param headerName the header carrying the secret for {@link Scheme#HEADER} (e.g. {@code X-Api-Key})
 */
public record UpstreamAuth(Scheme scheme, String secretId, String headerName) {

    public static final UpstreamAuth NONE = new UpstreamAuth(Scheme.NONE, null, null);

    /**
     * Upstream secrets are named under this prefix (the admin CLI creates them so); the function's IAM
     * policy may read nothing else in Secrets Manager.
     */
    public static final String SECRET_PREFIX = "mcp-broker/upstream/";

    public enum Scheme {
        /** No credential. */
        NONE,
        /** {@code Authorization: Bearer <secret>}. */
        BEARER,
        /** {@code <headerName>: <secret>}. */
        HEADER,
        /** {@code Authorization: Basic base64(username:password)}; the secret is {@code {"username","password"}}. */
        BASIC
    }

    public UpstreamAuth {
        Objects.requireNonNull(scheme, "scheme");
        if (scheme != Scheme.NONE && (secretId == null || secretId.isBlank())) {
            throw new IllegalArgumentException(scheme + " needs a secret id");
        }
        if (scheme == Scheme.HEADER && (headerName == null || headerName.isBlank())) {
            throw new IllegalArgumentException("HEADER needs a header name");
        }
    }
}

package dev.mcpbroker.core.upstream;

/**
 * Resolves an upstream's credential at call time. Implementations may cache for a bounded time; a
 * {@code refresh} bypasses the cache (used once after an upstream 401). Failures are thrown as
 * {@link dev.mcpbroker.core.error.StoreUnavailableException}: without its credential the call is not made.
 */
public interface CredentialSource {

    UpstreamCredential resolve(UpstreamServer server, boolean refresh);

    /** For upstreams without credentials. */
    CredentialSource NONE = (server, refresh) -> UpstreamCredential.NONE;
}

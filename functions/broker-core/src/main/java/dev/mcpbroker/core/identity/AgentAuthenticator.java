package dev.mcpbroker.core.identity;

/**
 * Establishes the caller's identity from the request's {@code Authorization} header. Implementations
 * verify the token completely (signature with an asymmetric algorithm, issuer, audience, validity
 * window) and throw a {@link dev.mcpbroker.core.error.BrokerException} with one of the {@code TOKEN_*}
 * codes otherwise. The token itself never leaves this port: it is not forwarded, logged or stored.
 */
public interface AgentAuthenticator {

    /**
     * @param authorizationHeader the raw header value, or null when absent
     * @param serverId            the server the request is for: a token may name the broker itself, or
     *                            this server's endpoint ({@code <resource>/mcp/<serverId>}), as its audience
     */
    AgentIdentity authenticate(String authorizationHeader, String serverId);
}

package dev.mcpbroker.function.auth;

import org.jose4j.lang.UnresolvableKeyException;

/**
 * Why no verification key was returned for a token. Both kinds extend jose4j's {@link UnresolvableKeyException}
 * so that they travel unchanged through jose4j and SmallRye JWT (which keep it as the cause of their
 * {@code ParseException}); {@link JwtAgentAuthenticator} then tells them apart by type, never by message.
 */
abstract sealed class KeySourceException extends UnresolvableKeyException {

    private KeySourceException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The key set holds no key for the token's {@code kid} and algorithm, even after a refetch. */
    static final class KeyUnknown extends KeySourceException {
        KeyUnknown(String message) {
            super(message, null);
        }
    }

    /** The key set could not be fetched or read: the token was not checked at all. */
    static final class KeysUnavailable extends KeySourceException {
        KeysUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

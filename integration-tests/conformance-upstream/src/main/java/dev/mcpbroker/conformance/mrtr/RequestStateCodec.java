package dev.mcpbroker.conformance.mrtr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.conformance.json.Json;
import dev.mcpbroker.conformance.json.McpError;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * The {@code requestState} of an {@code input_required} result: the answers collected in earlier rounds, bound to
 * the request they belong to (method, name, arguments), to the caller ({@code Authorization}) and to an expiry, and
 * signed with HMAC-SHA256 under a key only this process knows. The client treats it as opaque; anything it changes
 * fails verification.
 *
 * <p>Format: {@code base64url(payload JSON) "." base64url(HMAC(payload part))}.
 */
public final class RequestStateCodec {

    /** How long a client may take to answer a round. */
    public static final Duration TTL = Duration.ofMinutes(10);
    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final byte[] key;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public RequestStateCodec(byte[] key, Clock clock) {
        this.key = key.clone();
        this.clock = clock;
    }

    /** A codec with a fresh random key: states do not survive a restart, as intended. */
    public static RequestStateCodec withRandomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return new RequestStateCodec(key, Clock.systemUTC());
    }

    /** What a state is bound to: the request it continues and who sent it. */
    public record Binding(String method, String name, JsonNode arguments, String principal) {

        String digest() {
            return sha256(method + "\n" + name + "\n" + Json.canonical(arguments) + "\n" + principal);
        }
    }

    public String encode(Binding binding, Map<String, JsonNode> answers) {
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        ObjectNode payload = Json.object("v", 1, "b", binding.digest(),
                "exp", clock.millis() + TTL.toMillis(), "nonce", ENCODER.encodeToString(nonce));
        payload.set("answers", Json.toNode(answers));
        String body = ENCODER.encodeToString(Json.write(payload).getBytes(StandardCharsets.UTF_8));
        return body + "." + ENCODER.encodeToString(mac(body));
    }

    /**
     * The answers carried by {@code state}.
     *
     * @throws McpError -32602 when the state was altered, belongs to another request or caller, or has expired
     */
    public Map<String, JsonNode> decode(String state, Binding binding) {
        int dot = state.lastIndexOf('.');
        if (dot <= 0) {
            throw rejected("malformed");
        }
        String body = state.substring(0, dot);
        byte[] signature;
        try {
            signature = DECODER.decode(state.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw rejected("integrity check failed");
        }
        if (!MessageDigest.isEqual(signature, mac(body))) {
            throw rejected("integrity check failed");
        }
        JsonNode payload;
        try {
            payload = Json.parse(DECODER.decode(body));
        } catch (Exception e) {
            throw rejected("malformed");
        }
        if (!binding.digest().equals(payload.path("b").asText())) {
            throw rejected("it belongs to another request");
        }
        if (payload.path("exp").asLong() < clock.millis()) {
            throw rejected("it has expired");
        }
        ObjectNode answers = Json.objectAt(payload, "answers");
        return answers == null ? Map.of() : Json.MAPPER.convertValue(answers,
                Json.MAPPER.getTypeFactory().constructMapType(java.util.LinkedHashMap.class, String.class, JsonNode.class));
    }

    private byte[] mac(String body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac.doFinal(body.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static McpError rejected(String why) {
        return McpError.invalidParams("requestState rejected: " + why);
    }
}

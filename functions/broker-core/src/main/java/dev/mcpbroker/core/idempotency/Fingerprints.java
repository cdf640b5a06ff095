package dev.mcpbroker.core.idempotency;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The fingerprint of a call's arguments: SHA-256 (hex) of their canonical JSON. Canonical means object
 * members sorted by name at every depth, arrays in their order, no insignificant whitespace, scalars as
 * Jackson writes them. So the same arguments sent with members in another order match, and any changed
 * value does not. Numbers are compared as written: {@code 1} and {@code 1.0} differ, which can only turn
 * a retry into a conflict, never make two different calls look alike.
 */
public final class Fingerprints {

    /* Only writes value nodes; a private mapper so no caller's configuration can change the output. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private Fingerprints() {
    }

    /** {@code arguments} may be null or JSON null: a call without arguments, the same as {@code {}}. */
    public static String of(JsonNode arguments) {
        MessageDigest sha = sha256();
        // Streamed into the digest: arguments can be large, and never need to exist as one string.
        try (JsonGenerator json = JSON.getFactory().createGenerator(new DigestOutputStream(OutputStream.nullOutputStream(), sha))) {
            if (arguments == null || arguments.isNull() || arguments.isMissingNode()) {
                json.writeStartObject();
                json.writeEndObject();
            } else {
                write(arguments, json);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a digest cannot fail", e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void write(JsonNode node, JsonGenerator json) throws IOException {
        if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
            members.sort(Map.Entry.comparingByKey());
            json.writeStartObject();
            for (Map.Entry<String, JsonNode> member : members) {
                json.writeFieldName(member.getKey());
                write(member.getValue(), json);
            }
            json.writeEndObject();
        } else if (node.isArray()) {
            json.writeStartArray();
            for (JsonNode element : node) {
                write(element, json);
            }
            json.writeEndArray();
        } else {
            json.writeTree(node);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}

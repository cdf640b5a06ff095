package dev.mcpbroker.core.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class FingerprintsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text);
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void isTheSha256OfTheCanonicalJson() throws Exception {
        JsonNode arguments = json("""
                { "to" : "DE89 3704",  "amount": {"value": 10, "currency":"EUR"},
                  "tags": ["b", "a", {"z": true, "y": null}], "note": "caf\\u00e9 \\"x\\"" }""");
        String canonical = "{\"amount\":{\"currency\":\"EUR\",\"value\":10},\"note\":\"café \\\"x\\\"\","
                + "\"tags\":[\"b\",\"a\",{\"y\":null,\"z\":true}],\"to\":\"DE89 3704\"}";
        assertThat(Fingerprints.of(arguments)).isEqualTo(sha256(canonical)).hasSize(64);
    }

    @Test
    void memberOrderAndWhitespaceDoNotMatterAtAnyDepth() throws Exception {
        assertThat(Fingerprints.of(json("{\"a\":1,\"b\":{\"x\":[1,{\"p\":1,\"q\":2}],\"y\":\"s\"}}")))
                .isEqualTo(Fingerprints.of(json(" { \"b\" : { \"y\":\"s\", \"x\":[ 1, {\"q\":2,\"p\":1} ] }, \"a\" : 1 } ")));
    }

    @Test
    void theSameNumberWrittenDifferentlyIsTheSameArgument() throws Exception {
        assertThat(Fingerprints.of(json("{\"amount\":10.0}"))).isEqualTo(Fingerprints.of(json("{\"amount\":10}")))
                .isEqualTo(Fingerprints.of(json("{\"amount\":1e1}")));
    }

    @Test
    void anyChangedValueChangesIt() throws Exception {
        String base = Fingerprints.of(json("{\"amount\":10,\"to\":\"x\",\"list\":[1,2],\"flag\":true}"));
        for (String changed : new String[] {
                "{\"amount\":11,\"to\":\"x\",\"list\":[1,2],\"flag\":true}",
                "{\"amount\":\"10\",\"to\":\"x\",\"list\":[1,2],\"flag\":true}",
                "{\"amount\":10,\"to\":\"y\",\"list\":[1,2],\"flag\":true}",
                "{\"amount\":10,\"to\":\"x\",\"list\":[2,1],\"flag\":true}",
                "{\"amount\":10,\"to\":\"x\",\"list\":[1,2,3],\"flag\":true}",
                "{\"amount\":10,\"to\":\"x\",\"list\":[1,2],\"flag\":false}",
                "{\"amount\":10,\"to\":\"x\",\"list\":[1,2]}",
                "{\"amount\":10,\"to\":\"x\",\"list\":[1,2],\"flag\":true,\"extra\":null}",
                "{\"amount\":10,\"To\":\"x\",\"list\":[1,2],\"flag\":true}"}) {
            assertThat(Fingerprints.of(json(changed))).as(changed).isNotEqualTo(base);
        }
    }

    @Test
    void structureCannotBeForgedWithStrings() throws Exception {
        assertThat(Fingerprints.of(json("{\"a\":\"1,\\\"b\\\":2\"}")))
                .isNotEqualTo(Fingerprints.of(json("{\"a\":\"1\",\"b\":2}")));
    }

    @Test
    void noArgumentsAreTheEmptyObject() throws Exception {
        String empty = Fingerprints.of(json("{}"));
        assertThat(Fingerprints.of(null)).isEqualTo(empty);
        assertThat(Fingerprints.of(NullNode.instance)).isEqualTo(empty);
        assertThat(Fingerprints.of(MissingNode.getInstance())).isEqualTo(empty);
        assertThat(empty).isEqualTo(sha256("{}"));
    }

    @Test
    void treesBuiltInCodeMatchParsedOnes() throws Exception {
        var built = JsonNodeFactory.instance.objectNode();
        built.put("to", "x");
        built.put("amount", 10);
        built.putArray("list").add(1).add(2);
        assertThat(Fingerprints.of(built)).isEqualTo(Fingerprints.of(json("{\"list\":[1,2],\"amount\":10,\"to\":\"x\"}")));
    }
}

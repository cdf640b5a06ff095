package dev.mcpbroker.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String canonical(String json) throws Exception {
        return CanonicalJson.write(JSON.readTree(json));
    }

    @Test
    void keysAreSortedRecursivelyAndWhitespaceIsDropped() throws Exception {
        assertThat(canonical("{ \"b\" : 1, \"a\" : { \"z\": [ 3, {\"y\":true, \"x\":null} ], \"c\": \"s\" } }"))
                .isEqualTo("{\"a\":{\"c\":\"s\",\"z\":[3,{\"x\":null,\"y\":true}]},\"b\":1}");
    }

    @Test
    void keyOrderIsUtf16CodeUnitOrder() throws Exception {
        // U+00E9 < U+1F600 (surrogates D83D..) < U+FF21 in UTF-16 code units; "B" < "a".
        assertThat(canonical("{\"\\uff21\":1,\"\\ud83d\\ude00\":2,\"\\u00e9\":3,\"a\":4,\"B\":5}"))
                .isEqualTo("{\"B\":5,\"a\":4,\"\u00e9\":3,\"\ud83d\ude00\":2,\"\uff21\":1}");
    }

    @Test
    void equalValuesWrittenDifferentlyAreEqual() throws Exception {
        assertThat(canonical("{\"n\":1.0,\"m\":1e2,\"k\":0.50,\"z\":-0.0,\"i\":-7}"))
                .isEqualTo(canonical("{\"i\":-7,\"k\":0.5,\"m\":100,\"n\":1,\"z\":0}"))
                .isEqualTo("{\"i\":-7,\"k\":0.5,\"m\":100,\"n\":1,\"z\":0}");
        ObjectMapper bigDecimals = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        assertThat(CanonicalJson.write(bigDecimals.readTree("{\"a\":12.3400,\"b\":1E-7}"))).isEqualTo("{\"a\":12.34,\"b\":0.0000001}");
        assertThat(CanonicalJson.write(bigDecimals.readTree("[1e100000]"))).isEqualTo("[1E+100000]");
        assertThat(canonical("[12345678901234567890123]")).isEqualTo("[12345678901234567890123]");
    }

    @Test
    void stringsEscapeOnlyWhatJsonRequires() throws Exception {
        assertThat(canonical("[\"q\\\" b\\\\ \\/ \\b\\t\\n\\f\\r \\u0001 \\u001f \\u007f é 😀 \\ud800\"]"))
                .isEqualTo("[\"q\\\" b\\\\ / \\b\\t\\n\\f\\r \\u0001 \\u001f \u007f é 😀 \\ud800\"]");
    }

    @Test
    void outputIsUtf8AndParsesBackToTheSameTree() throws Exception {
        String json = "{\"z\":[1,2.5,\"\u00fc\\n\"],\"a\":{\"b\":false}}";
        byte[] bytes = CanonicalJson.bytes(JSON.readTree(json));
        JsonNode back = JSON.readTree(bytes);
        assertThat(back).isEqualTo(JSON.readTree(json));
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(CanonicalJson.write(back));
    }

    @Test
    void nonJsonValuesAreRefused() {
        assertThatThrownBy(() -> CanonicalJson.write(JsonNodeFactory.instance.numberNode(Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanonicalJson.write(JsonNodeFactory.instance.pojoNode(new Object())))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

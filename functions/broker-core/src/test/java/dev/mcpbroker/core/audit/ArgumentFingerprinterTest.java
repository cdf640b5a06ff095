package dev.mcpbroker.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ArgumentFingerprinterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static ObjectNode args(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    void isHmacSha256OfTheCanonicalArguments() throws Exception {
        // Expected values from: printf '%s' '<canonical json>' | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef
        ArgumentFingerprinter fingerprinter = new ArgumentFingerprinter(KEY);
        assertThat(fingerprinter.fingerprint(args("{ \"tags\": [\"a\",\"b\"], \"memo\": null, \"amount\": 10.50, \"account\": \"alice\" }")))
                .isEqualTo("297061d9ca57a166c1a9e37fad495eac8793cd7974d1cd5f1768096148afbb2b");
        assertThat(fingerprinter.fingerprint(null))
                .isEqualTo(fingerprinter.fingerprint(args("{}")))
                .isEqualTo("b326604c0dc7364c8b688556189c0a510e5150cd4628736be814c7c9898f899d");
    }

    @Test
    void dependsOnArgumentsAndKeyButNotOnTheirSpelling() throws Exception {
        ArgumentFingerprinter a = new ArgumentFingerprinter(KEY);
        ArgumentFingerprinter b = new ArgumentFingerprinter("another-key-another-key-another-key".getBytes(StandardCharsets.US_ASCII));
        assertThat(a.fingerprint(args("{\"x\":1,\"y\":\"z\"}"))).isEqualTo(a.fingerprint(args("{\"y\":\"z\",  \"x\":1.0}")));
        assertThat(a.fingerprint(args("{\"x\":1}"))).isNotEqualTo(a.fingerprint(args("{\"x\":2}")));
        assertThat(a.fingerprint(args("{\"x\":1}"))).isNotEqualTo(b.fingerprint(args("{\"x\":1}")));
        assertThat(a.fingerprint(args("{\"x\":1}"))).matches(AuditEvent.HEX_256);
    }

    @Test
    void shortKeysAreRefusedAndTheKeyIsNeverPrinted() {
        assertThatThrownBy(() -> new ArgumentFingerprinter(new byte[31])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ArgumentFingerprinter(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new ArgumentFingerprinter(KEY).toString()).doesNotContain("0123456789abcdef");
    }

    @Test
    void theCallersKeyArrayIsCopied() throws Exception {
        byte[] key = KEY.clone();
        ArgumentFingerprinter fingerprinter = new ArgumentFingerprinter(key);
        String before = fingerprinter.fingerprint(args("{\"x\":1}"));
        java.util.Arrays.fill(key, (byte) 0);
        assertThat(fingerprinter.fingerprint(args("{\"x\":1}"))).isEqualTo(before);
    }
}

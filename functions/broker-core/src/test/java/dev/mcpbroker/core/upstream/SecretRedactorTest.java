package dev.mcpbroker.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretRedactorTest {

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) new ObjectMapper().readTree(text);
    }

    @Test
    void secretInsideNestedTextValuesArraysAndKeysIsReplaced() throws Exception {
        ObjectNode message = json("""
                {"result":{"content":[{"type":"text","text":"token=s3cr3t-value; ok"}],
                 "structuredContent":{"env":{"API_KEY":"s3cr3t-value","s3cr3t-value":"as key"},"list":["x s3cr3t-value y"]}}}""");
        assertThat(SecretRedactor.redact(message, Set.of("s3cr3t-value"))).isTrue();
        assertThat(message.toString()).doesNotContain("s3cr3t-value")
                .contains("token=[REDACTED]; ok").contains("\"API_KEY\":\"[REDACTED]\"").contains("\"[REDACTED]\":\"as key\"");
    }

    @Test
    void outputWithoutSecretsIsUntouched() throws Exception {
        ObjectNode message = json("{\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"balance 10\"}]}}");
        String before = message.toString();
        assertThat(SecretRedactor.redact(message, Set.of("s3cr3t-value"))).isFalse();
        assertThat(message.toString()).isEqualTo(before);
    }

    @Test
    void veryShortValuesAreNotTreatedAsSecrets() throws Exception {
        ObjectNode message = json("{\"text\":\"abc abc\"}");
        assertThat(SecretRedactor.redact(message, Set.of("abc"))).isFalse();
    }
}

package dev.mcpbroker.core.pinning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** What a definition pins, and that its hash depends on what the tool is, not on how the upstream wrote it. */
class ToolDefinitionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void theHashIgnoresMemberOrderWhitespaceAndNumberSpelling() throws Exception {
        ToolDefinition a = ToolDefinition.of(json("""
                {"name":"t","description":"d","inputSchema":{"type":"object","maximum":10},"annotations":{"readOnlyHint":true}}"""));
        ToolDefinition b = ToolDefinition.of(json("""
                { "annotations" : {"readOnlyHint":true}, "inputSchema":{"maximum":1.0e1,"type":"object"}, "description":"d", "name":"t" }"""));

        assertThat(a.hash()).isEqualTo(b.hash()).hasSize(64).matches("[0-9a-f]{64}");
    }

    @Test
    void everyPinnedFieldChangesTheHash() throws Exception {
        String base = """
                {"name":"t","title":"T","description":"d","inputSchema":{"type":"object"},"outputSchema":{"type":"object"},
                 "annotations":{"readOnlyHint":true}}""";
        String hash = ToolDefinition.of(json(base)).hash();

        assertThat(ToolDefinition.of(json(base.replace("\"T\"", "\"T2\""))).hash()).isNotEqualTo(hash);
        assertThat(ToolDefinition.of(json(base.replace("\"d\"", "\"d2\""))).hash()).isNotEqualTo(hash);
        assertThat(ToolDefinition.of(json(base.replace("{\"type\":\"object\"},\n \"annotations\"",
                "{\"type\":\"string\"},\n \"annotations\""))).hash()).isNotEqualTo(hash);
        assertThat(ToolDefinition.of(json(base.replace("\"inputSchema\":{\"type\":\"object\"}",
                "\"inputSchema\":{\"type\":\"array\"}"))).hash()).isNotEqualTo(hash);
        assertThat(ToolDefinition.of(json(base.replace("true", "false"))).hash()).isNotEqualTo(hash);
    }

    @Test
    void fieldsOutsideTheApprovalDoNotChangeTheHash() throws Exception {
        ToolDefinition plain = ToolDefinition.of(json("""
                {"name":"t","description":"d"}"""));
        ToolDefinition decorated = ToolDefinition.of(json("""
                {"name":"t","description":"d","_meta":{"x":1},"icons":[{"src":"https://example.com/i.png"}]}"""));

        assertThat(decorated.hash()).isEqualTo(plain.hash());
        assertThat(decorated.pinned().has("_meta")).isFalse();
    }

    @Test
    void theReadOnlyHintIsReadFromTheAnnotations() throws Exception {
        assertThat(ToolDefinition.of(json("{\"name\":\"t\",\"annotations\":{\"readOnlyHint\":true}}")).readOnlyHint()).isTrue();
        assertThat(ToolDefinition.of(json("{\"name\":\"t\"}")).readOnlyHint()).isFalse();
    }
}

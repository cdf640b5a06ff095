package dev.mcpbroker.function;

import static dev.mcpbroker.function.BrokerTestResources.AGENT_A;
import static dev.mcpbroker.function.BrokerTestResources.LEDGER;
import static dev.mcpbroker.function.support.McpHttp.call;
import static dev.mcpbroker.function.support.McpHttp.open;
import static dev.mcpbroker.function.support.McpHttp.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.upstream.SecretRedactor;
import dev.mcpbroker.testkit.aws.AwsEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The ledger server's {@code diagnostics} tool echoes the credential the broker attached, in every encoding and every
 * kind of MCP content (text items, the header cut across items, structured content, an embedded resource's blob, an
 * image's data). Through the broker, none of those forms reaches the agent.
 */
@QuarkusTest
@QuarkusTestResource(value = BrokerTestResources.class, restrictToAnnotatedClass = true)
class EncodedCredentialRedactionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void noFormOfTheUpstreamCredentialEchoedByTheUpstreamReachesTheAgent() throws Exception {
        String secret = AwsEnvironment.shared().secretsManager()
                .getSecretValue(b -> b.secretId(BrokerTestResources.LEDGER_SECRET_ID)).secretString();
        String token = BrokerTestResources.token(AGENT_A);
        String session = open(token, LEDGER);

        Response response = call(token, LEDGER, session, null, toolCall("diagnostics", "{}"));
        response.then().statusCode(200);
        String body = response.asString();
        JsonNode result = JSON.readTree(body).path("result");

        // The tool did answer with its report, every form replaced.
        assertThat(result.path("isError").asBoolean()).isFalse();
        assertThat(result.path("structuredContent").path("forms").size()).isGreaterThanOrEqualTo(10);
        assertThat(result.path("structuredContent").path("authorization").asText()).isEqualTo("Bearer [REDACTED]");
        assertThat(result.path("structuredContent").path("forms").path("base64").asText()).isEqualTo("[REDACTED]");
        StringBuilder joined = new StringBuilder();
        List<String> binary = new ArrayList<>();
        for (JsonNode item : result.path("content")) {
            joined.append(item.path("text").asText(""));
            switch (item.path("type").asText()) {
                case "resource" -> binary.add(item.path("resource").path("blob").asText());
                case "image" -> binary.add(item.path("data").asText());
                default -> { }
            }
        }
        assertThat(joined).contains("base64UrlNoPadding: [REDACTED]", "percentEncoded: Bearer+[REDACTED]", "split: Bearer [REDACTED]");
        assertThat(binary).containsExactly(SecretRedactor.REDACTED_BLOB, SecretRedactor.REDACTED_BLOB);

        for (String form : forms("Bearer " + secret)) {
            assertThat(body).as("the answer as sent").doesNotContain(form);
            assertThat(joined).as("the text items read as one").doesNotContain(form);
        }
        for (String form : forms(secret)) {
            assertThat(body.toLowerCase(Locale.ROOT)).doesNotContain(form.toLowerCase(Locale.ROOT));
        }
    }

    /** The header's forms as a careless tool writes them, computed here independently of the broker's redactor. */
    private static List<String> forms(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        String base64 = Base64.getEncoder().withoutPadding().encodeToString(bytes);
        String base64Url = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String hex = HexFormat.of().formatHex(bytes);
        return List.of(value, value.toUpperCase(Locale.ROOT), value.toLowerCase(Locale.ROOT), base64, base64Url,
                hex, hex.toUpperCase(Locale.ROOT), URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
}

package dev.mcpbroker.core.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ToolCatalogTest {

    private final MutableClock clock = new MutableClock();
    private final ToolCatalog catalog = new ToolCatalog(Duration.ofMinutes(5), clock);

    private void learn(String server, String json) throws Exception {
        catalog.learn(server, new ObjectMapper().readTree(json));
    }

    @Test
    void onlyAnExplicitReadOnlyHintMakesAToolReadOnly() throws Exception {
        learn("payments", """
                {"tools":[{"name":"get_balance","annotations":{"readOnlyHint":true}},
                          {"name":"transfer","annotations":{"readOnlyHint":false,"destructiveHint":true}},
                          {"name":"undocumented"}]}""");
        assertThat(catalog.isReadOnly("payments", "get_balance")).contains(true);
        assertThat(catalog.isReadOnly("payments", "transfer")).contains(false);
        assertThat(catalog.isReadOnly("payments", "undocumented")).contains(false);
        assertThat(catalog.isReadOnly("payments", "never_listed")).isEmpty();
        assertThat(catalog.isReadOnly("search", "get_balance")).isEmpty();
    }

    @Test
    void pagesAccumulateAndKnowledgeExpiresAfterTheTtl() throws Exception {
        learn("payments", "{\"tools\":[{\"name\":\"a\",\"annotations\":{\"readOnlyHint\":true}}]}");
        learn("payments", "{\"tools\":[{\"name\":\"b\"}]}");
        assertThat(catalog.isReadOnly("payments", "a")).contains(true);
        assertThat(catalog.isReadOnly("payments", "b")).contains(false);
        clock.advance(Duration.ofMinutes(6));
        assertThat(catalog.isReadOnly("payments", "a")).isEmpty();
    }

    @Test
    void aToolMissingFromACompleteListIsStateChangingWithoutAskingAgain() throws Exception {
        learn("payments", "{\"tools\":[{\"name\":\"a\",\"annotations\":{\"readOnlyHint\":true}}]}");
        assertThat(catalog.isReadOnly("payments", "ghost")).isEmpty();
        catalog.learnedCompleteList("payments");
        assertThat(catalog.isReadOnly("payments", "ghost")).contains(false);
        assertThat(catalog.isReadOnly("payments", "a")).contains(true);
        clock.advance(Duration.ofMinutes(6));
        assertThat(catalog.isReadOnly("payments", "ghost")).isEmpty();
    }
}

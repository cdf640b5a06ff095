package dev.mcpbroker.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalSessionMaintenanceTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aRunsSummaryBecomesOneLinePrintedOnlyWhenItChanged() throws Exception {
        List<String> console = new ArrayList<>();
        LocalSessionMaintenance.Reports reports = new LocalSessionMaintenance.Reports(console::add);
        String quiet = "{\"payments\":{\"liveSessions\":0,\"cap\":1000,\"reapedLeases\":0,\"warmReady\":0}}";
        String busy = "{\"payments\":{\"liveSessions\":3,\"cap\":1000,\"reapedLeases\":2,\"warmReady\":1},"
                + "\"crm\":{\"liveSessions\":0,\"cap\":50,\"reapedLeases\":0,\"failure\":\"upstream_unreachable\"}}";

        reports.accept(json.readTree(quiet));
        reports.accept(json.readTree(quiet));
        reports.accept(json.readTree(busy));

        assertThat(console).hasSize(2);
        assertThat(console.get(0)).endsWith("session maintenance: payments 0 live of 1000");
        assertThat(console.get(1)).endsWith("session maintenance: payments 3 live of 1000 (2 expired leases reaped), 1 warm, "
                + "crm 0 live of 50, failed: upstream_unreachable");
        assertThat(LocalSessionMaintenance.Reports.line(json.readTree("{}"))).isEqualTo("no servers registered");
    }
}

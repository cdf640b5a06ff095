package dev.mcpbroker.e2e.bench;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The tables of docs/cost.md, written from {@link CostBenchmark}'s measurements. */
final class CostTable {

    private CostTable() {
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> perKind, int memoryMb) {
        StringBuilder out = new StringBuilder();
        out.append("| Call | CPU ms | Duration ms (local) | Calls/s, one instance | DynamoDB requests | RRU | WRU (of which index) | Audit events |\n");
        out.append("|---|---:|---:|---:|---|---:|---:|---:|\n");
        perKind.forEach((kind, value) -> {
            Map<String, Object> m = (Map<String, Object>) value;
            Map<String, Double> requests = (Map<String, Double>) m.get("dynamoDbRequests");
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", kind, m.get("cpuMs"),
                    m.get("functionMs"), m.get("callsPerSecondOneInstance"),
                    requests.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", ")),
                    m.get("readUnits"), m.get("writeUnits") + " (" + m.get("indexWriteUnits") + ")", m.get("auditEvents")));
        });
        out.append("\nUSD per million calls, arm64 at ").append(memoryMb).append(" MB:\n\n");
        out.append("| Call | Billed ms | Lambda GB-s | Lambda requests | HTTP API | DynamoDB | Kinesis (audit) | Total | AgentCore Gateway |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        perKind.forEach((kind, value) -> {
            Map<String, Object> m = (Map<String, Object>) value;
            Map<String, Double> usd = (Map<String, Double>) m.get("usdPerMillion");
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | **%s** | %s |%n", kind,
                    m.get("lambdaBilledMsAtMemory"), CostModel.usd(usd.get("lambdaCompute")), CostModel.usd(usd.get("lambdaRequests")),
                    CostModel.usd(usd.get("httpApi")), CostModel.usd(usd.get("dynamoDb")), CostModel.usd(usd.get("kinesisOnDemand")),
                    CostModel.usd(usd.get("total")), CostModel.usd(1e6 * CostModel.AGENTCORE_GATEWAY_INVOCATION)));
        });
        return out.toString();
    }
}

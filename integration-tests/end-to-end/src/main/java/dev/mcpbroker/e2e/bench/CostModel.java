package dev.mcpbroker.e2e.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Published AWS prices (us-east-1, on-demand, as docs/cost.md states with their sources and date) and the cost per
 * million brokered calls that follows from what {@link CostBenchmark} measures per call. Change a price here and
 * rerun {@code scripts/bench.sh cost} to regenerate the table in docs/cost.md.
 */
final class CostModel {

    /** Lambda, arm64: USD per GB-second (first 7.5 billion GB-s a month). https://aws.amazon.com/lambda/pricing/ */
    static final double LAMBDA_ARM_GB_SECOND = 0.0000133334;
    /** Lambda: USD per request. */
    static final double LAMBDA_REQUEST = 0.20 / 1e6;
    /** Lambda gives a function one full vCPU at 1,769 MB, proportionally less below. https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html */
    static final double MB_PER_VCPU = 1769;
    /** API Gateway HTTP API: USD per request (first 300 million a month, 512 KB each). https://aws.amazon.com/api-gateway/pricing/ */
    static final double HTTP_API_REQUEST = 1.00 / 1e6;
    /** DynamoDB on-demand: USD per write request unit. https://aws.amazon.com/dynamodb/pricing/on-demand/ */
    static final double DYNAMODB_WRU = 0.625 / 1e6;
    /** DynamoDB on-demand: USD per read request unit. */
    static final double DYNAMODB_RRU = 0.125 / 1e6;
    /** Kinesis Data Streams on-demand (the audit stream's mode): USD per GB ingested, each record rounded up to 1 KB. https://aws.amazon.com/kinesis/data-streams/pricing/ */
    static final double KINESIS_ON_DEMAND_GB = 0.08;
    /** Kinesis Data Streams provisioned, for comparison: USD per PUT payload unit (25 KB). */
    static final double KINESIS_PUT_PAYLOAD_UNIT = 0.014 / 1e6;
    /** Amazon Bedrock AgentCore Gateway: USD per tool invocation (CallTool, ListTools). https://aws.amazon.com/bedrock/agentcore/pricing/ */
    static final double AGENTCORE_GATEWAY_INVOCATION = 0.005 / 1000;

    private CostModel() {
    }

    /**
     * Duration Lambda would bill at {@code memoryMb}: the time spent waiting (measured duration less CPU time) as
     * measured, the CPU time stretched to the function's share of a vCPU, rounded up to the millisecond Lambda bills.
     */
    static double lambdaMillis(double functionMs, double cpuMs, int memoryMb) {
        double waiting = Math.max(0, functionMs - cpuMs);
        return Math.ceil(waiting + cpuMs * Math.max(1, MB_PER_VCPU / memoryMb));
    }

    /** USD per million calls of one kind, by part. */
    static Map<String, Double> perMillion(double functionMs, double cpuMs, int memoryMb, double readUnits,
                                          double writeUnits, double auditEvents, double auditEventKb) {
        Map<String, Double> usd = new LinkedHashMap<>();
        usd.put("lambdaCompute", 1e6 * lambdaMillis(functionMs, cpuMs, memoryMb) / 1000 * memoryMb / 1024 * LAMBDA_ARM_GB_SECOND);
        usd.put("lambdaRequests", 1e6 * LAMBDA_REQUEST);
        usd.put("httpApi", 1e6 * HTTP_API_REQUEST);
        usd.put("dynamoDb", 1e6 * (readUnits * DYNAMODB_RRU + writeUnits * DYNAMODB_WRU));
        usd.put("kinesisOnDemand", 1e6 * auditEvents * Math.max(1, Math.ceil(auditEventKb)) / (1024 * 1024) * KINESIS_ON_DEMAND_GB);
        double total = usd.values().stream().mapToDouble(Double::doubleValue).sum();
        usd.put("total", total);
        usd.replaceAll((part, value) -> Math.round(value * 1000) / 1000.0);
        return usd;
    }

    static String usd(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}

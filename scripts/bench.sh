#!/usr/bin/env bash
# Benchmarks (loopback only, bounded call counts; results printed and written under target/bench/):
#   scripts/bench.sh [tools-call] [-Dbench.calls=1000] [-Dbench.warmup=300]
#       sequential tools/call p50/p90/p99 directly against the demo upstream vs through one broker
#       instance, and broker JVM start to first answered request
#   scripts/bench.sh load-balancer [-Dbench.calls=1000] [-Dbench.clients=8] [-Dbench.seconds=10]
#       sequential tools/call p50/p90/p99 direct vs one broker vs one broker behind nginx vs three brokers
#       behind nginx round-robin (infra/nginx/mcp-broker-lb.conf), and calls/s of N concurrent sessions
#       through one broker instance and through nginx over three
#   scripts/bench.sh request-kinds [-Dbench.calls=400] [-Dbench.warmup=200] [-Dbench.baselineZip=<function.zip>]
#       p50/p99 per request kind (read-only call, tools/list, resources/read, state-changing call, stateless
#       2026-07-28 read) direct vs through one packaged instance vs three behind nginx round-robin, the median
#       each adds, and DynamoDB requests per call of each kind (one instance; two taking turns on one session);
#       with a baseline zip, another build of the function measured beside this one in the same run
#   scripts/bench.sh critical-path [-Dbench.calls=1000]
#       the broker's own path for a state-changing tools/call (real DynamoDB adapters, real upstream)
#       with vs without audit trail + idempotency, sequential AWS round trips per call, and the same call
#       with vs without OpenTelemetry tracing (calls alternating; spans per call)
#   scripts/bench.sh telemetry [-Dbench.calls=1000]
#       tools/call p50/p99 through the packaged function with OpenTelemetry off vs exporting every
#       invocation's spans and metrics to a collector on the loopback before answering; spans per call
#   scripts/bench.sh session-scale [-Dbench.records=100000] [-Dbench.calls=1000]
#       tools/call p50/p99 through the broker path with 10 vs 100,000 session records in the state table
#   scripts/bench.sh first-answer [-Dbench.starts=5]
#       broker function process start to first answered request, split into init (until the function asks for
#       its first invocation: where a SnapStart snapshot is taken) and first answer, plus the first tools/call;
#       as deployed, with priming during init, with an AppCDS archive, with both
#   scripts/bench.sh cost [-Dbench.calls=300]
#       function CPU milliseconds, duration and AWS requests per call of each request kind through the packaged
#       function, calls per second of one instance, and the cost per million calls (docs/cost.md)
#   scripts/bench.sh governance [-Dbench.calls=20000]
#       authentication + authorisation + secret resolution per tools/call with warm caches, the rate
#       limiter's conditional write, and AWS calls per call (counted by an SDK execution interceptor)
set -euo pipefail
source "$(dirname "$0")/lib/env.sh"
cd "$REPO_ROOT"
which="tools-call"
case "${1:-}" in tools-call|load-balancer|request-kinds|governance|critical-path|session-scale|telemetry|first-answer|cost) which="$1"; shift ;; esac
if [ "${SKIP_BUILD:-}" != "1" ]; then
  ./mvnw -B -ntp -q -DskipTests install
fi
case "$which" in
  tools-call)
    module=integration-tests/end-to-end
    exec java -cp "$module/target/classes:$(cat "$module/target/runtime-classpath.txt")" \
      -Dsun.net.httpserver.nodelay=true -Dbench.out="$REPO_ROOT/target/bench/tools-call.json" "$@" \
      dev.mcpbroker.e2e.bench.ToolsCallBenchmark ;;
  load-balancer)
    source "$REPO_ROOT/scripts/lib/nginx.sh"
    ensure_nginx
    module=integration-tests/end-to-end
    exec java -cp "$module/target/classes:$(cat "$module/target/runtime-classpath.txt")" \
      -Dsun.net.httpserver.nodelay=true -Dbench.out="$REPO_ROOT/target/bench/load-balancer.json" "$@" \
      dev.mcpbroker.e2e.bench.LoadBalancerBenchmark ;;
  request-kinds)
    source "$REPO_ROOT/scripts/lib/nginx.sh"
    ensure_nginx
    module=integration-tests/end-to-end
    exec java -cp "$module/target/classes:$(cat "$module/target/runtime-classpath.txt")" \
      -Dsun.net.httpserver.nodelay=true -Dbench.out="$REPO_ROOT/target/bench/request-kinds.json" "$@" \
      dev.mcpbroker.e2e.bench.RequestKindsBenchmark ;;
  governance)
    module=functions/broker
    exec java -cp "$module/target/test-classes:$module/target/classes:$(cat "$module/target/test-classpath.txt")" \
      -Dsun.net.httpserver.nodelay=true -Dbench.out="$REPO_ROOT/target/bench/governance.json" "$@" \
      dev.mcpbroker.function.bench.GovernanceBenchmark ;;
  critical-path)
    module=functions/broker
    exec java -cp "$module/target/test-classes:$module/target/classes:$(cat "$module/target/test-classpath.txt")" \
      -Dsun.net.httpserver.nodelay=true -Dbench.out="$REPO_ROOT/target/bench/critical-path.json" "$@" \
      dev.mcpbroker.function.bench.CriticalPathBenchmark ;;
  first-answer)
    module=integration-tests/end-to-end
    exec java -cp "$module/target/classes:$(cat "$module/target/runtime-classpath.txt")" \
      -Dsun.net.httpserver.nodelay=true -Dbench.out="$REPO_ROOT/target/bench/first-answer.json" "$@" \
      dev.mcpbroker.e2e.bench.FirstAnswerBenchmark ;;
  cost)
    module=integration-tests/end-to-end
    exec java -cp "$module/target/classes:$(cat "$module/target/runtime-classpath.txt")" \
      -Dsun.net.httpserver.nodelay=true -Dbench.out="$REPO_ROOT/target/bench/cost.json" "$@" \
      dev.mcpbroker.e2e.bench.CostBenchmark ;;
  telemetry)
    module=integration-tests/end-to-end
    exec java -cp "$module/target/classes:$(cat "$module/target/runtime-classpath.txt")" \
      -Dsun.net.httpserver.nodelay=true -Dbench.out="$REPO_ROOT/target/bench/telemetry.json" "$@" \
      dev.mcpbroker.e2e.bench.TelemetryExportBenchmark ;;
  session-scale)
    module=functions/broker
    exec java -cp "$module/target/test-classes:$module/target/classes:$(cat "$module/target/test-classpath.txt")" \
      -Dsun.net.httpserver.nodelay=true -Dbench.out="$REPO_ROOT/target/bench/session-scale.json" "$@" \
      dev.mcpbroker.function.bench.SessionScaleBenchmark ;;
esac

#!/usr/bin/env bash
# Latency benchmark: sequential tools/call p50/p90/p99 directly against the demo upstream vs through one
# broker instance, and broker JVM start to first answered request. Loopback only, bounded call counts.
#   scripts/bench.sh [-Dbench.calls=1000] [-Dbench.warmup=300]
set -euo pipefail
source "$(dirname "$0")/lib/env.sh"
cd "$REPO_ROOT"
if [ "${SKIP_BUILD:-}" != "1" ]; then
  ./mvnw -B -ntp -q -DskipTests install
fi
module=integration-tests/end-to-end
exec java -cp "$module/target/classes:$(cat "$module/target/runtime-classpath.txt")" \
  -Dsun.net.httpserver.nodelay=true -Dbench.out="$REPO_ROOT/target/bench/tools-call.json" "$@" \
  dev.mcpbroker.e2e.bench.ToolsCallBenchmark

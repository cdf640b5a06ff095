#!/usr/bin/env bash
# Runs the broker locally on embedded defaults: local AWS emulators (LocalStack when Docker is available),
# the demo payments MCP server and @modelcontextprotocol/server-everything as upstreams, and the packaged
# broker function behind a local API gateway, all on 127.0.0.1. Prints the endpoints; Ctrl-C stops all.
set -euo pipefail
source "$(dirname "$0")/lib/env.sh"
cd "$REPO_ROOT"
if [ "${SKIP_BUILD:-}" != "1" ]; then
  ./mvnw -B -ntp -q -DskipTests install
fi
module=integration-tests/end-to-end
exec java -cp "$module/target/classes:$(cat "$module/target/runtime-classpath.txt")" \
  -Dsun.net.httpserver.nodelay=true -Dbroker.local.logs="$REPO_ROOT/target/local-run" \
  dev.mcpbroker.e2e.LocalBroker "$@"

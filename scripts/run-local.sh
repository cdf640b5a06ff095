#!/usr/bin/env bash
# Runs every function of infra/template.yaml locally: the broker behind a local API gateway, the audit forwarder
# fed by the state table's stream (writing to the audit account's Kinesis stream), session maintenance on its
# schedule; around them the AWS emulators and two upstream MCP servers, all on 127.0.0.1 on fixed ports.
# Prints the endpoints and ready-to-paste commands; Ctrl-C stops everything.
#   scripts/run-local.sh [--port 8790] [--aws-ports 8791] [--issuer <url> --jwks-url <url>] [--audience <uri>]
#                        [--upstream <id>=<url>]... [--otlp <url>] [--maintenance-every <d>] [--no-everything]
#   scripts/run-local.sh --help
# SKIP_BUILD=1 runs what is built without building it first.
set -euo pipefail
source "$(dirname "$0")/lib/env.sh"
cd "$REPO_ROOT"
if [ "${SKIP_BUILD:-}" != "1" ]; then
  ./mvnw -B -ntp -q -DskipTests install
fi
module=integration-tests/end-to-end
exec java -cp "$module/target/classes:$(cat "$module/target/runtime-classpath.txt")" \
  -Dsun.net.httpserver.nodelay=true -Dbroker.local.logs="$REPO_ROOT/target/local-run" \
  dev.mcpbroker.e2e.local.LocalBroker "$@"

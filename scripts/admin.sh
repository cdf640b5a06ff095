#!/usr/bin/env bash
# The operator's command line: upstream registry, virtual servers, secrets, grants, kill switches, rate limits, sessions,
# re-drive of undelivered audit events (audit-redrive: AWS_ENDPOINT_URL_KINESIS for an emulator).
#   scripts/admin.sh --help
# Talks to whatever the AWS SDK environment points at: real AWS (AWS_PROFILE / AWS_REGION), or local
# emulators (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SECRETS_MANAGER, as scripts/run-local.sh prints).
# Tables: BROKER_POLICY_TABLE (default mcp-broker-policy), BROKER_SESSION_TABLE (default mcp-broker-state).
set -euo pipefail
source "$(dirname "$0")/lib/env.sh"
cd "$REPO_ROOT"
module=scripts/admin-cli
if [ ! -f "$module/target/runtime-classpath.txt" ]; then
  ./mvnw -B -ntp -q -DskipTests install -pl "$module" -am >&2
fi
exec java -cp "$module/target/classes:$(cat "$module/target/runtime-classpath.txt")" dev.mcpbroker.admin.AdminCli "$@"

#!/usr/bin/env bash
# Verifies the audit trail: reads every record of the audit Kinesis stream and checks each session's hash chain
# for gaps, duplicates, reordering and tampering. Exit 0 clean, 1 problems (or incomplete read), 2 usage.
#   scripts/audit-verify.sh [--stream <name>] [--max-seconds <n>] [--strict]
# Talks to whatever the AWS SDK environment points at: real AWS (AWS_PROFILE / AWS_REGION, credentials of the audit
# account), or a local emulator (AWS_ENDPOINT_URL_KINESIS). Stream: --stream or BROKER_AUDIT_STREAM.
set -euo pipefail
source "$(dirname "$0")/lib/env.sh"
cd "$REPO_ROOT"
module=scripts/audit-verifier
if [ ! -f "$module/target/runtime-classpath.txt" ]; then
  ./mvnw -B -ntp -q -DskipTests install -pl "$module" -am >&2
fi
exec java -cp "$module/target/classes:$(cat "$module/target/runtime-classpath.txt")" dev.mcpbroker.auditverifier.AuditVerifyCli "$@"

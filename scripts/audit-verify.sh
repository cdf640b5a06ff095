#!/usr/bin/env bash
# Verifies the audit trail: reads the audit Kinesis stream and/or its S3 archive and checks each session's hash chain
# for gaps, duplicates, reordering and tampering, pairs every INTENT with its OUTCOME, and (with the broker's state
# table) finds chains whose tail never arrived. Exit 0 clean, 1 problems (or incomplete read), 2 usage.
#   scripts/audit-verify.sh [--stream <name>] [--archive s3://<bucket>/<prefix>] [--heads-table <table>] [--strict] ...
# Talks to whatever the AWS SDK environment points at: real AWS (AWS_PROFILE / AWS_REGION), or local emulators
# (AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB). Stream: --stream or BROKER_AUDIT_STREAM.
set -euo pipefail
source "$(dirname "$0")/lib/env.sh"
cd "$REPO_ROOT"
module=scripts/audit-verifier
if [ ! -f "$module/target/runtime-classpath.txt" ]; then
  ./mvnw -B -ntp -q -DskipTests install -pl "$module" -am >&2
fi
exec java -cp "$module/target/classes:$(cat "$module/target/runtime-classpath.txt")" dev.mcpbroker.auditverifier.AuditVerifyCli "$@"

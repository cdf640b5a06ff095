#!/usr/bin/env bash
# Runs every test of the project: unit tests, tests against the local AWS environment (LocalStack when a
# Docker engine is available, otherwise DynamoDB Local, kinesis-local and the project's own Secrets
# Manager/STS emulator), and end-to-end tests with real MCP clients and servers.
set -euo pipefail
source "$(dirname "$0")/lib/env.sh"
cd "$REPO_ROOT"
exec ./mvnw -B -ntp verify "$@"

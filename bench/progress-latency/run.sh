#!/usr/bin/env bash
# Live-progress delay benchmark: engine progress event → .NET SignalR client, median and p95 over whole runs,
# client on the executing console and on a second console process. Usage: bench/progress-latency/run.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build PgClone.Web -c Release --nologo -v q
dotnet build PgClone.Tests -c Release --nologo -v q
dotnet run --project bench/progress-latency -c Release --no-launch-profile -- "${1:-3}"

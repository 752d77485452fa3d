#!/usr/bin/env bash
# The one test command (README and .ci/run both call it). Installs what the tests need when missing — the
# PostgreSQL server binaries, Chromium for the browser tests, pg_dump, the local dotnet tools — then runs the suite.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing+=(postgresql-15)
command -v pg_dump >/dev/null || missing+=(postgresql-client-15)
command -v chromium >/dev/null || missing+=(chromium)
if ((${#missing[@]})); then
  echo "test.sh: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

dotnet tool restore >/dev/null
dotnet build PgClone.sln -c Release -warnaserror --nologo -v q
# The EF model and the migrations under migrations/ must agree.
dotnet ef migrations has-pending-model-changes --project PgClone.Web --no-build --configuration Release
rm -f TestResults/results.trx
status=0
# A test hanging past 5 minutes (none takes one) fails the run naming it, instead of holding CI forever.
dotnet test PgClone.Tests -c Release --no-build --nologo --logger "console;verbosity=minimal" \
  --logger "trx;LogFileName=results.trx" --results-directory TestResults \
  --blame-hang-timeout 5m --blame-hang-dump-type none "$@" || status=$?
# One plain closing line that any CI reader understands.
if [ -f TestResults/results.trx ]; then
  counters=$(grep -o '<Counters [^>]*>' TestResults/results.trx)
  passed=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
  failed=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
  echo "tests: $passed passed, $failed failed"
fi
exit $status

#!/usr/bin/env bash
# PgClone benchmark: clones the same databases with pgclone and with the usual tools, in one run, on two
# private PostgreSQL clusters on this machine, verifies row counts, and prints seconds and ratios.
#
#   bench/run.sh [--scale N] [--runs N] [--cases "full tiny masked"] [--tools "pgclone dump_psql dump_dir pgcopydb"]
#
# The masked case clones bench_masked with pgclone twice: unmasked, and masked with the rules `pgclone discover`
# suggests for it (the other tools cannot mask); it prints the masked / unmasked ratio. A third clone, unmasked, of
# bench_premasked (bench_masked masked once, before the runs) gives the share of that ratio due to the masked data
# alone: what the target pays to load and index it, with no masking work in the run. Every pgclone run's peak
# RSS and phase times are printed too.
# Needs: PostgreSQL server binaries, pg_dump/psql, pgcopydb (Debian package) — installed when missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
scale=1 runs=3 cases="full tiny masked" tools="pgclone dump_psql dump_dir pgcopydb" parallel=2
while (($#)); do
  case $1 in
    --scale) scale=$2; shift 2 ;; --runs) runs=$2; shift 2 ;; --cases) cases=$2; shift 2 ;;
    --tools) tools=$2; shift 2 ;; --parallel) parallel=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql-15)
command -v pgcopydb >/dev/null || need+=(pgcopydb)
if ((${#need[@]})); then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi
. "$here/clusters.sh"
work=$(work_dir pgclone-bench)
export PGUSER=postgres PGPASSWORD=bench PGHOST=127.0.0.1
trap stop_clusters EXIT

# Same settings for every tool: loading-friendly but durable-looking (fsync stays on).
settings="-c shared_buffers=512MB -c max_wal_size=4GB -c maintenance_work_mem=512MB -c max_connections=100 -c checkpoint_timeout=30min"
sport=$(start_cluster source $settings); tport=$(start_cluster target $settings)
src() { echo "host=127.0.0.1 port=$sport user=postgres password=bench dbname=$1"; }
tgt() { echo "host=127.0.0.1 port=$tport user=postgres password=bench dbname=$1"; }

echo "building pgclone (Release)..." >&2
# Published for the platform as a deployed pgclone is: one natively compiled executable (Native AOT, PgClone.Cli.csproj).
dotnet publish "$repo/PgClone.Cli" -c Release -r linux-x64 -o "$work/pgclone" --nologo -v q >/dev/null
pgclone=$work/pgclone/pgclone

echo "building the dataset (scale $scale)..." >&2
for case_ in $cases; do
  psql -q -p "$sport" -d postgres -c "CREATE DATABASE bench_$case_"
  case $case_ in
    full) psql -q -p "$sport" -d bench_full -v ON_ERROR_STOP=1 -v scale="$scale" -f "$here/dataset.sql" ;;
    tiny) psql -q -p "$sport" -d bench_tiny -v ON_ERROR_STOP=1 -f "$here/tiny.sql" ;;
    masked) psql -q -p "$sport" -d bench_masked -v ON_ERROR_STOP=1 -v scale="$scale" -f "$here/masked.sql" ;;
  esac
done
export PGCLONE_MASK_SECRET=bench-masking-secret-0123456789
if [[ " $cases " == *" masked "* ]]; then
  mask=$("$pgclone" discover --source "$(src bench_masked)" --schema shop | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), separators=(",",":")))')
  echo "mask rules discovered: $mask" >&2
  psql -q -p "$sport" -d postgres -c "CREATE DATABASE bench_premasked"
  "$pgclone" database --source "$(src bench_masked)" --target "$(src bench_premasked)" --options "{\"mask\":$mask}" \
    >/dev/null 2>"$work/premask.log" || { tail -5 "$work/premask.log" >&2; exit 1; }
fi
premasked=$([[ " $cases " == *" masked "* ]] && echo bench_premasked || true)
# A source in steady state, as a production one is: the freshly loaded rows' hint bits set and frozen, the
# visibility map built and no autovacuum pass pending, so that no tool's run pays (or races) that one-off work.
for db in $(printf 'bench_%s ' $cases) $premasked; do psql -q -p "$sport" -d "$db" -c "VACUUM (FREEZE, ANALYZE)"; done
psql -q -p "$sport" -d postgres -c "CHECKPOINT"
for db in $(printf 'bench_%s ' $cases); do
  size=$(psql -At -p "$sport" -d "$db" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")
  tables=$(psql -At -p "$sport" -d "$db" -c "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog','information_schema')")
  echo "dataset $db: $size, $tables tables" >&2
done

# Exact per-table row counts, computed server-side, as one sorted text block.
counts_sql="SELECT n.nspname || '.' || c.relname || '=' || (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r','p') AND n.nspname NOT IN ('pg_catalog','information_schema') ORDER BY 1"

pgclone_run() { # source-db target-db options -> clone, recording peak RSS (KB) and the phase line of the summary
  /usr/bin/time -f %M -o "$work/rss" "$pgclone" database --source "$(src "$1")" --target "$(tgt "$2")" --options "$3" >/dev/null 2>"$work/pgclone.log" \
    || { tail -5 "$work/pgclone.log" >&2; return 1; }
  echo "    peak RSS $(( $(cat "$work/rss") / 1024 )) MB; $(grep -o 'phases: .*' "$work/pgclone.log")" >&2
}
run_tool() { # tool source-db target-db -> runs the clone into the fresh, empty target db
  local tool=$1 db=$2 tdb=$3 out=$work/dump_$3  # kept, like the databases, for the same reason
  case $tool in
    pgclone) pgclone_run "$db" "$tdb" "{\"parallel\":$parallel}" ;;
    pgclone_masked) pgclone_run "$db" "$tdb" "{\"parallel\":$parallel,\"mask\":$mask}" ;;
    pgclone_premasked) pgclone_run bench_premasked "$tdb" "{\"parallel\":$parallel}" ;;
    dump_psql) pg_dump -p "$sport" -d "$db" | psql -q -X -v ON_ERROR_STOP=1 -p "$tport" -d "$tdb" >/dev/null ;;
    dump_dir) pg_dump -p "$sport" -d "$db" -Fd -j "$parallel" -f "$out" && pg_restore -p "$tport" -d "$tdb" -j "$parallel" "$out" ;;
    pgcopydb) pgcopydb clone --source "postgres://postgres:bench@127.0.0.1:$sport/$db" --target "postgres://postgres:bench@127.0.0.1:$tport/$tdb" \
                --table-jobs "$parallel" --index-jobs "$parallel" --dir "$out" --no-owner --no-acl >/dev/null 2>"$work/pgcopydb.log" || { tail -5 "$work/pgcopydb.log" >&2; return 1; } ;;
  esac
}

results=$work/results.txt
for case_ in $cases; do
  db=bench_$case_
  expected=$(psql -At -p "$sport" -d "$db" -c "$counts_sql")
  case_tools=$tools
  [ "$case_" = masked ] && case_tools="pgclone pgclone_masked pgclone_premasked"
  # Runs interleave the tools, each run in a rotated order, so that a slow spell of the VM or the file system
  # (see below) falls on every tool alike instead of on whichever ran its three runs then.
  read -ra order <<<"$case_tools"
  declare -A times=()
  for ((r = 1; r <= runs; r++)); do
    for ((k = 0; k < ${#order[@]}; k++)); do
      tool=${order[$(((k + r - 1) % ${#order[@]}))]}
      # Every run gets a database of its own, and none is dropped until the end: ext4 skips the inodes deleted in
      # the last minutes when it allocates one (recently_deleted() in perf), so creating files right after a
      # DROP DATABASE of thousands of them got slower run after run (300 empty tables: 0.95 s, then up to 5 s).
      tdb=${db}_${tool}_$r
      psql -q -p "$tport" -d postgres -c "CREATE DATABASE $tdb" -c "CHECKPOINT"
      t0=$(date +%s.%N)
      if ! run_tool "$tool" "$db" "$tdb"; then echo "$case_ $tool FAILED" >&2; times[$tool]+=" NaN"; continue; fi
      t1=$(date +%s.%N)
      got=$(psql -At -p "$tport" -d "$tdb" -c "$counts_sql")
      if [ "$got" != "$expected" ]; then echo "$case_ $tool run $r: ROW COUNTS DIFFER" >&2; times[$tool]+=" NaN"; continue; fi
      secs=$(echo "$t1 - $t0" | bc)
      times[$tool]+=" $secs"
      echo "  $case_ $tool run $r: $secs s" >&2
    done
  done
  for tool in "${order[@]}"; do
    median=$(printf '%s\n' ${times[$tool]} | grep -v NaN | sort -n | awk '{a[NR]=$1} END {if (NR==0) print "NaN"; else print a[int((NR+1)/2)]}')
    echo "$case_ $tool $median" >> "$results"
  done
  unset times
done

echo
printf '%-6s %-17s %9s %s\n' case tool seconds "ratio to the fastest other tool (masked case: to the unmasked clone)"
while read -r case_ tool secs; do
  if [ "$case_" = masked ]; then
    other=$( [ "$tool" != pgclone ] && awk '$1=="masked" && $2=="pgclone" && $3!="NaN" {print $3}' "$results" || true)
  else
    other=$(awk -v c="$case_" -v t="$tool" '$1==c && $2!=t && $3!="NaN" {print $3}' "$results" | sort -n | head -1)
  fi
  ratio=$( [ -n "$other" ] && [ "$secs" != NaN ] && echo "scale=2; $secs / $other" | bc || echo "-")
  printf '%-6s %-17s %9s %s\n' "$case_" "$tool" "$secs" "$ratio"
done < "$results"

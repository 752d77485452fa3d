#!/usr/bin/env bash
# PgClone fidelity check: builds the databases PostgreSQL's own regression suites leave behind (the core suite's
# "regression" database: every object kind and odd name the server's developers test; and the contrib suites',
# one database each), clones each with `pgclone database` and with `pg_dump | psql` onto a second cluster, and
# prints the lines of `pg_dump --schema-only` and of sorted `pg_dump --data-only` that differ from the source's.
#
#   bench/fidelity.sh [--contrib "hstore ltree ..."] [--sql "pagila.sql northwind.sql ..."] [--no-suites]
#
# --sql also builds one database per SQL script (a sample database's dump or install script, loaded with psql;
# its errors are kept in the work directory), named after the file; --no-suites builds only those.
#
# Needs: the PostgreSQL server and client (installed when missing), a C compiler and make (the suite's regress.so is
# built from the server's source, which is downloaded from Debian's archive for the installed version), the .NET SDK.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
sql="" suites=1
contrib="bloom btree_gin btree_gist citext cube dict_int dict_xsyn earthdistance file_fdw fuzzystrmatch hstore intarray isn lo ltree pg_trgm pgcrypto seg tablefunc tsm_system_rows tsm_system_time unaccent uuid-ossp xml2 postgres_fdw"
while (($#)); do
  case $1 in
    --contrib) contrib=$2; shift 2 ;;
    --sql) for f in $2; do sql+=" $(realpath "$f")"; done; shift 2 ;;
    --no-suites) suites=0; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql-15)
command -v pg_dump >/dev/null || need+=(postgresql-client-15)
command -v cc >/dev/null && command -v make >/dev/null || need+=(gcc make)
command -v bzip2 >/dev/null || need+=(bzip2)
if ((${#need[@]})); then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi
. "$here/clusters.sh"
major=$(basename "$(dirname "$bin")")
regress=$(dirname "$bin")/lib/pgxs/src/test/regress/pg_regress
work=$(work_dir pgclone-fidelity)
export PGUSER=postgres PGPASSWORD=fidelity PGHOST=127.0.0.1
trap stop_clusters EXIT

if ((suites)); then
  echo "downloading and configuring the PostgreSQL $major source (for regress.so)..." >&2
  orig=$(curl -fsS "http://deb.debian.org/debian/dists/$(. /etc/os-release; echo "$VERSION_CODENAME")/main/source/Sources.xz" | xz -d \
    | awk -v p="postgresql-$major" '$1 == "Package:" {on = ($2 == p)} on && !found && /orig\.tar\.bz2$/ {print $3; found = 1}')
  curl -fsS "http://deb.debian.org/debian/pool/main/p/postgresql-$major/$orig" | tar xj -C "$work"
  src=$(ls -d "$work"/postgresql-*/)
  (cd "$src" && ./configure --without-readline --without-zlib --without-icu >/dev/null && make -s -C src/backend generated-headers >/dev/null \
    && make -s -C src/test/regress regress.so refint.so autoinc.so >/dev/null)
fi

sport=$(start_cluster source -c fsync=off); tport=$(start_cluster target -c fsync=off)
echo "building pgclone..." >&2
dotnet publish "$repo/PgClone.Cli" -c Release -o "$work/pgclone" --nologo -v q >/dev/null

run_suite() { # database directory tests... : runs pg_regress's tests into a new database of the source cluster
  local db=$1 dir=$2; shift 2
  psql -q -p "$sport" -d postgres -c "CREATE DATABASE \"$db\" TEMPLATE template0"
  mkdir -p "$work/out/$db"
  (cd "$dir" && "$regress" --use-existing --dbname="$db" --host=127.0.0.1 --port="$sport" --user=postgres --bindir="$bin" \
    --inputdir=. --outputdir="$work/out/$db" --dlpath="$src/src/test/regress" "$@" >"$work/$db.regress.log" 2>&1) || true
  echo "  $db: $(grep -E 'tests (passed|failed)|of [0-9]+ tests' "$work/$db.regress.log" | tr -d '=' | xargs)" >&2
}
dbs=()
if ((suites)); then
  echo "running the core regression suite..." >&2
  run_suite regression "$src/src/test/regress" --schedule=parallel_schedule --max-connections=4
  dbs+=(regression)
  for c in $contrib; do
    tests=$(awk '/^REGRESS *=/ {on = 1; sub(/^REGRESS *=/, "")} on {more = sub(/\\$/, ""); printf "%s ", $0; if (!more) exit}' "$src/contrib/$c/Makefile" | sed 's/\$([^)]*)//g')
    db=contrib_$(echo "$c" | tr - _); run_suite "$db" "$src/contrib/$c" $tests; dbs+=("$db")
  done
fi
for f in $sql; do
  db=sample_$(basename "$f" .sql | tr -c 'a-zA-Z0-9_\n' _)
  psql -q -p "$sport" -d postgres -c "CREATE DATABASE \"$db\" TEMPLATE template0"
  psql -q -X -p "$sport" -d "$db" -f "$f" >/dev/null 2>"$work/$db.load.log" || true
  echo "  $db: loaded $f ($(grep -c ERROR "$work/$db.load.log" || true) errors, see $work/$db.load.log)" >&2
  dbs+=("$db")
done
pg_dumpall -p "$sport" -r 2>/dev/null | psql -q -p "$tport" -d postgres >/dev/null 2>&1

dump() { pg_dump -p "$1" -d "$2" "${@:3}" | grep -v '^\\\(un\)\?restrict'; }
differing() { diff "$1" "$2" | grep -c '^[<>]' || true; }
printf '%-26s %8s %8s %12s %12s %10s %s\n' database tables "~rows" "pgclone -s" "pg_dump -s" "pgclone -a" "pg_dump -a (differing lines)"
for db in "${dbs[@]}"; do
  for t in pgc ref; do psql -q -p "$tport" -d postgres -c "CREATE DATABASE \"${db}_$t\""; done
  "$work/pgclone/pgclone" database --source "host=127.0.0.1 port=$sport user=postgres password=fidelity dbname=$db" \
    --target "host=127.0.0.1 port=$tport user=postgres password=fidelity dbname=${db}_pgc" \
    >"$work/$db.pgclone.log" 2>&1 || { echo "$db: pgclone FAILED: $(tail -1 "$work/$db.pgclone.log")"; continue; }
  pg_dump -p "$sport" -d "$db" | psql -q -p "$tport" -d "${db}_ref" >/dev/null 2>"$work/$db.ref.log" || true
  dump "$sport" "$db" -s >"$work/s"; dump "$tport" "${db}_pgc" -s >"$work/pgc.s"; dump "$tport" "${db}_ref" -s >"$work/ref.s"
  dump "$sport" "$db" -a | sort >"$work/a"; dump "$tport" "${db}_pgc" -a | sort >"$work/pgc.a"; dump "$tport" "${db}_ref" -a | sort >"$work/ref.a"
  counts=$(psql -At -p "$sport" -d "$db" -c "SELECT count(*), coalesce(sum(c.reltuples::bigint) FILTER (WHERE c.reltuples > 0), 0) FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')")
  printf '%-26s %8s %8s %12s %12s %10s %s\n' "$db" "${counts%|*}" "${counts#*|}" "$(differing "$work/s" "$work/pgc.s")" \
    "$(differing "$work/s" "$work/ref.s")" "$(differing "$work/a" "$work/pgc.a")" "$(differing "$work/a" "$work/ref.a")"
done

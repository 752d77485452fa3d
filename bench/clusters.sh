# Sourced by the bench scripts: private PostgreSQL clusters in a work directory, as the postgres user when run as root.
#   work_dir PREFIX                  -> prints a new work directory the clusters and their password file go in
#   start_cluster NAME SETTINGS...   -> initdb + start $work/NAME on a free port with password $PGPASSWORD; prints the port
#   stop_clusters                    -> stops every cluster of $work, removes $work unless KEEP is set
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
work_dir() {
  local dir; dir=$(mktemp -d "/tmp/$1-XXXXXX")
  chmod 755 "$dir"; [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  echo "$dir"
}
start_cluster() {
  local dir=$work/$1 port; shift; port=$(free_port)
  echo "$PGPASSWORD" > "$work/pw"; [ "$(id -u)" -eq 0 ] && chown postgres "$work/pw"
  as_pg "$bin/initdb" -D "$dir" -U postgres --pwfile "$work/pw" -A scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir.log" -w -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' $*" start >/dev/null
  echo "$port"
}
stop_clusters() {
  for c in "$work"/*/; do [ -f "$c/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$c" -m immediate stop >/dev/null 2>&1 || true; done
  [ -n "${KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}

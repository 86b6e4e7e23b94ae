#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster in a folder, for development and the tests.
#   pg-throwaway.sh start DIR [--tls]   initdb in DIR/data, listen on 127.0.0.1 at a free port
#                                       and on a Unix socket in DIR; writes DIR/env
#   pg-throwaway.sh stop DIR            stops it (immediate) and removes DIR
#   pg-throwaway.sh kill DIR            SIGKILL the postmaster (fault tests); restart with `restart`
#   pg-throwaway.sh restart DIR         starts the existing cluster again on the same port
# DIR/env holds shell assignments: ECOKIOSK_PG_ADMIN_URL (a superuser with a SCRAM password),
# ECOKIOSK_PG_PORT, ECOKIOSK_PG_SOCKET, and with --tls ECOKIOSK_PG_CA (the throwaway CA's
# certificate, made with openssl; the server's certificate names only "localhost", so
# host=127.0.0.1 with sslmode=verify-full is a name mismatch) and ECOKIOSK_PG_OTHER_CA
# (a CA that signed nothing here: every certificate is "untrusted" under it).
# initdb refuses to run as root: as root the cluster runs as the "postgres" system user
# (Debian's postgresql package makes it); otherwise as the current user.
# Exit 77 when the PostgreSQL 15 binaries are missing (CTest's skip code).
set -euo pipefail
PGBIN=${ECOKIOSK_PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|kill|restart DIR [--tls]" >&2; exit 2; }
if [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_ctl" ]; then
  echo "SKIP: PostgreSQL 15 binaries not found in $PGBIN (apt-get install postgresql)" >&2
  exit 77
fi
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  # A port nothing listens on now; postgres fails to bind if another took it since,
  # and start tries again.
  local p
  for _ in $(seq 1 50); do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return; fi
  done
  echo "no free port found" >&2; exit 1
}

start_server() {  # $1 port
  as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-p $1 -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
}

case "$cmd" in
start)
  tls=0; [ "${3:-}" = "--tls" ] && tls=1
  mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
  # A cluster left by an interrupted run is thrown away like any other.
  if [ -e "$dir/data" ]; then "$0" stop "$dir"; mkdir -p "$dir"; fi
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  umask 077
  printf '%s\n' "$password" > "$dir/pw"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir" "$dir/pw"
  as_owner "$PGBIN/initdb" -D "$dir/data" -U ecoadmin --pwfile="$dir/pw" -A scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  rm -f "$dir/pw"
  {
    echo "fsync = off"                  # a throwaway cluster: speed over durability
    echo "synchronous_commit = on"      # commits still wait for the WAL write (SIGKILL tests)
    echo "full_page_writes = off"
    echo "max_connections = 100"
    echo "password_encryption = 'scram-sha-256'"
    echo "log_min_messages = warning"
  } >> "$dir/data/postgresql.conf"
  if [ $tls -eq 1 ]; then
    command -v openssl >/dev/null || { echo "SKIP: openssl missing" >&2; exit 77; }
    t="$dir/tls"; mkdir -p "$t"
    (cd "$t"
     openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=EcoKiosk throwaway CA" \
       -keyout ca.key -out ca.crt 2>/dev/null
     openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Some other CA" \
       -keyout other.key -out other.crt 2>/dev/null
     openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
     printf 'subjectAltName=DNS:localhost\n' > ext.cnf
     openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
       -extfile ext.cnf -out server.crt 2>/dev/null)
    cp "$t/server.crt" "$t/server.key" "$dir/data/"
    chmod 600 "$dir/data/server.key"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir/data/server.crt" "$dir/data/server.key"
    chmod 644 "$t/ca.crt" "$t/other.crt"
    { echo "ssl = on"; echo "ssl_cert_file = 'server.crt'"; echo "ssl_key_file = 'server.key'"; } >> "$dir/data/postgresql.conf"
  fi
  # Password (SCRAM) everywhere, over TCP and the socket alike.
  cat > "$dir/data/pg_hba.conf" <<HBA
local all all scram-sha-256
host  all all 127.0.0.1/32 scram-sha-256
HBA
  started=0
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    if start_server "$port"; then started=1; break; fi
  done
  [ $started -eq 1 ] || { cat "$dir/server.log" >&2; exit 1; }
  {
    echo "ECOKIOSK_PG_PORT=$port"
    echo "ECOKIOSK_PG_SOCKET=$dir"
    echo "ECOKIOSK_PG_ADMIN_URL='postgresql://ecoadmin:$password@127.0.0.1:$port/postgres'"
    if [ $tls -eq 1 ]; then
      echo "ECOKIOSK_PG_CA=$dir/tls/ca.crt"
      echo "ECOKIOSK_PG_OTHER_CA=$dir/tls/other.crt"
    fi
  } > "$dir/env"
  echo "$port" > "$dir/port"
  [ "$(id -u)" -eq 0 ] && chmod 755 "$dir"  # root's tests read env and the CA
  echo "PostgreSQL running: $dir (port $port); settings in $dir/env"
  ;;
stop)
  [ -d "$dir/data" ] && as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
kill)
  pid=$(head -1 "$dir/data/postmaster.pid")
  kill -KILL "$pid"
  # Children of a SIGKILLed postmaster exit on their own once they notice; wait for them,
  # or the restart finds the shared memory still attached.
  for _ in $(seq 1 100); do
    pgrep -P "$pid" >/dev/null 2>&1 || kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  ;;
restart)
  start_server "$(cat "$dir/port")"
  ;;
*) echo "usage: $0 start|stop|kill|restart DIR [--tls]" >&2; exit 2 ;;
esac

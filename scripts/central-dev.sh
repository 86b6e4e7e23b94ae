#!/usr/bin/env bash
# A throwaway central PostgreSQL for development (issue 16), in ${ECOKIOSK_CENTRAL_DEV:-/tmp/ecokiosk-central-$USER}:
#   scripts/central-dev.sh start   initdb, start on 127.0.0.1 (a free port) and a Unix socket,
#                                  TLS with a throwaway CA, create database "ecokiosk" and run
#                                  `ecokiosk central init`; prints the URLs to use
#   scripts/central-dev.sh stop    stop it and delete everything it held
#   scripts/central-dev.sh env     print the settings (source it: eval "$(scripts/central-dev.sh env)")
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${ECOKIOSK_CENTRAL_DEV:-/tmp/ecokiosk-central-${USER:-$(id -un)}}
APP=${ECOKIOSK_BIN:-$ROOT/build/ecokiosk}
case "${1:-}" in
start)
  bash "$ROOT/scripts/pg-throwaway.sh" start "$DIR" --tls
  . "$DIR/env"
  PATH=/usr/lib/postgresql/15/bin:$PATH psql -qX "$ECOKIOSK_PG_ADMIN_URL" -c 'CREATE DATABASE ecokiosk' >/dev/null
  admin="${ECOKIOSK_PG_ADMIN_URL%/postgres}/ecokiosk"
  if [ -x "$APP" ]; then "$APP" central init --url "$admin"; else echo "(build ecokiosk, then: ecokiosk central init --url '$admin')"; fi
  cat <<MSG
Administrator URL:  $admin
A kiosk's URL:      postgresql://localhost:$ECOKIOSK_PG_PORT/ecokiosk?sslmode=verify-full&sslrootcert=$ECOKIOSK_PG_CA
Add a kiosk:        $APP central add-kiosk KIOSK_ID --url '$admin' --config PATH/config.json \\
                      --kiosk-url 'postgresql://localhost:$ECOKIOSK_PG_PORT/ecokiosk?sslmode=verify-full&sslrootcert=$ECOKIOSK_PG_CA'
Stop:               scripts/central-dev.sh stop
MSG
  ;;
stop) bash "$ROOT/scripts/pg-throwaway.sh" stop "$DIR"; echo "stopped; $DIR removed" ;;
env) cat "$DIR/env" ;;
*) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac

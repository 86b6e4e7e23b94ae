#!/usr/bin/env bash
# An expired center certificate (issue 16) is its own status: `ecokiosk sync` exits 1
# with status tls-expired and the date, the console's record says tls-expired, nothing
# is marked sent, and the look at the certificate sends no login. An expired
# certificate from a CA the kiosk does not trust stays plain "tls". Once the center has
# a valid certificate again, the waiting responses go. A cluster of its own: the
# server's certificate is replaced (openssl x509 -days -1: valid until a day before it
# was issued).
#   central_tls_expired.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$1; SRC=$2
OWN=$(mktemp -d); chmod 755 "$OWN"
THROW="$SRC/scripts/pg-throwaway.sh"
rc=0; bash "$THROW" start "$OWN/cluster" --tls >/dev/null || rc=$?
[ $rc -eq 0 ] || { rm -rf "$OWN"; exit $rc; }
export ECOKIOSK_TEST_CLUSTER="$OWN/cluster"
. "$SRC/tests/central/lib.sh" "$BUILD" "$SRC"
trap 'cleanup; bash "$THROW" stop "$OWN/cluster" >/dev/null; rm -rf "$OWN"' EXIT
T="$OWN/cluster/tls"
owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
served() {  # the fingerprint of the certificate the server presents now
  openssl s_client -starttls postgres -connect "127.0.0.1:$ECOKIOSK_PG_PORT" </dev/null 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256 2>/dev/null || true
}
use_cert() {  # FILE: the server's certificate from now on
  cp "$1" "$OWN/cluster/data/server.crt"
  [ "$(id -u)" -eq 0 ] && chown postgres "$OWN/cluster/data/server.crt"
  owner "$PGBIN/pg_ctl" -D "$OWN/cluster/data" reload >/dev/null
  # pg_ctl reload only signals the server: wait until it presents the new certificate
  # (a fixed second was a guess a loaded machine can outlast).
  local want
  want=$(openssl x509 -in "$1" -noout -fingerprint -sha256)
  for _ in $(seq 100); do [ "$(served)" = "$want" ] && return; sleep 0.1; done
  fail "the server does not present $1 after a reload (it presents: $(served))"
}
new_center expired
"$APP" central init --url "$CENTER" >/dev/null
kiosk hall-a --kiosk-url "$KIOSK_URL_TLS"
fill hall-a 20 1
out=$(sync_kiosk hall-a) || fail "sync with a valid certificate: $out"
cp "$OWN/cluster/data/server.crt" "$T/valid.crt"
openssl x509 -req -in "$T/server.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial -days -1 \
  -extfile "$T/ext.cnf" -out "$T/expired.crt" 2>/dev/null
openssl x509 -in "$T/expired.crt" -noout -checkend 0 >/dev/null && fail "the test certificate is not expired"
use_cert "$T/expired.crt"
fill hall-a 30 2
mark=$(sqlite3 "$WORK/hall-a.db" "SELECT response_mark FROM central_sync")
if sync_kiosk hall-a >"$WORK/out" 2>&1; then fail "sync exited 0 against an expired certificate"; fi
grep -q "status: tls-expired$" "$WORK/out" || { cat "$WORK/out"; fail "expected status tls-expired"; }
grep -q "certificate expired on 20" "$WORK/out" || { cat "$WORK/out"; fail "the date is not given"; }
grep -q "waiting 30" "$WORK/out" || { cat "$WORK/out"; fail "waiting count"; }
[ "$(sqlite3 "$WORK/hall-a.db" "SELECT status FROM central_sync")" = tls-expired ] || fail "the console's record says $(sqlite3 "$WORK/hall-a.db" "SELECT status FROM central_sync")"
[ "$(sqlite3 "$WORK/hall-a.db" "SELECT response_mark FROM central_sync")" = "$mark" ] || fail "the mark moved"
[ "$(admin_sql "SELECT count(*) FROM responses")" = 20 ] || fail "rows reached the center"
grep -q ecokiosk_certificate_probe "$OWN/cluster/server.log" && fail "the certificate probe got as far as a login"
echo "  expired certificate: status tls-expired ($(grep -o 'certificate expired on [^(]*' "$WORK/out"))"
# Expired and from another CA: untrusted is what matters.
python3 - "$WORK/hall-a/config.json" "postgresql://localhost:$ECOKIOSK_PG_PORT/$CENTER_DB?sslmode=verify-full&sslrootcert=$ECOKIOSK_PG_OTHER_CA" <<'PY'
import json, sys
p, url = sys.argv[1], sys.argv[2]
c = json.load(open(p)); c["central_url"] = url; json.dump(c, open(p, "w"))
PY
if sync_kiosk hall-a >"$WORK/out" 2>&1; then fail "sync exited 0 with an untrusted CA"; fi
grep -q "status: tls$" "$WORK/out" || { cat "$WORK/out"; fail "an expired certificate of another CA: expected status tls"; }
echo "  expired and untrusted: status tls"
# Renewed: everything waiting goes.
python3 - "$WORK/hall-a/config.json" "$KIOSK_URL_TLS" <<'PY'
import json, sys
p, url = sys.argv[1], sys.argv[2]
c = json.load(open(p)); c["central_url"] = url; json.dump(c, open(p, "w"))
PY
use_cert "$T/valid.crt"
out=$(sync_kiosk hall-a) || fail "sync after renewal: $out"
grep -q "sent 30," <<<"$out" || fail "after renewal: $out"
echo "central_tls_expired: ok"

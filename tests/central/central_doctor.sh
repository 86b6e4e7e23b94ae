#!/usr/bin/env bash
# `ecokiosk doctor`'s central-store line, one status at a time: not configured (skip),
# working (ok, with the waiting count, which falls to 0 after a sync), and red with
# its own words and fix for a kiosk id changed away from its login's, a credentials file
# others may read, a wrong password, a
# center that is down, one without the schema, one with an older schema, and a
# central_url that is not a PostgreSQL URL (refused by the configuration's check).
#   central_doctor.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
new_center doctor
"$APP" central init --url "$CENTER" >/dev/null

# central: the central-store line of `doctor` for kiosk $1, in $LINE (and the fix in $FIX)
central() {
  "$APP" --data-dir "$SRC" --db "$WORK/$1.db" --config "$WORK/$1/config.json" doctor >"$WORK/out" 2>&1 || true
  LINE=$(grep 'central-store:' "$WORK/out" || true)
  FIX=$(grep -A1 'central-store:' "$WORK/out" | grep 'fix:' || true)
  echo "$1: $LINE${FIX:+ / $FIX}"
}

# set_key FILE KEY VALUE: one string in a JSON file (its mode kept)
set_key() { python3 - "$@" <<'EOF'
import json, sys
p, k, v = sys.argv[1:4]; j = json.load(open(p)); j[k] = v; open(p, "w").write(json.dumps(j))
EOF
}

# Not configured: skipped, and says what that means.
mkdir -p "$WORK/plain"
printf '{"kiosk_id": "plain"}\n' > "$WORK/plain/config.json"
central plain
grep -q '\[skip\] central-store: not configured' <<<"$LINE" || fail "an unconfigured kiosk: $LINE"

# Working: reachable, the schema version, 25 waiting; after a sync 0 waiting.
kiosk hall-a --kiosk-url "$KIOSK_URL"
fill hall-a 25 1
central hall-a
grep -q '\[ ok \] central-store: reachable as ecokiosk_k_.*schema version [0-9]\+; 25 waiting to be sent, never in contact yet' <<<"$LINE" \
  || fail "a working kiosk: $LINE"
sync_kiosk hall-a >/dev/null
central hall-a
grep -q '\[ ok \] central-store: .*; 0 waiting to be sent, last contact 20' <<<"$LINE" || fail "after a sync: $LINE"

# The kiosk id changed in the settings while the login stays the old kiosk's: red, naming
# both ids (the sync refuses to send in that state).
cp "$WORK/hall-a/config.json" "$WORK/hall-a/config.good"
set_key "$WORK/hall-a/config.json" kiosk_id hall-renamed
central hall-a
grep -q '\[FAIL\] central-store: .*status auth.*belongs to kiosk "hall-a".*say "hall-renamed"' <<<"$LINE" || fail "a renamed kiosk: $LINE"
grep -q 'set kiosk_id in .* back' <<<"$FIX" || fail "a renamed kiosk: the fix does not say to set the id back: $FIX"
mv "$WORK/hall-a/config.good" "$WORK/hall-a/config.json"

# The credentials file readable by others: refused, and the fix says chmod 600.
chmod 644 "$WORK/hall-a/central-credentials.json"
central hall-a
grep -q '\[FAIL\] central-store: .*status auth' <<<"$LINE" || fail "a 0644 credentials file: $LINE"
grep -q 'chmod 600' <<<"$FIX" || fail "no chmod fix: $FIX"
chmod 600 "$WORK/hall-a/central-credentials.json"

# A wrong password.
set_key "$WORK/hall-a/central-credentials.json" password not-the-password
central hall-a
grep -q '\[FAIL\] central-store: .*status auth' <<<"$LINE" || fail "a wrong password: $LINE"
grep -q 'add-kiosk' <<<"$FIX" || fail "no add-kiosk fix: $FIX"

# A center that is down (a port nothing listens on).
kiosk hall-b --kiosk-url "postgresql://127.0.0.1:1/$CENTER_DB?sslmode=disable"
central hall-b
grep -q '\[FAIL\] central-store: .*status refused' <<<"$LINE" || fail "a center that is down: $LINE"
grep -q 'center is up' <<<"$FIX" || fail "no fix for a center that is down: $FIX"

# A database without the schema, and one with an older schema.
new_center doctor_bare
python3 - "$WORK/hall-b/config.json" "$KIOSK_URL" <<'EOF'
import json, sys
p = sys.argv[1]; j = json.load(open(p)); j["central_url"] = sys.argv[2]; open(p, "w").write(json.dumps(j))
EOF
central hall-b
# The kiosk role belongs to the first center's database; here it may not even connect,
# or it connects and finds no schema: either way red with a status, never ok.
grep -q '\[FAIL\] central-store: .*status \(not-initialised\|auth\|refused-by-center\)' <<<"$LINE" || fail "no schema: $LINE"
new_center doctor_old
"$APP" central init --url "$CENTER" >/dev/null
kiosk hall-c --kiosk-url "$KIOSK_URL"
admin_sql "DELETE FROM ecokiosk_schema WHERE version > 1" >/dev/null
central hall-c
grep -q '\[FAIL\] central-store: .*status schema-older' <<<"$LINE" || fail "an older center: $LINE"
grep -q 'central init' <<<"$FIX" || fail "no central init fix: $FIX"

# A central_url that is not a PostgreSQL URL.
python3 - "$WORK/hall-a/config.json" <<'EOF'
import json, sys
p = sys.argv[1]; j = json.load(open(p)); j["central_url"] = "http://example.org/"; open(p, "w").write(json.dumps(j))
EOF
central hall-a
# The configuration's own check refuses it by name (the value is not taken), and the
# central line does not pretend the kiosk is working.
grep -q '\[FAIL\] config.*central_url' "$WORK/out" || fail "a bad central_url: $(cat "$WORK/out")"
grep -q '\[ ok \]' <<<"$LINE" && fail "a bad central_url counted as working: $LINE"
echo "PASS"

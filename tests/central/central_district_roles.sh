#!/usr/bin/env bash
# The district console's rights, enforced by PostgreSQL and tried by direct SQL as each
# personal account (issue 17): a department records only the indicators it leads and
# updates only the tasks it is responsible for or cooperates on; the propaganda
# department reads responses but records nothing; an admin manages accounts and halls
# but reads no responses; every record, task update and account change lands in the
# audit with the real login and the server's clock; nobody can change the audit, and
# `audit verify` finds an entry a superuser edited or deleted.
#   central_district_roles.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/lib.sh"
new_center roles
out=$("$APP" --data-dir "$SRC" central init --url "$CENTER")
grep -q "created schema version $SCHEMA_VERSION" <<<"$out" || fail "init said: $out"
grep -q "departments from the catalog" <<<"$out" || fail "init loaded no departments: $out"
[ "$(admin_sql "SELECT string_agg(department, ',') FROM indicator_leads WHERE indicator = '14.1'")" = "区林业局" ] \
  || fail "14.1's lead: $(admin_sql "SELECT string_agg(department, ',') FROM indicator_leads WHERE indicator = '14.1'")"
[ "$(admin_sql "SELECT responsible FROM task_departments WHERE task = '3.1' AND department = '区林业局'")" = f ] \
  || fail "3.1: 区林业局 should cooperate"
# A second init changes nothing and loads the same links.
out=$("$APP" --data-dir "$SRC" central init --url "$CENTER")
grep -q "already current" <<<"$out" && grep -q "(0 new)" <<<"$out" || fail "second init said: $out"

PORT=$ECOKIOSK_PG_PORT
# Account names are cluster-wide roles: these carry the process id, as tests run in parallel.
F=forest.$$ E=env.staff.$$ P=prop.$$ B=boss.$$ W=water.$$
as_user() {  # as_user NAME PASSWORD SQL
  PGPASSWORD="$2" psql -qAtX "postgresql://$1@127.0.0.1:$PORT/$CENTER_DB" -v ON_ERROR_STOP=1 -c "$3"
}
refused() {  # refused NAME PASSWORD SQL WHY: the engine must refuse, saying WHY
  local err
  if err=$(as_user "$1" "$2" "$3" 2>&1); then fail "$1 may run: $3"; fi
  grep -qE "$4" <<<"$err" || fail "$1: refused, but why: $err (for $3)"
}
PW_F=forest-pass-1234
PW_E=env-pass-123456
PW_P=propaganda-pass-1
PW_A=admin-pass-12345
echo "$PW_F" | "$APP" --data-dir "$SRC" central add-user $F --url "$CENTER" --department 区林业局 >/dev/null \
  || fail "add-user $F"
echo "$PW_E" | "$APP" --data-dir "$SRC" central add-user $E --url "$CENTER" --department 区生态环境局 >/dev/null \
  || fail "add-user $E"
echo "$PW_P" | "$APP" central add-user $P --url "$CENTER" --role propaganda >/dev/null || fail "add-user $P"
umask 077
printf '%s\n' "$PW_A" > "$WORK/admin.pw"
"$APP" central add-user $B --url "$CENTER" --role admin --password-file "$WORK/admin.pw" >/dev/null \
  || fail "add-user from a 0600 file"
# Refused before anything changes: a readable password file, a link, a short password,
# an unknown department, a bad name, the name of a role that is not an account.
chmod 644 "$WORK/admin.pw"
"$APP" central add-user boss2 --url "$CENTER" --role admin --password-file "$WORK/admin.pw" 2>"$WORK/err" \
  && fail "add-user read a password file others may read"
grep -q "chmod 600" "$WORK/err" || fail "readable file: $(cat "$WORK/err")"
chmod 600 "$WORK/admin.pw"; ln -s "$WORK/admin.pw" "$WORK/link.pw"
"$APP" central add-user boss2 --url "$CENTER" --role admin --password-file "$WORK/link.pw" 2>"$WORK/err" \
  && fail "add-user read a password through a link"
echo short | "$APP" central add-user boss2 --url "$CENTER" --role admin 2>"$WORK/err" && fail "a short password"
grep -q "at least 10" "$WORK/err" || fail "short password: $(cat "$WORK/err")"
echo "$PW_A" | "$APP" central add-user x.y --url "$CENTER" --department 区不存在局 2>"$WORK/err" && fail "unknown department"
grep -q "no department" "$WORK/err" || fail "unknown department: $(cat "$WORK/err")"
echo "$PW_A" | "$APP" central add-user 'Robert"; DROP' --url "$CENTER" --role admin 2>"$WORK/err" && fail "a bad name"
echo "$PW_A" | "$APP" central add-user ecoadmin --url "$CENTER" --role admin 2>"$WORK/err" && fail "took over the superuser's role"
grep -q "not an EcoKiosk account" "$WORK/err" || fail "existing role: $(cat "$WORK/err")"
[ "$(admin_sql "SELECT count(*) FROM accounts")" = 4 ] || fail "accounts: $(admin_sql "SELECT role FROM accounts")"
[ "$(admin_sql "SELECT rolpassword LIKE 'SCRAM-SHA-256\$%' FROM pg_authid WHERE rolname = '$F'")" = t ] \
  || fail "$F's password is not stored as SCRAM"

# Authentication is the engine's: a wrong password is refused.
refused $F wrong-password "SELECT 1" "password authentication failed"

# A department records its own indicator (recorded_by and the time are the server's)...
as_user $F "$PW_F" "INSERT INTO indicator_records(indicator, as_of, value, source, evidence) VALUES('14.1', '2019-06-30', 61.2, 'survey', 'report 12')" \
  || fail "$F could not record 14.1, which it leads"
[ "$(admin_sql "SELECT recorded_by || ' ' || (abs(recorded_at - extract(epoch FROM now()) * 1000) < 60000) FROM indicator_records")" = "$F true" ] \
  || fail "record not stamped: $(admin_sql "SELECT recorded_by, recorded_at FROM indicator_records")"
# ... but not another department's, nor under another name, nor imported-looking.
refused $F "$PW_F" "INSERT INTO indicator_records(indicator, as_of, state, source, evidence) VALUES('1', '2019-06-30', '实施', 's', 'e')" "row-level security"
refused $F "$PW_F" "INSERT INTO indicator_records(indicator, as_of, value, source, evidence, recorded_by) VALUES('14.1', '2019-06-30', 1, 's', 'e', '$E')" "permission denied"
refused $F "$PW_F" "INSERT INTO indicator_records(indicator, as_of, value, source, evidence, import_key) VALUES('14.1', '2019-06-30', 1, 's', 'e', 'k')" "permission denied"
refused $F "$PW_F" "UPDATE indicator_records SET value = 99" "permission denied"
refused $F "$PW_F" "DELETE FROM indicator_records" "permission denied"
as_user $E "$PW_E" "INSERT INTO indicator_records(indicator, as_of, state, source, evidence) VALUES('1', '2019-06-30', '实施', 's', 'e')" \
  || fail "$E could not record indicator 1"
refused $E "$PW_E" "INSERT INTO indicator_records(indicator, as_of, value, source, evidence) VALUES('14.1', '2019-06-30', 1, 's', 'e')" "row-level security"
# Tasks: responsible (13.2) and cooperating (3.1) yes; someone else's (1.1) no.
as_user $F "$PW_F" "INSERT INTO task_updates(task, status, note) VALUES('13.2', 'in_progress', 'surveying')" || fail "$F: own task"
as_user $F "$PW_F" "INSERT INTO task_updates(task, status, note) VALUES('3.1', 'done', 'sent figures')" || fail "$F: cooperating task"
refused $F "$PW_F" "INSERT INTO task_updates(task, status, note) VALUES('1.1', 'done', 'x')" "row-level security"
refused $F "$PW_F" "INSERT INTO task_updates(task, status, note) VALUES('13.2', 'finished', 'x')" "check constraint"
# Departments read no responses, no accounts; they cannot give themselves rights.
refused $F "$PW_F" "SELECT count(*) FROM responses" "permission denied"
refused $F "$PW_F" "SELECT * FROM accounts" "permission denied"
refused $F "$PW_F" "SELECT ecokiosk_set_account('$F', 'admin', NULL, 'SCRAM-SHA-256\$x')" "permission denied"
refused $F "$PW_F" "GRANT SELECT ON responses TO \"$F\"" "permission denied|must be owner"
refused $F "$PW_F" "ALTER TABLE indicator_records DISABLE ROW LEVEL SECURITY" "must be owner"

# Propaganda reads every response (through the readers' grants) and records nothing.
[ "$(as_user $P "$PW_P" "SELECT count(*) FROM responses")" = 0 ] || fail "$P cannot read responses"
refused $P "$PW_P" "INSERT INTO indicator_records(indicator, as_of, value, source, evidence) VALUES('39', '2019-06-30', 1, 's', 'e')" "permission denied"
refused $P "$PW_P" "INSERT INTO task_updates(task, status, note) VALUES('40.1', 'done', 'x')" "permission denied"
refused $P "$PW_P" "SELECT * FROM accounts" "permission denied"

# An admin manages accounts and halls, reads no responses and records nothing.
echo "$PW_A" | "$APP" central add-user $W --url "postgresql://$B:$PW_A@127.0.0.1:$PORT/$CENTER_DB" --department 区水利局 >/dev/null \
  || fail "an admin could not add an account"
refused $B "$PW_A" "SELECT count(*) FROM responses" "permission denied"
refused $B "$PW_A" "INSERT INTO indicator_records(indicator, as_of, value, source, evidence) VALUES('14.1', '2019-06-30', 1, 's', 'e')" "permission denied"
as_user $B "$PW_A" "SELECT ecokiosk_disable_account('$W')" >/dev/null || fail "admin could not disable an account"
refused $W "$PW_A" "SELECT 1" "not permitted to log in"
refused $B "$PW_A" "CREATE ROLE sneaky LOGIN" "permission denied"

# The audit: written by the engine, with the login and the server's clock.
as_user $F "$PW_F" "SELECT ecokiosk_note('sign_in', 'console', '')" >/dev/null || fail "sign-in not noted"
refused $F "$PW_F" "SELECT ecokiosk_note('record', '14.1', 'fake')" "not an action a client may note"
got=$(admin_sql "SELECT actor || ':' || action || ':' || subject FROM audit ORDER BY seq" | tr '\n' ' ')
for want in "ecoadmin:account_insert:$F" "$B:account_insert:$W" "$B:account_update:$W" "$F:record:14.1" \
            "$E:record:1" "$F:task:13.2" "$F:task:3.1" "$F:sign_in:console"; do
  grep -q "$want" <<<"$got" || fail "audit lacks $want: $got"
done
grep -q "$F:task:1.1" <<<"$got" && fail "a refused task update was audited"
[ "$(admin_sql "SELECT bool_and(abs(extract(epoch FROM at - now())) < 120) FROM audit")" = t ] || fail "audit times are not the server's"
# Each account reads its own audit rows; the admin reads all.
[ "$(as_user $F "$PW_F" "SELECT count(DISTINCT actor) FROM audit")" = 1 ] || fail "$F reads others' audit rows"
[ "$(as_user $B "$PW_A" "SELECT count(*) FROM audit")" = "$(admin_sql "SELECT count(*) FROM audit")" ] || fail "$B cannot read the audit"
# Nobody changes it: no grant to any account, and a trigger stops the owner.
for who in "$F $PW_F" "$B $PW_A" "$P $PW_P"; do
  set -- $who
  refused "$1" "$2" "UPDATE audit SET detail = 'x'" "permission denied"
  refused "$1" "$2" "DELETE FROM audit" "permission denied"
  refused "$1" "$2" "INSERT INTO audit VALUES(999, now(), 'x', 'x', 'x', 'x', 'x', 'x')" "permission denied"
  refused "$1" "$2" "SELECT ecokiosk_audit_append('record', '1', 'x')" "permission denied"
done
admin_sql "DELETE FROM audit WHERE seq = 1" 2>"$WORK/err" && fail "the owner deleted an audit row"
grep -q "append-only" "$WORK/err" || fail "owner delete: $(cat "$WORK/err")"
admin_sql "TRUNCATE audit" 2>/dev/null && fail "the owner truncated the audit"

# audit verify: intact, then broken by a superuser who switches the triggers off.
ADMIN_URL="postgresql://$B:$PW_A@127.0.0.1:$PORT/$CENTER_DB"
"$APP" --central "$ADMIN_URL" audit verify >"$WORK/out" || fail "verify of an intact audit: $(cat "$WORK/out")"
grep -q "intact" "$WORK/out" || fail "verify said: $(cat "$WORK/out")"
psql -qAtX "$CENTER" -c "SET session_replication_role = replica; UPDATE audit SET detail = replace(detail, '61.2', '81.2') WHERE action = 'record' AND subject = '14.1'"
"$APP" --central "$ADMIN_URL" audit verify >"$WORK/out" && fail "verify missed an edited entry"
grep -q "was changed after it was written" "$WORK/out" || fail "edited entry: $(cat "$WORK/out")"
psql -qAtX "$CENTER" -c "SET session_replication_role = replica; UPDATE audit SET detail = replace(detail, '81.2', '61.2') WHERE action = 'record' AND subject = '14.1'"
"$APP" --central "$ADMIN_URL" audit verify >/dev/null || fail "verify after the edit was undone"
psql -qAtX "$CENTER" -c "SET session_replication_role = replica; DELETE FROM audit WHERE seq = 3"
"$APP" --central "$ADMIN_URL" audit verify >"$WORK/out" && fail "verify missed a deleted entry"
grep -q "entry 3 missing" "$WORK/out" || fail "deleted entry: $(cat "$WORK/out")"
# Re-chaining after the deletion (renumbering and rehashing with the wrong key) is the
# anchor's job; the head printed by verify is what to keep outside the center.
echo "central_district_roles: each role's rights enforced by PostgreSQL; audit by the engine, append-only, tamper found"

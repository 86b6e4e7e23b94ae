#!/usr/bin/env bash
# The .deb as a hall's IT person uses it, in a fresh Debian 12 root (debootstrap, cached
# for the day by debian_root.sh): apt install, the service user's commands, setup and
# doctor, an upgrade (backup first), a newer database met by an older version, apt
# remove (data kept) and purge (data kept unless the debconf question says delete).
#   install_test.sh SOURCE_DIR [DEB]     (DEB defaults to $ECOKIOSK_DEB; skipped without one)
set -euo pipefail
SRC=$(readlink -f "$1")
DEB=${2:-${ECOKIOSK_DEB:-}}
[ -n "$DEB" ] || { echo "SKIP: no package (scripts/test-package.sh builds one and runs this)"; exit 77; }
DEB=$(readlink -f "$DEB")
start=$(date +%s)
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (debootstrap, chroot)"; exit 77; }
for t in debootstrap chroot dpkg-deb sqlite3; do
  command -v "$t" >/dev/null || { echo "missing $t (scripts/install-deps.sh --test)"; exit 1; }
done
BASE=$(bash "$SRC/tests/package/debian_root.sh")
CACHE=$(dirname "$BASE")/apt-archives   # downloaded .debs, kept for today's reruns
mkdir -p "$CACHE/partial"
W=$(mktemp -d /var/tmp/ecokiosk-install.XXXXXX)
R=$W/root
cleanup() {
  for m in "$R/var/cache/apt/archives" "$R/proc"; do
    mountpoint -q "$m" 2>/dev/null && umount "$m" || true
  done
  rm -rf "$W"
}
trap cleanup EXIT
cp -a "$BASE" "$R"
mount -t proc proc "$R/proc"
mount --bind "$CACHE" "$R/var/cache/apt/archives"
cp "$DEB" "$R/tmp/"
name=$(basename "$DEB")

fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
in_root() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }
as_kiosk() { in_root runuser -u ecokiosk -- "$@"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

# ---- install --------------------------------------------------------------------
in_root apt-get update -qq
if ! in_root sh -c "cd /tmp && apt install -y -q --no-install-recommends ./$name" >"$W/install.log" 2>&1; then
  tail -30 "$W/install.log"; echo "FAIL apt install ./$name"; exit 1
fi
ok "apt install ./$name ($(( $(date +%s) - start )) s so far)"
has_user() { in_root id -u ecokiosk >/dev/null; }
check "system user ecokiosk exists" has_user
# Owners are read inside the root: the host has no ecokiosk user.
st() { in_root stat -c "$1" "$2" 2>/dev/null; }
check "/var/lib/ecokiosk is 0700 ecokiosk" test "$(st '%a %U' /var/lib/ecokiosk)" = "700 ecokiosk"
check "/etc/ecokiosk/config.json is 0640" test "$(st '%a %U' /etc/ecokiosk/config.json)" = "640 ecokiosk"
check "man page installed" test -s "$R/usr/share/man/man1/ecokiosk.1.gz"
check "systemd unit installed" grep -q '^Type=notify' "$R/usr/lib/systemd/system/ecokiosk.service"
check "postinst says what to do next" grep -q "sudo -u ecokiosk ecokiosk setup" "$W/install.log"

# ---- the service user's commands use the installed paths ------------------------
as_kiosk ecokiosk validate >"$W/validate.log" 2>&1 && v=0 || v=$?
check "validate as ecokiosk (exit $v)" test "$v" -eq 0
check "validate read /usr/share/ecokiosk" grep -q "/usr/share/ecokiosk/questionnaires/knowledge.json" "$W/validate.log"
as_kiosk ecokiosk demo-data --responses 50 >"$W/demo.log" 2>&1 && v=0 || v=$?
check "demo-data as ecokiosk (exit $v)" test "$v" -eq 0
check "database in /var/lib/ecokiosk" test "$(st %U /var/lib/ecokiosk/ecokiosk.db)" = ecokiosk
n=$(sqlite3 "$R/var/lib/ecokiosk/ecokiosk.db" "SELECT count(*) FROM responses")
check "50 responses stored (found $n)" test "$n" -eq 50

# ---- first start: setup and doctor ------------------------------------------------
printf 'hall-3\n城东政务服务大厅\nEast Service Hall\nmon-fri 08:30-17:30\n24681357\n24681357\n' |
  in_root ecokiosk setup >"$W/setup-root.log" 2>&1 && v=0 || v=$?
check "setup as root is refused with the right command (exit $v)" \
  sh -c "[ $v -eq 2 ] && grep -q 'sudo -u ecokiosk ecokiosk setup' '$W/setup-root.log'"
printf 'hall-3\n城东政务服务大厅\nEast Service Hall\nmon-fri 08:30-17:30\n24681357\n24681357\n' |
  as_kiosk ecokiosk setup >"$W/setup.log" 2>&1 && v=0 || v=$?
check "setup as ecokiosk (exit $v)" test "$v" -eq 0
check "setup wrote the kiosk id" grep -q '"kiosk_id": "hall-3"' "$R/etc/ecokiosk/config.json"
check "config still 0640 after setup" test "$(stat -c %a "$R/etc/ecokiosk/config.json")" = 640
as_kiosk ecokiosk doctor --skip display --skip audio >"$W/doctor1.log" 2>&1 && v=0 || v=$?
check "doctor red before any backup (exit $v)" sh -c "[ $v -eq 1 ] && grep -q 'FAIL. backups' '$W/doctor1.log'"
as_kiosk ecokiosk backup >/dev/null
as_kiosk ecokiosk doctor --skip display --skip audio >"$W/doctor2.log" 2>&1 && v=0 || v=$?
check "doctor all green after setup and a backup (exit $v)" test "$v" -eq 0
[ "$v" -eq 0 ] || cat "$W/doctor2.log"

# ---- upgrade: the old version backs up, the new one migrates --------------------
mkdir "$W/v2"
dpkg-deb -R "$DEB" "$W/v2/pkg"
sed -i 's/^Version: .*/&+upgradetest1/' "$W/v2/pkg/DEBIAN/control"
dpkg-deb -b --root-owner-group "$W/v2/pkg" "$R/tmp/ecokiosk_upgrade.deb" >/dev/null
in_root sh -c "cd /tmp && apt install -y -q ./ecokiosk_upgrade.deb" >"$W/upgrade.log" 2>&1 || { tail -20 "$W/upgrade.log"; bad "apt upgrade"; }
pre=$(ls "$R"/var/lib/ecokiosk/backups/before-upgrade-from-* 2>/dev/null | head -1)
check "preinst backed up the database before the upgrade" test -n "$pre"
[ -n "$pre" ] && check "the pre-upgrade backup holds the 50 responses" \
  test "$(sqlite3 "$pre" 'SELECT count(*) FROM responses')" -eq 50
check "postinst opened (migrated) the database" grep -q "is ready for" "$W/upgrade.log"
check "responses kept across the upgrade" test "$(sqlite3 "$R/var/lib/ecokiosk/ecokiosk.db" 'SELECT count(*) FROM responses')" -eq 50

# ---- a database newer than the program: refused, left exactly as it is ----------
cp "$R/var/lib/ecokiosk/ecokiosk.db" "$W/saved.db"
sqlite3 "$R/var/lib/ecokiosk/ecokiosk.db" "PRAGMA user_version=999"
sum=$(sha256sum < "$R/var/lib/ecokiosk/ecokiosk.db")
in_root /var/lib/dpkg/info/ecokiosk.postinst configure 9.9.9 >"$W/downgrade.log" 2>&1 && v=0 || v=$?
check "postinst of an older version finishes (exit $v)" test "$v" -eq 0
check "and says it cannot open the newer database" grep -q "this version cannot open" "$W/downgrade.log"
as_kiosk ecokiosk backup >"$W/newer.log" 2>&1 && v=0 || v=$?
check "ecokiosk refuses the newer database (exit $v)" sh -c "[ $v -eq 1 ] && grep -q 'schema version 999' '$W/newer.log'"
check "the newer database is untouched" test "$(sha256sum < "$R/var/lib/ecokiosk/ecokiosk.db")" = "$sum"
check "nothing moved aside" sh -c "! ls '$R'/var/lib/ecokiosk/ | grep -q -e corrupt -e before-restore"
cp "$W/saved.db" "$R/var/lib/ecokiosk/ecokiosk.db"
rm -f "$R"/var/lib/ecokiosk/ecokiosk.db-wal "$R"/var/lib/ecokiosk/ecokiosk.db-shm

# ---- remove keeps the data; purge asks and keeps it without an answer ------------
in_root apt remove -y -q ecokiosk >"$W/remove.log" 2>&1 || bad "apt remove"
check "remove: database kept" test -f "$R/var/lib/ecokiosk/ecokiosk.db"
check "remove: settings kept" test -f "$R/etc/ecokiosk/config.json"
check "remove: says the data was kept" grep -q "were kept" "$W/remove.log"
in_root apt purge -y -q ecokiosk >"$W/purge.log" 2>&1 || bad "apt purge"
check "purge without an answer: database kept" test -f "$R/var/lib/ecokiosk/ecokiosk.db"
check "purge without an answer: responses intact" test "$(sqlite3 "$R/var/lib/ecokiosk/ecokiosk.db" 'SELECT count(*) FROM responses')" -eq 50
check "purge without an answer: says where the data is" grep -q "KEPT the survey responses and backups in /var/lib/ecokiosk" "$W/purge.log"
check "purge: settings removed" test ! -e "$R/etc/ecokiosk"

# Reinstall over the kept data (the same user, the same database), then purge answering yes.
in_root sh -c "cd /tmp && apt install -y -q ./$name" >"$W/reinstall.log" 2>&1 || bad "apt reinstall"
check "reinstall: the kept responses are there" test "$(as_kiosk ecokiosk indicators --format json 2>/dev/null | grep -c '"n"' || true)" -gt 0
echo "ecokiosk ecokiosk/purge_data boolean true" | in_root debconf-set-selections
in_root apt purge -y -q ecokiosk >"$W/purge2.log" 2>&1 || bad "apt purge (answer yes)"
check "purge answered yes: data deleted" test ! -e "$R/var/lib/ecokiosk"
check "purge answered yes: says so" grep -q "deleted /var/lib/ecokiosk" "$W/purge2.log"

echo "install test: $fails failure(s), $(( $(date +%s) - start )) s"
[ "$fails" -eq 0 ]

#!/usr/bin/env bash
# systemd's own check of the installed units (unknown directives, bad values, missing
# executables). Tolerated only: the man page and programs that the package or its
# Suggests install but this build machine lacks.
#   unit_verify.sh SOURCE_DIR
set -uo pipefail
SRC=$1
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
fails=0
for u in ecokiosk.service ecokiosk-x11.service; do
  out=$(systemd-analyze verify "$SRC/packaging/debian/$u" 2>&1)
  left=$(printf '%s\n' "$out" | grep -v -e "Command 'man ecokiosk(1)' failed" \
    -e "Command /usr/bin/xinit is not executable" -e "Command /usr/bin/ecokiosk is not executable" \
    -e '^$' || true)
  if [ -n "$left" ]; then echo "FAIL $u:"; printf '%s\n' "$left"; fails=1; else echo "ok   $u"; fi
done
exit "$fails"

#!/usr/bin/env bash
# The real kiosk under cage, as ecokiosk.service runs it, on wlroots' headless backend:
# Debian's GLFW is X11-only, so the kiosk must come up as an X client of cage's
# Xwayland. grim takes a Wayland screenshot, which must show the welcome screen (not a
# blank or black frame). With a stand-in NOTIFY_SOCKET the kiosk must send READY=1 and
# then WATCHDOG=1 well within WATCHDOG_USEC while nobody touches it (run 1, 1 s).
# Run 2 takes the screenshot with WATCHDOG_USEC at 60 ms: on wlroots' headless backend
# with the pixman renderer, grim copies a black frame unless the client commits a new
# buffer while the copy is pending (a minimal GLFW client clearing to orange showed the
# same: captured while redrawing every 10 ms, black when redrawing every second), so
# the kiosk must be redrawing during the capture; its loop redraws on every wake-up.
#   cage_screenshot.sh BUILD_DIR SOURCE_DIR [OUT_PNG]
set -euo pipefail
BUILD=$1 SRC=$2
OUT=${3:-$BUILD/cage-welcome.png}
for t in cage grim Xwayland python3 identify; do
  command -v "$t" >/dev/null || { echo "missing $t (scripts/install-deps.sh --test)"; exit 1; }
done
T=$(mktemp -d)
chmod 0755 "$T"
export XDG_RUNTIME_DIR=$T/run
mkdir -m 0700 "$XDG_RUNTIME_DIR"
# cage refuses to run as root (as it should): as root, run it as nobody, like the
# unit runs it as ecokiosk.
AS=()
if [ "$(id -u)" -eq 0 ]; then
  chown nobody "$XDG_RUNTIME_DIR"
  mkdir -m 0700 "$T/state" && chown nobody "$T/state"
  AS=(runuser -u nobody --)
else
  mkdir -m 0700 "$T/state"
fi
cage_pid=
listener_pid=
xdisplay=
stop_kiosk() {
  [ -n "$cage_pid" ] && kill "$cage_pid" 2>/dev/null && wait "$cage_pid" 2>/dev/null || true
  cage_pid=
  # cage aborts on SIGTERM (wlroots 0.15) and leaves Xwayland's lock behind: remove it
  # when its server is gone, so later runs get the same display number.
  if [ -n "$xdisplay" ] && [ -f "/tmp/.X$xdisplay-lock" ]; then
    sleep 0.5
    lpid=$(tr -dc '0-9' < "/tmp/.X$xdisplay-lock" 2>/dev/null || true)
    if [ -n "$lpid" ] && ! kill -0 "$lpid" 2>/dev/null; then rm -f "/tmp/.X$xdisplay-lock" "/tmp/.X11-unix/X$xdisplay"; fi
  fi
  xdisplay=
  [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null || true
  listener_pid=
}
trap 'stop_kiosk; rm -rf "$T"' EXIT

# start_kiosk WATCHDOG_USEC: the unit's command line (with the build tree's data and a
# scratch database) under cage, a stand-in NOTIFY_SOCKET; returns once READY=1 arrived.
start_kiosk() {
  rm -f "$T/notify" "$T/notify.log"
  python3 "$SRC/tests/package/notify_listener.py" "$T/notify" "$T/notify.log" &
  listener_pid=$!
  for _ in $(seq 50); do [ -S "$T/notify" ] && break; sleep 0.1; done
  chmod 0666 "$T/notify"
  WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman \
  NOTIFY_SOCKET=$T/notify WATCHDOG_USEC=$1 \
    "${AS[@]}" cage -d -- "$BUILD/ecokiosk" --hide-cursor --data-dir "$SRC" --db "$T/state/k.db" \
    --config "$T/state/none.json" >"$T/cage.log" 2>&1 &
  cage_pid=$!
  local ready=
  for _ in $(seq 300); do
    if grep -q "READY=1" "$T/notify.log" 2>/dev/null; then ready=1; break; fi
    kill -0 "$cage_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$ready" ]; then
    echo "FAIL: the kiosk never reported READY=1 under cage"; cat "$T/cage.log"; exit 1
  fi
  sock=$(cd "$XDG_RUNTIME_DIR" && ls wayland-* 2>/dev/null | grep -v lock | head -1)
  [ -n "$sock" ] || { echo "FAIL: cage made no Wayland socket"; cat "$T/cage.log"; exit 1; }
  # The kiosk is an X client of cage's Xwayland (DISPLAY set by cage).
  local kpid
  kpid=$(pgrep -n -f "^$BUILD/ecokiosk --hide-cursor" || true)
  [ -n "$kpid" ] || { echo "FAIL: the kiosk is not running"; exit 1; }
  xdisplay=$(tr '\0' '\n' < "/proc/$kpid/environ" 2>/dev/null | sed -n 's/^DISPLAY=:\([0-9]*\).*/\1/p')
  [ -n "$xdisplay" ] || { echo "FAIL: cage gave the kiosk no DISPLAY (no Xwayland?)"; exit 1; }
  echo "kiosk pid $kpid is an X client of Xwayland :$xdisplay under cage (WATCHDOG_USEC=$1)"
}

# ---- run 1: readiness and the watchdog, idle -----------------------------------
start_kiosk 1000000
sleep 5  # idle: only the watchdog wakes the loop now
# After READY, pings while idle; systemd would kill the kiosk after a gap of
# WATCHDOG_USEC (1 s), so the longest gap must stay under it.
awk '/READY=1/ {r=1; last=$1; next} r && /WATCHDOG=1/ {gap=$1-last; if (gap>max) max=gap; last=$1; n++}
     END {printf "watchdog: %d pings after READY, longest gap %.3f s\n", n, max; exit !(n>=5 && max<1.0)}' \
  "$T/notify.log" || { echo "FAIL: watchdog pings missing or too far apart"; cat "$T/notify.log"; exit 1; }
grep -q "STATUS=kiosk on screen" "$T/notify.log" || { echo "FAIL: no STATUS with READY"; exit 1; }
stop_kiosk

# ---- run 2: what the screen shows ------------------------------------------------
start_kiosk 60000
sleep 3
for attempt in $(seq 10); do
  WAYLAND_DISPLAY=$sock "${AS[@]}" grim "$T/state/shot.png"
  cp "$T/state/shot.png" "$OUT"
  size=$(identify -format '%wx%h' "$OUT")
  colors=$(identify -format '%k' "$OUT")
  sd=$(identify -format '%[fx:int(1000*standard_deviation)]' "$OUT")
  echo "screenshot $attempt $OUT: $size, $colors colours, sd $sd/1000"
  [ "$colors" -ge 50 ] && break
  sleep 0.3
done
# A blank, black or single-colour frame has a handful of colours; the welcome screen's
# anti-aliased Chinese text has hundreds.
if [ "$colors" -lt 50 ] || [ "$sd" -lt 20 ]; then
  echo "FAIL: the screenshot is blank"; cat "$T/cage.log"; exit 1
fi
echo "PASS: kiosk under cage (Xwayland), READY, watchdog pings, screenshot not blank"

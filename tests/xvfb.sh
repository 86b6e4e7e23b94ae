# Sourced by the tests that run a window. start_xvfb SCREEN LOG [Xvfb options]: a
# private X server; sets $xvfb (its pid) and $disp (":N") once it accepts clients.
# Xvfb picks a free display itself (-displayfd) instead of the test drawing a random
# number: two tests that run at once (ctest -j, or another checkout's suite on the same
# machine) could draw the same one, and then the second Xvfb exits ("server already
# active") while its test's clients and xdotool quietly use the first test's screen.
start_xvfb() {
  local screen=$1 log=$2; shift 2
  : >"$log.display"
  Xvfb -displayfd 3 -screen 0 "$screen" -noreset "$@" 3>"$log.display" >"$log" 2>&1 &
  xvfb=$!
  # The number is written, with its newline, only once the server listens.
  for _ in $(seq 300); do
    [ "$(wc -l <"$log.display")" -ge 1 ] && break
    kill -0 "$xvfb" 2>/dev/null || break
    sleep 0.1
  done
  [ "$(wc -l <"$log.display")" -ge 1 ] || { echo "FAIL: Xvfb gave no display"; cat "$log"; kill "$xvfb" 2>/dev/null; exit 1; }
  disp=":$(head -1 "$log.display")"
}

#!/usr/bin/env bash
# The real kiosk keeps its baked font atlases between starts (atlas_cache.hpp). The
# screenshot tour (every resident screen, the text input and the console) is taken
# three times on one display: baking into an empty cache folder, loading from it, and
# after every kept file was cut in half. All three must be the same pictures, byte for
# byte; the second must have loaded every atlas and baked none, the third baked again.
# With --font-cache off none is kept, not even in the default folder under $HOME.
# Usage: font_cache_xvfb.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
bin="$1/ecokiosk"
src="$2"
command -v Xvfb >/dev/null || { echo "SKIP: Xvfb not installed"; exit 77; }
work=$(mktemp -d)
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$work"' EXIT
. "$(dirname "$0")/xvfb.sh"
start_xvfb 1280x800x24 "$work/xvfb.log"
mkdir -p "$work/home"
tour() {  # tour NAME CACHE
  # Leaks are not checked at the tour's exit under the sanitizer build (tour_text_xvfb.sh says why).
  HOME="$work/home" XDG_CACHE_HOME= CACHE_DIRECTORY= DISPLAY=$disp \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$bin" --data-dir "$src" --db "$work/t.db" \
    --config "$work/none.json" --windowed 1280x800 --timing --font-cache "$2" --screenshot-tour "$work/$1" \
    >"$work/$1.log" 2>&1 || { echo "FAIL: the $1 tour failed"; cat "$work/$1.log"; exit 1; }
  [ "$(ls "$work/$1" | wc -l)" -ge 20 ] || { echo "FAIL: the $1 tour drew $(ls "$work/$1" | wc -l) screens"; exit 1; }
}
same_pictures() {  # same_pictures A B
  local n=0
  for f in "$work/$1"/*.png; do
    cmp -s "$f" "$work/$2/$(basename "$f")" || { echo "FAIL: $(basename "$f") differs between the $1 and $2 tours"; exit 1; }
    n=$((n + 1))
  done
  echo "$n screens identical between the $1 and $2 tours"
}
count() { grep -c "$1" "$work/$2.log" || true; }

tour cold "$work/fonts"
kept=$(ls "$work/fonts"/*.atlas | wc -l)
echo "cold: $(count 'built in' cold) atlases baked, $kept kept"
[ "$kept" -ge 3 ] || { echo "FAIL: only $kept atlases kept"; exit 1; }

tour warm "$work/fonts"
echo "warm: $(count 'built in' warm) baked, $(count 'loaded from the cache' warm) loaded"
[ "$(count 'built in' warm)" = 0 ] || { echo "FAIL: the warm tour baked"; grep 'built in' "$work/warm.log"; exit 1; }
[ "$(count 'loaded from the cache' warm)" -ge "$kept" ] || { echo "FAIL: the warm tour loaded too few atlases"; exit 1; }
same_pictures cold warm

for f in "$work/fonts"/*.atlas; do truncate -s $(($(stat -c %s "$f") / 2)) "$f"; done
tour damaged "$work/fonts"
echo "damaged: $(count 'built in' damaged) baked, $(count 'loaded from the cache' damaged) loaded"
[ "$(count 'built in' damaged)" -ge "$kept" ] || { echo "FAIL: a cut file was used"; exit 1; }
same_pictures cold damaged
for f in "$work/fonts"/*.atlas; do [ "$(stat -c %s "$f")" -gt 100000 ] || { echo "FAIL: $f was not replaced whole"; exit 1; }; done

tour off off
[ "$(count 'loaded from the cache' off)" = 0 ] || { echo "FAIL: --font-cache off loaded"; exit 1; }
[ ! -e "$work/home/.cache/ecokiosk" ] || { echo "FAIL: --font-cache off kept atlases under HOME:"; find "$work/home"; exit 1; }
[ ! -e "$work/off" ] || [ "$(ls "$work/off" | grep -c atlas || true)" = 0 ] || { echo "FAIL: atlases kept in the screenshot folder"; exit 1; }
same_pictures cold off
echo "PASS"

#!/usr/bin/env bash
# Every resident screen in every look, to LOOK at before a release: landscape 1920x1080
# and portrait 1080x1920, text sizes 0 (normal), 1 (large, 1.4x) and 2 (extra large,
# 1.8x), the standard and the high-contrast theme, Chinese and English.
#   scripts/screenshots.sh [BUILD_DIR] [OUT_DIR]
# OUT_DIR/<W>x<H>-size<N>-<standard|contrast>-<lang>/NN-screen.png; needs xvfb-run.
set -euo pipefail
build=${1:-build}
out=${2:-screenshots}
bin="$build/ecokiosk"
[ -x "$bin" ] || { echo "no $bin: build first" >&2; exit 1; }
n=0
for size in 1920x1080 1080x1920; do
  for ts in 0 1 2; do
    for theme in standard contrast; do
      for lang in zh en; do
        dir="$out/$size-size$ts-$theme-$lang"
        flags=(--screenshot-tour "$dir" --windowed "$size" --lang "$lang" --tour-text-size "$ts")
        [ "$theme" = contrast ] && flags+=(--tour-high-contrast)
        xvfb-run -a -s "-screen 0 ${size}x24 -noreset" "$bin" "${flags[@]}" > /dev/null
        n=$((n + $(ls "$dir"/*.png | wc -l)))
      done
    done
  done
done
echo "$n screenshots in $out"

#!/usr/bin/env bash
# Regenerates the README's screenshots with `unroll render` (no display
# needed). Run from anywhere after building: bash assets/screenshots/make_screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
U=build/unroll
L=lessons/01-lyrics.md
OUT=assets/screenshots
$U render $L --view lesson --lesson-step 2 --size 1280x720 --out $OUT/unrolled.png
$U render $L --view inspector --step 3 --size 1280x720 --out $OUT/inspector.png
$U render $L --view compare --text "hold the light until the" --step 4 --size 1280x720 --out $OUT/compare.png
$U render $L --view predictions --step 5 --size 1280x720 --theme dark --out $OUT/predictions-dark.png
$U render $L --view inspector --model 1 --step 2 --size 1280x720 --out $OUT/inspector-gru.png

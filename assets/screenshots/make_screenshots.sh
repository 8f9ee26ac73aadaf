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
# one picture per lesson, on a step that shows what it teaches
$U render lessons/02-memory.md --view lesson --lesson-step 2 --size 1280x720 --out $OUT/lesson2.png
$U render lessons/03-sentiment.md --view lesson --lesson-step 2 --size 1280x720 --out $OUT/lesson3.png
$U render lessons/04-bidirectional.md --view lesson --lesson-step 1 --size 1280x720 --out $OUT/lesson4.png
$U render lessons/05-stacked.md --view lesson --lesson-step 1 --size 1280x720 --out $OUT/lesson5.png
$U render lessons/06-gradients.md --view lesson --lesson-step 2 --size 1280x720 --out $OUT/lesson6.png
$U render lessons/07-tensors.md --view lesson --lesson-step 7 --size 1280x720 --out $OUT/lesson7.png
$U render lessons/08-conv-gru-lstm.md --view lesson --lesson-step 2 --size 1280x720 --out $OUT/lesson8.png
$U render lessons/08-conv-gru-lstm.md --view lesson --lesson-step 6 --size 1280x720 --out $OUT/lesson8-curves.png
$U render lessons/09-lyrics-words.md --view lesson --lesson-step 4 --size 1280x720 --out $OUT/lesson9.png
$U render lessons/10-dropout.md --view lesson --lesson-step 3 --size 1280x720 --out $OUT/lesson10.png
$U render lessons/01-lyrics.md --view training --size 1280x720 --out $OUT/training.png
$U render lessons/01-lyrics.md --view generate --words 8 --size 1280x720 --out $OUT/generate.png

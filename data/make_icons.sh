#!/usr/bin/env bash
# make_icons: draws data/unroll.svg at the hicolor sizes the desktop uses
# (data/icons/NxN/unroll.png, committed). Needs rsvg-convert (librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")"
for n in 16 24 32 48 64 128 256; do
  mkdir -p "icons/${n}x${n}"
  rsvg-convert --width "$n" --height "$n" --output "icons/${n}x${n}/unroll.png" unroll.svg
done

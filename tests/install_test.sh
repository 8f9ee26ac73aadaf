#!/usr/bin/env bash
# install: `meson install` gives an unroll that needs neither the source nor
# the build tree. Installs into a temporary DESTDIR, copies only the
# installed prefix to another folder (so it is found relative to the binary,
# not at the prefix it was configured for), runs it from a third folder with
# a clean environment (no UNROLL_* variables) and checks:
#   - `unroll --version`: the project's version, SDL2, SDL2_ttf and the
#     OpenBLAS lines, and the lessons folder inside the copied prefix;
#   - the first lesson, named by number, drawn headless to a PNG of the asked
#     size that is not blank; with the copied lessons removed it is refused
#     (the installed binary never falls back to the source tree);
#   - the man page renders with `man -l`, has one section per command that
#     `unroll --help` lists, and holds every line of every `--help` text;
#   - the desktop entry validates, the icons are there, and the bash
#     completion offers commands, each command's options, option values
#     and lesson names.
#   bash tests/install_test.sh BUILD_DIR VERSION [MESON]
set -uo pipefail
BUILD=$(cd "$1" && pwd)
VERSION=$2
MESON=${3:-meson}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "install: FAIL: $*"; failures=$((failures + 1)); }

if ! "$MESON" install -C "$BUILD" --no-rebuild --quiet --destdir "$tmp/dest" > "$tmp/install.log" 2>&1; then
  cat "$tmp/install.log"
  echo "install: FAIL: meson install"
  exit 1
fi
# the configured prefix inside DESTDIR: the folder holding bin/unroll
bin=$(find "$tmp/dest" -path '*/bin/unroll' -type f | head -n 1)
[ -n "$bin" ] || { echo "install: FAIL: no bin/unroll installed"; exit 1; }
prefix=$(dirname "$(dirname "$bin")")
mkdir -p "$tmp/moved" "$tmp/cwd" "$tmp/home"
cp -a "$prefix" "$tmp/moved/prefix"
P=$tmp/moved/prefix
U=$P/bin/unroll
cd "$tmp/cwd"
# run the installed copy with nothing pointing back at the trees
run() { env -i PATH=/usr/bin:/bin HOME="$tmp/home" SDL_VIDEODRIVER=dummy OPENBLAS_NUM_THREADS=1 "$@"; }

# ---- --version
ver=$(run "$U" --version) || fail "--version exited $?"
echo "$ver" | sed -n 1p | grep -qx "unroll $VERSION" || fail "--version's first line is not 'unroll $VERSION': $(echo "$ver" | sed -n 1p)"
echo "$ver" | grep -Eq '^SDL2 [0-9]+\.[0-9]+\.[0-9]+ \(built with [0-9]+\.[0-9]+\.[0-9]+\)$' || fail "--version has no SDL2 line"
echo "$ver" | grep -Eq '^SDL2_ttf [0-9]+\.[0-9]+\.[0-9]+ \(built with [0-9]+\.[0-9]+\.[0-9]+\)$' || fail "--version has no SDL2_ttf line"
echo "$ver" | grep -Eq '^BLAS OpenBLAS [0-9]+\.[0-9]+' || fail "--version has no OpenBLAS version"
echo "$ver" | grep -Eq '^BLAS core [A-Za-z0-9]+, [0-9]+ threads$' || fail "--version has no BLAS core line"
[ "$(run "$U" version)" = "$ver" ] || fail "'unroll version' differs from 'unroll --version'"
lessons=$(echo "$ver" | sed -n 's/^lessons //p')
[ "$lessons" = "$(cd "$P/share/unroll/lessons" && pwd -P)" ] || fail "lessons read from '$lessons', not from the copied prefix $P"

# ---- the first lesson, headless, from the installed copy
run "$U" render 1 --view unrolled --size 800x450 --out "$tmp/cwd/first.png" 2> "$tmp/render.err" || fail "render of lesson 1 exited $?: $(cat "$tmp/render.err")"
python3 - "$tmp/cwd/first.png" 800 450 <<'PY' || fail "the rendered PNG is not right"
# reads the PNG (8-bit RGB or RGBA, as SDL_image writes) and checks its size
# and that it is not one colour: at least 5% of the pixels differ from the
# top-left (background) pixel, in at least 20 distinct colours
import struct, sys, zlib
path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
if (w, h) != (want_w, want_h):
    sys.exit("size %dx%d, not %dx%d" % (w, h, want_w, want_h))
if depth != 8 or ctype not in (2, 6):
    sys.exit("unexpected PNG kind depth %d colour type %d" % (depth, ctype))
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, rows, p = bytearray(stride), [], 0
for _ in range(h):
    f, line = raw[p], bytearray(raw[p + 1:p + 1 + stride])
    p += 1 + stride
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            q = a + b - c
            pa, pb, pc = abs(q - a), abs(q - b), abs(q - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line))
    prev = line
bg = rows[0][:3]
px = [r[i:i + 3] for r in rows for i in range(0, stride, bpp)]
other = sum(1 for x in px if x != bg)
colours = len(set(px))
if other < 0.05 * len(px) or colours < 20:
    sys.exit("%d of %d pixels differ from the background, %d colours" % (other, len(px), colours))
PY
# without its lessons the installed copy must not find the source tree's
mv "$P/share/unroll/lessons" "$P/share/unroll/lessons.away"
if run "$U" render 1 --size 320x180 --out "$tmp/cwd/none.png" 2> /dev/null; then
  fail "with the installed lessons gone, 'render 1' still found a lesson (the source tree?)"
fi
[ ! -e "$tmp/cwd/none.png" ] || fail "a PNG was written with no lessons installed"
mv "$P/share/unroll/lessons.away" "$P/share/unroll/lessons"
for f in make_data.py make_models.sh; do
  [ ! -e "$P/share/unroll/lessons/$f" ] || fail "lessons/$f (a build script) was installed"
done

# ---- the man page: renders, one section per command, every --help line in it
page=$P/share/man/man1/unroll.1
[ -f "$page" ] || fail "no man1/unroll.1 installed"
if ! run env MANWIDTH=200 man -l "$page" > "$tmp/man.txt" 2> "$tmp/man.err" || [ -s "$tmp/man.err" ]; then
  fail "man -l $page: $(cat "$tmp/man.err")"
fi
# compare text with spaces squeezed and typographic dashes and quotes plain
norm() { sed -e 's/‐/-/g; s/−/-/g; s/‘/`/g; s/’/'"'"'/g' -e 's/^[[:space:]]*//; s/[[:space:]]\{1,\}/ /g; s/ $//' | grep -v '^$'; }
norm < "$tmp/man.txt" > "$tmp/man.norm"
commands=$(run "$U" --help | sed -n '/^commands:/,/^$/s/^  \[\{0,1\}\([a-z][a-z]*\)\]\{0,1\} .*/\1/p')
[ "$(echo "$commands" | wc -l)" -ge 12 ] || fail "unroll --help lists only: $commands"
sections=$(grep '^\.SS ' "$page" | cut -d' ' -f2)
[ "$sections" = "$commands" ] || fail "man page sections ($(echo $sections)) are not the commands ($(echo $commands))"
check_lines() { # NAME < TEXT: every line of TEXT is a line of the rendered page
  local missing
  missing=$(norm | grep -vxF -f "$tmp/man.norm" | head -n 3)
  [ -z "$missing" ] || fail "man page lacks lines of $1: $missing"
}
# (input redirected, not piped: fail must count in this shell)
check_lines "unroll --help" < <(run "$U" --help)
for c in $commands; do
  check_lines "unroll $c --help" < <(run "$U" "$c" --help)
done

# ---- desktop entry and icon
desk=$P/share/applications/unroll.desktop
[ -f "$desk" ] || fail "no applications/unroll.desktop installed"
if command -v desktop-file-validate > /dev/null; then
  out=$(desktop-file-validate "$desk" 2>&1) && [ -z "$out" ] || fail "desktop-file-validate: $out"
else
  fail "desktop-file-validate is missing (bash .ci/setup installs desktop-file-utils)"
fi
grep -qx 'Icon=unroll' "$desk" || fail "the desktop entry names no Icon=unroll"
grep -qx 'Exec=unroll %f' "$desk" || fail "the desktop entry does not run unroll"
[ -f "$P/share/icons/hicolor/scalable/apps/unroll.svg" ] || fail "no scalable icon"
for n in 16 32 48 256; do
  f=$P/share/icons/hicolor/${n}x${n}/apps/unroll.png
  [ "$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]) if d[:4] == b"\x89PNG" else "no")' "$f" 2> /dev/null)" = "${n}x${n}" ] ||
    fail "icon ${n}x${n} missing or not $n by $n pixels"
done

# ---- bash completion, driven as bash does it
comp=$P/share/bash-completion/completions/unroll
[ -f "$comp" ] || fail "no bash-completion/completions/unroll installed"
complete_line() { # WORDS...: what TAB offers for the last word (may be empty)
  run bash --norc --noprofile -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
    _unroll; printf "%s\n" "${COMPREPLY[@]}" | sort -u | tr "\n" " "' _ "$comp" "$@"
}
has() { # OFFERED WORD...
  local offered=" $1 " w; shift
  for w in "$@"; do [[ $offered == *" $w "* ]] || return 1; done
}
out=$(complete_line "$U" "")
has "$out" open render prepare trace summary tokenize new train evaluate generate bench version lyrics memory ||
  fail "unroll <TAB> offers: $out"
out=$(complete_line "$U" ren); has "$out" render || fail "unroll ren<TAB> offers: $out"
out=$(complete_line "$U" render --th); [ "$out" = "--theme " ] || fail "unroll render --th<TAB> offers: $out"
out=$(complete_line "$U" render --theme ""); [ "$out" = "dark light presenter " ] || fail "unroll render --theme <TAB> offers: $out"
out=$(complete_line "$U" render --view ""); has "$out" unrolled inspector compare chart lesson || fail "--view <TAB> offers: $out"
out=$(complete_line "$U" train --); has "$out" --data --epochs --batch-size --out --help || fail "train --<TAB> offers: $out"
out=$(complete_line "$U" bench --cell ""); [ "$out" = "gru lstm simplernn " ] || fail "bench --cell <TAB> offers: $out"
out=$(complete_line "$U" render me); has "$out" memory || fail "render me<TAB> offers: $out"
touch "$tmp/cwd/notes-one.txt"
out=$(complete_line "$U" tokenize notes); has "$out" notes-one.txt || fail "tokenize notes<TAB> offers: $out"

[ "$failures" = 0 ] || { echo "install: $failures failure(s)"; exit 1; }
echo "install: the installed copy at $P works on its own"

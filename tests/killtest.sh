#!/usr/bin/env bash
# killtest: kill `unroll` at random moments while it writes its output, and
# check that the output is always the previous one intact or the new one
# complete, never half-written (issue 11). Three writers, COUNT kills each:
#   train --out DIR       (model_save: a temporary folder exchanged into place)
#   prepare --out DIR     (three models, one after another)
#   render --out F.png    (the PNG writer Ctrl+S in the window uses too)
# Each kill is a SIGKILL (nothing can clean up; a later run must remove what
# it left); then a few SIGTERM/SIGINT runs must exit 143/130 (or 0 if they
# had finished) and leave no temporary at all.
#
#   tests/killtest.sh [COUNT]      # default 50; UNROLL_BIN picks the binary
#   KILLTEST_ONLY=render tests/killtest.sh 20    # one writer only
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${1:-50}
SIGNAL_RUNS=$(( COUNT / 10 > 2 ? COUNT / 10 : 2 ))
BIN=${UNROLL_BIN:-build/unroll}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
[ -x "$BIN" ] || { echo "killtest: no binary at $BIN (build first)"; exit 2; }
export OPENBLAS_NUM_THREADS=1 SDL_VIDEODRIVER=dummy # the same bytes every run
export UNROLL_DATA_DIR=$PWD/assets
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# a copy, so a rebuild during the test does not pull the binary away
cp "$BIN" "$tmp/unroll"
BIN=$tmp/unroll
failures=0

fail() { echo "killtest: FAIL: $*"; failures=$((failures + 1)); }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
sleep_ms() { sleep "$(( $1 / 1000 )).$(printf %03d $(( $1 % 1000 )))"; }

# same_as A B: A and B are the same file or folder, byte for byte
same_as() { [ -e "$1" ] && diff -r "$1" "$2" > /dev/null 2>&1; }

# temporaries beside PATH or inside it (what a killed run leaves, named
# NAME.tmp<PID>-...)
temps_beside() { find "$(dirname "$1")" -maxdepth 3 -name "*.tmp*" | wc -l; }

# check_one OUT OLD NEW: prints old, new or broken
check_one() {
  if same_as "$1" "$2"; then echo old; elif same_as "$1" "$3"; then echo new; else echo broken; fi
}

# kill_loop NAME OUT OLD NEW PARTS ARGS...: COUNT times, OUT starts as OLD,
# `unroll ARGS` (which writes NEW) is killed at a random moment, and OUT+P
# for each P in PARTS ("-" for OUT itself) must be OLD+P or NEW+P.
kill_loop() {
  local name=$1 out=$2 old=$3 new=$4 parts=$5; shift 5
  local t0 t1 span old_n=0 new_n=0 left=0
  # how long one whole run takes: the kills are spread over it
  rm -rf "$out"; cp -a "$old" "$out"
  t0=$(now_ms); "$BIN" "$@" > /dev/null 2>&1; t1=$(now_ms)
  span=$(( t1 - t0 + 5 ))
  same_as "$out" "$new" || fail "$name: a whole run does not give the reference output"
  for ((i = 0; i < COUNT; i++)); do
    rm -rf "$out"; cp -a "$old" "$out"
    local before
    before=$(temps_beside "$out")
    "$BIN" "$@" > /dev/null 2>&1 &
    local pid=$!
    # every other kill lands in the last third of the run, where the writing is
    local from=$(( i % 2 ? span * 2 / 3 : 0 ))
    sleep_ms $(( from + (RANDOM * 32768 + RANDOM) % (span - from) ))
    kill -KILL "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
    [ "$(temps_beside "$out")" -gt "$before" ] && left=$((left + 1))
    for p in $parts; do
      [ "$p" = - ] && p=""
      case $(check_one "$out$p" "$old$p" "$new$p") in
        old) old_n=$((old_n + 1)) ;;
        new) new_n=$((new_n + 1)) ;;
        *) fail "$name: kill $i at a random moment left $out$p neither old nor new"
           ls -la "$out$p" 2>&1 | head -5 ;;
      esac
    done
  done
  # the next whole run removes what the killed ones left
  "$BIN" "$@" > /dev/null 2>&1 || fail "$name: a run after the kills failed"
  [ "$(temps_beside "$out")" -eq 0 ] || fail "$name: temporaries left after a later run: $(ls "$(dirname "$out")")"
  # SIGTERM and SIGINT: status 143/130 (0 if it had finished), no temporary
  for ((i = 0; i < SIGNAL_RUNS; i++)); do
    local sig=TERM want=143
    if (( i % 2 )); then sig=INT; want=130; fi
    rm -rf "$out"; cp -a "$old" "$out"
    "$BIN" "$@" > /dev/null 2>&1 &
    local pid=$!
    # after the binary is running (its handler is in from main's first line)
    sleep_ms $(( 20 + (RANDOM * 32768 + RANDOM) % span ))
    kill -"$sig" "$pid" 2> /dev/null || true
    local rc=0
    wait "$pid" 2> /dev/null || rc=$?
    [ "$rc" -eq "$want" ] || [ "$rc" -eq 0 ] || fail "$name: SIG$sig gave exit $rc, not $want"
    [ "$(temps_beside "$out")" -eq 0 ] || fail "$name: SIG$sig left a temporary: $(ls "$(dirname "$out")")"
    for p in $parts; do
      [ "$p" = - ] && p=""
      [ "$(check_one "$out$p" "$old$p" "$new$p")" != broken ] || fail "$name: SIG$sig left $out$p broken"
    done
  done
  echo "killtest: $name: $COUNT kills over ${span} ms runs: $old_n old, $new_n new, $left killed mid-write; $SIGNAL_RUNS SIGTERM/SIGINT runs"
}

want() { [ -z "${KILLTEST_ONLY:-}" ] || [ "$KILLTEST_ONLY" = "$1" ]; }

# ---- train --out ---------------------------------------------------------------
# a 2 MB model, so a good share of each run is the save itself
SPEC="embedding:1000:64, lstm:192, dense:1000:softmax"
if want train; then
  "$BIN" new "$tmp/m" --spec "$SPEC" --seed 1
  "$BIN" new "$tmp/train_old" --spec "$SPEC" --seed 2
  for i in $(seq 0 15); do
    echo "{\"tokens\": [$((i + 1)), $((i * 3 % 999 + 1)), $((i * 7 % 999 + 1))], \"label\": $((i * 11 % 1000))}"
  done > "$tmp/rows.jsonl"
  TRAIN=(train "$tmp/m" --data "$tmp/rows.jsonl" --epochs 1 --batch-size 8 --no-shuffle --out "$tmp/train_out")
  "$BIN" "${TRAIN[@]}" 2> /dev/null
  mv "$tmp/train_out" "$tmp/train_new"
  kill_loop train "$tmp/train_out" "$tmp/train_old" "$tmp/train_new" - "${TRAIN[@]}"
fi

# ---- prepare --out ---------------------------------------------------------------
if want prepare; then
  mkdir -p "$tmp/lesson"
  for i in $(seq 1 24); do echo "the lantern $i on the hill sees line $((i % 7)) of the road"; done > "$tmp/lesson/corpus.txt"
  lesson() { # EPOCHS
    printf -- '---\ntitle: kill test\ncorpus: corpus.txt\ntask: next-word\ncells: [simplernn, gru, lstm]\n'
    printf 'spec: "embedding:V:32, {cell}:48, dense:V:softmax"\nepochs: %d\nbatch_size: 16\nseed: 3\n' "$1"
    printf 'models: models\nsentence: "the lantern on the hill"\n---\n\n# kill test\n'
  }
  lesson 1 > "$tmp/lesson/old.md"
  lesson 2 > "$tmp/lesson/new.md"
  "$BIN" prepare "$tmp/lesson/old.md" --out "$tmp/prep_old" > /dev/null
  "$BIN" prepare "$tmp/lesson/new.md" --out "$tmp/prep_new" > /dev/null
  kill_loop prepare "$tmp/prep_out" "$tmp/prep_old" "$tmp/prep_new" "/simplernn /gru /lstm" \
    prepare "$tmp/lesson/new.md" --out "$tmp/prep_out"
fi

# ---- render --out (the window's Ctrl+S goes through the same writer) -------------
if want render; then
  MODEL=assets/models/example
  "$BIN" render "$MODEL" --view unrolled --size 1600x1000 --out "$tmp/old.png"
  "$BIN" render "$MODEL" --view inspector --size 1600x1000 --out "$tmp/new.png"
  kill_loop render "$tmp/view.png" "$tmp/old.png" "$tmp/new.png" - \
    render "$MODEL" --view inspector --size 1600x1000 --out "$tmp/view.png"
fi

if [ "$failures" -gt 0 ]; then
  echo "killtest: $failures failures"
  exit 1
fi
echo "killtest: every output was the old one intact or the new one complete"

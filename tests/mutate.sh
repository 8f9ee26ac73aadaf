#!/usr/bin/env bash
# mutate.sh: a small mutation runner. Each mutant is one deliberate bug, a
# textual edit of one file; a mutant is caught when a test suite fails on it.
#
#   bash tests/mutate.sh              # every mutant of the list below
#   bash tests/mutate.sh 3 17         # only mutants 3 and 17 (numbers as listed)
#   MUTATE_LIST=my.txt bash tests/mutate.sh
#
# It copies the tracked files of this tree (as they are in the work tree) to
# $MUTATE_DIR (default /tmp/unroll-mutate), configures one build directory
# there once, and then for each mutant: edits the copy, rebuilds with ninja
# (incremental: only the edited file and what links it), runs only the
# suites named for that mutant, records caught / missed / stillborn (did not
# compile), and puts the file back. The tree itself is never touched. The
# results go to $MUTATE_DIR/results.txt; the last line is the catch rate.
#
# A list entry is one line:  FILE @@ FIND @@ REPLACE @@ SUITES
# FIND is a fixed string (not a pattern): its first occurrence in FILE is
# replaced by REPLACE; <NL> in either stands for a newline. SUITES are meson
# suite names separated by spaces. Lines starting with # are comments.
# The `lessons` suite (trained weights compared across CPUs) is not used.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=${MUTATE_DIR:-/tmp/unroll-mutate}
TREE=$WORK/tree
BUILD=$TREE/build-mutate
RESULTS=$WORK/results.txt
LIST=$WORK/list.txt

mkdir -p "$TREE"
if [ -n "${MUTATE_LIST:-}" ]; then
  cp "$MUTATE_LIST" "$LIST"
else
  sed -n '/^# ---- mutants ----$/,$p' "$0" | grep -v '^#' | grep -v '^[[:space:]]*$' > "$LIST"
fi

# the copy: tracked files as they are now (changed ones only, so ninja's
# incremental build stays valid between runs)
(cd "$SRC" && git ls-files -z) | while IFS= read -r -d '' f; do
  if [ -L "$SRC/$f" ] || ! cmp -s "$SRC/$f" "$TREE/$f" 2>/dev/null; then
    mkdir -p "$TREE/$(dirname "$f")"
    cp -P --remove-destination "$SRC/$f" "$TREE/$f" # symlinks as links (fixtures hold dangling ones)
  fi
done

if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" "$TREE" >/dev/null
fi

run_suites() { # suites...: 0 when all pass
  local args=()
  for s in "$@"; do args+=(--suite "$s"); done
  timeout 900 meson test -C "$BUILD" --no-rebuild -q --timeout-multiplier 0.5 "${args[@]}" </dev/null >/dev/null 2>&1
}

# replace the first FIND in FILE by REPLACE; exit 3 when FIND is not there
apply_mutant() { # file find replace
  perl -e '
    my ($file, $find, $repl) = @ARGV;
    s/<NL>/\n/g for ($find, $repl);
    open(my $in, "<", $file) or die "$file: $!";
    local $/; my $text = <$in>; close $in;
    my $at = index($text, $find);
    exit 3 if $at < 0;
    substr($text, $at, length $find) = $repl;
    open(my $out, ">", $file) or die "$file: $!";
    print $out $text; close $out;' "$1" "$2" "$3"
}

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }

echo "mutate: building the unmutated copy in $BUILD" >&2
ninja -C "$BUILD" >/dev/null
all_suites=$(awk -F' @@ ' '{print $4}' "$LIST" | tr ' ' '\n' | grep -v '^$' | sort -u | tr '\n' ' ')
# shellcheck disable=SC2086
if ! run_suites $all_suites; then
  echo "mutate: the unmutated tree fails one of: $all_suites (see $BUILD/meson-logs/testlog.txt)" >&2
  exit 1
fi

: > "$RESULTS"
caught=0 missed=0 stillborn=0 n=0
while IFS= read -r line <&3; do
  n=$((n + 1))
  if [ $# -gt 0 ]; then
    want=0
    for k in "$@"; do [ "$k" = "$n" ] && want=1; done
    [ $want = 1 ] || continue
  fi
  file=$(trim "$(awk -F' @@ ' '{print $1}' <<<"$line")")
  find=$(awk -F' @@ ' '{print $2}' <<<"$line")
  repl=$(awk -F' @@ ' '{print $3}' <<<"$line")
  suites=$(awk -F' @@ ' '{print $4}' <<<"$line")
  rc=0
  apply_mutant "$TREE/$file" "$find" "$repl" || rc=$?
  if [ $rc = 3 ]; then
    echo "mutate: #$n: '$find' is not in $file (the list is out of date)" >&2
    exit 1
  fi
  if ! ninja -C "$BUILD" >/dev/null 2>&1; then
    verdict=stillborn
    stillborn=$((stillborn + 1))
  # shellcheck disable=SC2086
  elif run_suites $suites; then
    verdict=MISSED
    missed=$((missed + 1))
  else
    verdict=caught
    caught=$((caught + 1))
  fi
  cp "$SRC/$file" "$TREE/$file" # back (a fresh mtime: the next build recompiles it)
  printf '%-9s #%-3d %s: %s -> %s [%s]\n' "$verdict" "$n" "$file" "$find" "$repl" "$suites" | tee -a "$RESULTS"
done 3< "$LIST"
ninja -C "$BUILD" >/dev/null 2>&1 || true

total=$((caught + missed))
rate=0
[ $total -gt 0 ] && rate=$((100 * caught / total))
echo "mutate: $caught of $total mutants caught ($rate%), $missed missed, $stillborn stillborn" | tee -a "$RESULTS"
[ $missed = 0 ]
exit

# ---- mutants ----
# engine: cells
src/engine/cells.c @@ cb[j] = gf[j] * cp[j] + gi[j] * gg[j]; @@ cb[j] = gi[j] * cp[j] + gf[j] * gg[j]; @@ engine grad train
src/engine/cells.c @@ hb[j] = z[j] * hp[j] + (1.0f - z[j]) * n[j]; @@ hb[j] = (1.0f - z[j]) * hp[j] + z[j] * n[j]; @@ engine grad train
src/engine/cells.c @@ n[j] = x[j] + r[j] * u[j]; @@ n[j] = r[j] * x[j] + u[j]; @@ engine grad train
src/engine/cells.c @@ act_forward(go, go, cell->recurrent_activation, H); @@ act_forward(go, go, cell->activation, H); @@ engine grad train
src/engine/cells.c @@ memcpy(h + (size_t)b * H, h_prev + (size_t)b * H, (size_t)H * sizeof *h); @@ (void)0; @@ engine grad train
src/engine/cells.c @@ if (mask[b]) continue;<NL>        memcpy(h @@ if (!mask[b]) continue;<NL>        memcpy(h @@ engine grad train
src/engine/cells.c @@ for (int j = 0; j < H; j++) s[j] = r[j] * hp[j]; @@ for (int j = 0; j < H; j++) s[j] = r[j] + hp[j]; @@ engine grad train
# engine: activations
src/engine/act.c @@ float v = 0.2f * x[i] + 0.5f; @@ float v = 0.25f * x[i] + 0.5f; @@ engine grad train
src/engine/act.c @@ y[i] = x[i] > 0.0f ? x[i] : 0.0f; @@ y[i] = x[i] > 0.0f ? x[i] : 0.01f * x[i]; @@ engine grad train
src/engine/act.c @@ for (int i = 0; i < n; i++) v[i] /= sum; @@ for (int i = 1; i < n; i++) v[i] /= sum; @@ engine grad train
src/engine/act.c @@ return 1.0f / (1.0f + exp_poly(-x)); @@ return 1.0f / (1.0f + exp_poly(x)); @@ engine grad train
# engine: model, Dropout, masks, reading the trace back
src/engine/model.c @@ 1.0f / (1.0f - l->rate) @@ 1.0f / (1.0f + l->rate) @@ engine grad train
src/engine/model.c @@ rng_uniform(&tr->rng) >= l->rate ? scale : 0.0f @@ rng_uniform(&tr->rng) < l->rate ? scale : 0.0f @@ engine grad train
src/engine/model.c @@ keep |= x[j] != l->mask_value; @@ keep &= x[j] != l->mask_value; @@ engine grad train
src/engine/model.c @@ if (r->mask) r->mask[k] = tok != 0; @@ if (r->mask) r->mask[k] = tok != 1; @@ engine grad train
src/engine/model.c @@         r = g + H; @@         r = g; @@ engine grad train
src/engine/model.c @@ (c->reset_after ? r[j] * hu[2 * H + j] : hu[2 * H + j]) @@ (c->reset_after ? r[j] + hu[2 * H + j] : hu[2 * H + j]) @@ engine grad train
src/engine/model.c @@ const int pos = run->backwards ? run->T - 1 - t : t;<NL>    const float *xw @@ const int pos = t;<NL>    const float *xw @@ engine grad train
# engine: sampling, optimizers, initializers, backward
src/engine/sample.c @@ - lmax) / temperature) @@ - lmax) * temperature) @@ engine
src/engine/sample.c @@ if (p[idx[b]] > p[idx[m]]) m = b; @@ if (p[idx[b]] < p[idx[m]]) m = b; @@ engine
src/engine/sample.c @@ if (!(banned && banned[j]) && (best < 0 || p[j] > p[best])) best = j; @@ if (best < 0 || p[j] > p[best]) best = j; @@ engine
src/engine/optim.c @@ opt->v[k] = b2 * opt->v[k] + (1.0f - b2) * g * g; @@ opt->v[k] = b2 * opt->v[k] + (1.0f - b2) * g; @@ engine grad train
src/engine/optim.c @@ if (norm > opt->clipnorm) { @@ if (norm < opt->clipnorm) { @@ engine grad train
src/engine/optim.c @@ for (int j = H; j < 2 * H; j++) w[j] = 1.0f; @@ for (int j = 0; j < H; j++) w[j] = 1.0f; @@ engine grad train
src/engine/backward.c @@ o[j] = p[j] * (a[j] - dot); @@ o[j] = p[j] * (a[j] + dot); @@ engine grad train
# text
src/text/tokenizer.c @@ return c == 0xD7 ? c : c + 0x20; @@ return c + 0x20; @@ text
src/text/tokenizer.c @@ if (c == 0x178) return 0xFF; @@ if (c == 0x178) return 0x179; @@ text
src/text/tokenizer.c @@ if (c >= 0x139 && c <= 0x148) @@ if (c >= 0x139 && c <= 0x149) @@ text
src/text/tokenizer.c @@ if (c >= 0x410 && c <= 0x42F) @@ if (c >= 0x410 && c < 0x42F) @@ text
src/text/tokenizer.c @@ if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0; @@ if (v < min || v > 0x10FFFF) return 0; @@ text
src/text/tokenizer.c @@ if (i == 0 || (tok->num_words && i >= tok->num_words)) { @@ if (i == 0 || (tok->num_words && i > tok->num_words)) { @@ text
src/text/tokenizer.c @@ if (cp >= 'A' && cp <= 'Z') p[i] @@ if (cp >= 'A' && cp < 'Z') p[i] @@ text
src/text/tokenizer.c @@ return (x->pos > y->pos) - (x->pos < y->pos); @@ return (x->pos < y->pos) - (x->pos > y->pos); @@ text
# io: JSON, model files, trace
src/io/jsonw.c @@ if (*p < 0x20) { @@ if (*p < 0x1f) { @@ io text
src/io/jsonw.c @@ case '\\': puts_(w, "\\\\"); break; @@ case '\\': puts_(w, "\\"); break; @@ io text
src/io/model_io.c @@             at += count * 4;<NL>            continue; @@             continue; @@ io
src/io/model_io.c @@ bool optimizer = cJSON_IsString(grp) && strcmp(grp->valuestring, "optimizer") == 0; @@ bool optimizer = cJSON_IsString(grp) && strcmp(grp->valuestring, "optimiser") == 0; @@ io
src/io/model_io.c @@ if (strncmp(p, "forward", 7) == 0) *dir = 0; @@ if (strncmp(p, "forward", 7) == 0) *dir = 1; @@ io
src/io/trace_json.c @@ return l->cell[0].go_backwards ? "backward" : "forward"; @@ return l->cell[0].go_backwards ? "forward" : "backward"; @@ io
src/io/trace_json.c @@ int pos = run->backwards ? T - 1 - t : t; @@ int pos = t; @@ io
src/io/summary.c @@ if (left > 0 && left % 3 == 0) buf[k++] = ','; @@ if (left > 3 && left % 3 == 0) buf[k++] = ','; @@ io
src/io/prompt.c @@ int skip = e.n_tokens > n ? e.n_tokens - n : 0 @@ int skip = e.n_tokens > n ? e.n_tokens - n - 1 : 0 @@ io text cli
src/io/dataset.c @@ if (T > ENGINE_MAX_SEQ) @@ if (T >= ENGINE_MAX_SEQ) @@ io train cli
src/io/spec.c @@ l.rate < 0 || l.rate >= 1) @@ l.rate < 0 || l.rate > 1) @@ io lesson train cli
# io: the lesson parser's bounds
src/io/lesson.c @@ if (x < lo || x > hi) return fail( @@ if (x < lo || x >= hi) return fail( @@ lesson
src/io/lesson.c @@ if (e->n_items < lo || e->n_items > hi) @@ if (e->n_items < lo || e->n_items >= hi) @@ lesson
src/io/lesson.c @@ if (l->n_steps >= LESSON_MAX_STEPS) @@ if (l->n_steps > LESSON_MAX_STEPS) @@ lesson
src/io/lesson.c @@ if (n > LESSON_MAX_STRING) @@ if (n >= LESSON_MAX_STRING) @@ lesson
src/io/lesson.c @@ if (e->n_items >= LESSON_MAX_LABELS) @@ if (e->n_items > LESSON_MAX_LABELS) @@ lesson
src/io/lesson.c @@ lr <= 0 || lr > 10) @@ lr <= 0 || lr >= 10) @@ lesson
src/io/lesson.c @@ u < 0 || u >= ENGINE_MAX_DIM) @@ u < 0 || u > ENGINE_MAX_DIM) @@ lesson
src/io/lesson.c @@ if (len > LESSON_MAX_BYTES) { @@ if (len >= LESSON_MAX_BYTES) { @@ lesson
src/io/lesson.c @@ if (out->n >= MAX_KEYS) { @@ if (out->n > MAX_KEYS) { @@ lesson
src/io/lesson.c @@ md->prose.text.len > LESSON_MAX_STRING @@ md->prose.text.len >= LESSON_MAX_STRING @@ lesson
# ui
src/ui/theme.c @@ return map01(0.5f + 0.5f * v / range); @@ return map01(0.5f - 0.5f * v / range); @@ ui
src/ui/theme.c @@ return lerp(SUNSET[i], SUNSET[i + 1], x - (float)i); @@ return SUNSET[i]; @@ ui
src/ui/theme.c @@ if (u > 1.0f) u = 1.0f; @@ if (u > 1.0f) u = 0.0f; @@ ui
src/ui/theme.c @@ return map01(0.5f + 0.5f * v); @@ return map01(0.5f * v); @@ ui
src/ui/view_unrolled.c @@ render_arrow(r, xa, y_h, xb, y_h @@ render_arrow(r, xb, y_h, xa, y_h @@ ui
src/ui/view_unrolled.c @@ int prev_p = l->cell[ln->dir].go_backwards ? p + 1 : p - 1; @@ int prev_p = p - 1; @@ ui
src/ui/view_unrolled.c @@ return l->cell[dir].go_backwards ? T - 1 - p : p; @@ return p; @@ ui
src/ui/render.c @@ float bx = x1 - ux * head, by = y1 - uy * head; @@ float bx = x1 + ux * head, by = y1 + uy * head; @@ ui
src/ui/doc.c @@ dm->c_range = fmaxf(dm->c_range, fabsf(r->run[k].c[j])); @@ dm->c_range = fmaxf(dm->c_range, r->run[k].c[j]); @@ ui

#!/usr/bin/env bash
# run.sh: builds the fuzz harnesses of tests/fuzz with clang's libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer (in build-fuzz), then runs
# each for a bounded time on a copy of its corpus.
#   bash tests/fuzz/run.sh [SECONDS_EACH] [HARNESS...]
# SECONDS_EACH defaults to 60; the harnesses to model tokenizer lesson cli.
# Installs clang-14 with apt when no clang is found. A crash, hang or leak
# leaves its input in build-fuzz/fuzz-artifacts/<harness>/; add it to
# tests/fuzz/corpus/<harness>/ with the fix so the replay test keeps it fixed.
# New inputs the fuzzer finds go to build-fuzz/fuzz-work/, not the repo.
# Exit status: 0 when every harness ran its time without a finding.
set -euo pipefail
cd "$(dirname "$0")/../.."

SECS=${1:-60}
shift || true
HARNESSES=("$@")
[ ${#HARNESSES[@]} -gt 0 ] || HARNESSES=(model tokenizer lesson cli)
case "$SECS" in '' | *[!0-9]*) echo "run.sh: SECONDS_EACH must be a whole number, not '$SECS'" >&2; exit 2 ;; esac

CLANG=${CC:-}
if [ -z "$CLANG" ] || ! "$CLANG" --version 2>/dev/null | grep -q clang; then
  CLANG=$(command -v clang-14 || command -v clang || true)
fi
if [ -z "$CLANG" ] || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  echo "run.sh: installing clang-14 and its libFuzzer runtime" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends clang-14 libclang-rt-14-dev >/dev/null
  CLANG=$(command -v clang-14)
fi

BUILD=${FUZZ_BUILD:-build-fuzz}
if [ ! -f "$BUILD/build.ninja" ]; then
  # -fsanitize=fuzzer-no-link: coverage for the libraries the harnesses call;
  # no recovery: undefined behaviour stops the run like a crash. clang warns
  # about things gcc does not, so its warnings do not stop the build here.
  CC="$CLANG" meson setup "$BUILD" -Dfuzz=true -Dwerror=false -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args="-fsanitize=fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer" >/dev/null
fi
targets=()
for h in "${HARNESSES[@]}"; do targets+=("tests/fuzz/fuzz_$h"); done
ninja -C "$BUILD" "${targets[@]}" >/dev/null

export UNROLL_SOURCE_DIR=$PWD
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OPENBLAS_NUM_THREADS=1
failed=()
for h in "${HARNESSES[@]}"; do
  work="$BUILD/fuzz-work/$h"
  art="$BUILD/fuzz-artifacts/$h"
  mkdir -p "$work" "$art"
  echo "run.sh: fuzzing $h for ${SECS}s" >&2
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: the harnesses
  # run under a 256 MB budget (fuzz.h), so 2 GB means memory ran away
  if ! "$BUILD/tests/fuzz/fuzz_$h" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$art/" -print_final_stats=1 "$work" "tests/fuzz/corpus/$h" >"$BUILD/fuzz-$h.log" 2>&1; then
    failed+=("$h")
    echo "run.sh: $h found a problem; see $BUILD/fuzz-$h.log and $art/" >&2
    grep -E "^(==[0-9]+==ERROR|SUMMARY|.*fuzz check failed|.*runtime error)" "$BUILD/fuzz-$h.log" | head -5 >&2 || true
  else
    grep -E "^stat::number_of_executed_units" "$BUILD/fuzz-$h.log" | sed "s/^/run.sh: $h: /" >&2 || true
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "run.sh: problems found by: ${failed[*]}" >&2
  exit 1
fi
echo "run.sh: ${HARNESSES[*]}: ${SECS}s each, nothing found" >&2

#!/usr/bin/env bash
# Trains every lesson's models from its own corpus, spec and seeds with
# `unroll prepare` and writes them where the lesson looks for them. The
# shipped weights are this script's output. Build first (bash .ci/setup).
set -euo pipefail
cd "$(dirname "$0")/.."
for lesson in lessons/[0-9][0-9]-*.md; do
  echo "== $lesson"
  build/unroll prepare "$lesson"
done

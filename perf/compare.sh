#!/usr/bin/env bash
# Runs unroll bench and the same shapes in PyTorch in one go and prints the
# ratio per workload. Needs a built unroll (build/) and python3-torch:
#   apt-get install python3-torch && bash perf/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
build/unroll bench --json > /tmp/unroll-bench.jsonl
/usr/bin/python3 perf/bench_torch.py > /tmp/torch-bench.jsonl
/usr/bin/python3 - <<'PY'
import json
u = [json.loads(l) for l in open("/tmp/unroll-bench.jsonl")]
t = {(r["cell"], r["pass"], r["batch"], r["T"], r["input"], r["units"]): r for r in map(json.loads, open("/tmp/torch-bench.jsonl"))}
print(f"{'cell':10} {'pass':8} {'B':>3} {'T':>4} {'E':>4} {'H':>4} {'unroll':>12} {'pytorch':>12} {'speed-up':>9}")
for r in u:
    k = (r["cell"], r["pass"], r["batch"], r["T"], r["input"], r["units"])
    p = t[k]["median_us"]
    print(f"{k[0]:10} {k[1]:8} {k[2]:3} {k[3]:4} {k[4]:4} {k[5]:4} {r['median_us']/1000:9.3f} ms {p/1000:9.3f} ms {p/r['median_us']:8.1f}x")
PY

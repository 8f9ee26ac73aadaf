#!/usr/bin/env bash
# web/serve.sh [PORT]: serves build-web/ on http://127.0.0.1:PORT (default
# 8080) for a browser on this machine. The page is single-threaded, so no
# COOP/COEP headers are needed: any static web server serves build-web/ as
# well (copy the folder to a school's server or GitHub Pages).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-8080}
[ -f build-web/index.html ] || { echo "web/serve.sh: no build-web/index.html; run bash web/build.sh first" >&2; exit 2; }
echo "unroll: http://127.0.0.1:$PORT/ (Ctrl+C stops)" >&2
exec python3 web/server.py build-web "$PORT"

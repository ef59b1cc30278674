#!/bin/sh
# Unpack of a ~350 MB image (3 x 100 MiB random + 50 MiB text, gzip): berth vs umoci, side by side.
# Prints hyperfine's table and the ratio berth/umoci. Needs: hyperfine, umoci (Debian packages).
# Usage: bench/unpack.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
. scripts/env.sh
RUNS=${1:-5}
B=$(mktemp -d /tmp/berth-bench.XXXXXX)
trap 'rm -rf "$B"' EXIT
bench/make-image.sh "$B/layout" "$B/src"
rm -rf "$B/src"
hyperfine --runs "$RUNS" --warmup 1 --export-json "$B/r.json" \
  --prepare "rm -rf $B/ub $B/bb" \
  -n umoci "umoci unpack --image $B/layout:bench $B/ub" \
  -n berth "bin/berth image unpack oci:$B/layout:bench $B/bb"
python3 - "$B/r.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
u, b = r["umoci"]["mean"], r["berth"]["mean"]
print(f"unpack: umoci {u:.3f}s  berth {b:.3f}s  ratio berth/umoci = {b/u:.2f}")
PY

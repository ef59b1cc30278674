#!/bin/sh
# Layer creation throughput: berth image create (tar+gzip, tar+zstd) against `tar | gzip` and
# `tar | zstd` on the same directory (~350 MB: 300 MiB random + 50 MiB text). Prints MB/s and ratios.
# Usage: bench/layer-create.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
. scripts/env.sh
RUNS=${1:-3}
B=$(mktemp -d /tmp/berth-bench.XXXXXX)
trap 'rm -rf "$B"' EXIT
bench/make-image.sh "$B/layout" "$B/src" >/dev/null
mkdir -p "$B/dir"
mv "$B/src"/l1 "$B/src"/l2 "$B/src"/l3 "$B/src"/l4 "$B/dir/"
SIZE=$(du -sb "$B/dir" | cut -f1)
hyperfine --runs "$RUNS" --warmup 1 --export-json "$B/r.json" \
  --prepare "rm -rf $B/out" \
  -n "tar|gzip" "tar -C $B/dir -cf - . | gzip -6 > $B/out.tgz" \
  -n "berth gzip" "bin/berth image create --compression gzip --from-dir $B/dir oci:$B/out:x" \
  -n "tar|zstd" "tar -C $B/dir -cf - . | zstd -3 -q > $B/out.tzst" \
  -n "berth zstd" "bin/berth image create --compression zstd --from-dir $B/dir oci:$B/out:x"
python3 - "$B/r.json" "$SIZE" <<'PY'
import json, sys
size = int(sys.argv[2]) / 1e6
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
for k, v in r.items():
    print(f"{k:12s} {v:7.3f}s  {size / v:8.1f} MB/s")
print(f"gzip: berth/tar|gzip time ratio = {r['berth gzip'] / r['tar|gzip']:.2f}")
print(f"zstd: berth/tar|zstd time ratio = {r['berth zstd'] / r['tar|zstd']:.2f}")
PY

#!/bin/sh
# Pull and push of the ~315 MB benchmark image (3 x 100 MiB random + 50 MiB text, gzip) against
# docker-registry (CNCF distribution, from Debian) on 127.0.0.1: berth copy vs skopeo copy, side by
# side, into / from an oci: layout. Prints hyperfine's tables and the ratios.
# Usage: bench/pull.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
. scripts/env.sh
RUNS=${1:-5}
B=$(mktemp -d /tmp/berth-bench.XXXXXX)
PORT=5077
cat > "$B/reg.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $B/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$PORT
YML
docker-registry serve "$B/reg.yml" >"$B/reg.log" 2>&1 &
REG=$!
trap 'kill $REG; rm -rf "$B"' EXIT
bench/make-image.sh "$B/layout" "$B/src" >/dev/null
rm -rf "$B/src"
sleep 1
skopeo copy -q --dest-tls-verify=false "oci:$B/layout:bench" "docker://127.0.0.1:$PORT/bench/img:v1"
hyperfine --runs "$RUNS" --warmup 1 --export-json "$B/pull.json" --prepare "rm -rf $B/p1 $B/p2 /var/lib/containers/cache/blob-info-cache-v1.boltdb; sync" \
  -n "skopeo pull" "skopeo copy -q --src-tls-verify=false docker://127.0.0.1:$PORT/bench/img:v1 oci:$B/p1:v1" \
  -n "berth pull" "bin/berth copy docker://127.0.0.1:$PORT/bench/img:v1 oci:$B/p2:v1"
# Every run starts with no dirty pages (sync in --prepare): neither tool pays for the previous run's
# write-back (both fsync what they store; docker-registry's files are written back meanwhile).
# Push to a fresh repository each run (nothing to skip, no mounts: different names per command).
# skopeo remembers which registry repositories hold a blob (its blob-info cache) and mounts instead of
# uploading: clear it before each run so both tools really upload.
CACHE=/var/lib/containers/cache/blob-info-cache-v1.boltdb
hyperfine --runs "$RUNS" --export-json "$B/push.json" --prepare "rm -f $CACHE; sync" \
  -n "skopeo push" "skopeo copy -q --dest-tls-verify=false oci:$B/layout:bench docker://127.0.0.1:$PORT/skopeo/\$(date +%s%N):v1" \
  -n "berth push" "bin/berth copy oci:$B/layout:bench docker://127.0.0.1:$PORT/berth/r\$(date +%s%N):v1"
python3 - "$B/pull.json" "$B/push.json" <<'PY'
import json, sys
for f, a, b in ((sys.argv[1], "skopeo pull", "berth pull"), (sys.argv[2], "skopeo push", "berth push")):
    r = {x["command"]: x["mean"] for x in json.load(open(f))["results"]}
    print(f"{b}: {r[b]:.3f}s  {a}: {r[a]:.3f}s  ratio berth/skopeo = {r[b] / r[a]:.2f}")
PY

#!/bin/sh
# Registry: Berth vs docker-registry (CNCF distribution, Debian package) side by side, same machine, same run.
#   1. manifest GET req/s with wrk (64 connections), by tag
#   2. 1 MiB blob GET MiB/s with wrk (64 connections)
#   3. 100 MiB blob GET with curl: seconds and server CPU seconds
#   4. skopeo push of a ~315 MB image (3 x 100 MiB random + 50 MiB text, gzip) to fresh repositories, and pull back
#   5. RSS idle and after load
# Prints the numbers and the ratio berth/distribution. Needs: wrk, docker-registry, curl, skopeo, python3.
# Both servers listen on 127.0.0.1 only and are stopped (by PID) on exit. Distribution runs with the
# in-memory blob descriptor cache of Debian's packaged config (/etc/docker/registry/config.yml); Berth
# with its defaults (manifest cache on, no access log).
# Usage: bench/registry.sh [DURATION]   (wrk duration, default 10s)
#   ONLY=manifest bench/registry.sh 5s   only step 1 (manifest GET), for quick comparisons
#   BERTH_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/r.jfr"   extra JVM options for Berth's server
#   BERTH_ARGS=--no-fsync   extra server options (no fsync: distribution's and zot's durability)
set -eu
cd "$(dirname "$0")/.."
. scripts/env.sh
DURATION=${1:-10s}
B=$(mktemp -d /tmp/berth-bench-registry.XXXXXX)
DPID=""; BPID=""
cleanup() {
  [ -n "$DPID" ] && kill "$DPID" 2>/dev/null || true
  [ -n "$BPID" ] && kill "$BPID" 2>/dev/null || true
  rm -rf "$B"
}
trap cleanup EXIT INT TERM

JAR=registry/target/berth-registry-0.1.0-SNAPSHOT.jar
[ -f "$JAR" ] || { echo "build first: mvn -B -q -pl spec,registry -am package -DskipTests" >&2; exit 1; }

cat > "$B/dist.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: $B/dist
  delete:
    enabled: true
http:
  addr: 127.0.0.1:5101
YML
docker-registry serve "$B/dist.yml" 2>"$B/dist.log" & DPID=$!
# The JVM flags bin/berth uses for "registry serve" (BERTH_JAVA_OPTS comes after them and can override).
"$JAVA_HOME/bin/java" -Xmx128m -XX:+UseSerialGC ${BERTH_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -cp "$JAR:registry/target/lib/*" \
  io.berth.registry.RegistryMain serve --addr 127.0.0.1:5102 --root "$B/berth" ${BERTH_ARGS:-} 2>"$B/berth.log" & BPID=$!

IDLE_D=""; IDLE_B=""; n=0
for port in 5101 5102; do
  i=0
  until curl -sf "http://127.0.0.1:$port/v2/" >/dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || { echo "server on $port did not start" >&2; cat "$B"/*.log >&2; exit 1; }
    sleep 0.1
  done
done

IDLE_D=$(ps -o rss= -p $DPID); IDLE_B=$(ps -o rss= -p $BPID)

# the same content in both: a 1 MiB random layer, a config, a manifest tagged v1
head -c 1048576 /dev/urandom > "$B/layer"
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' > "$B/config"
sha() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }
L=$(sha "$B/layer"); C=$(sha "$B/config")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%d}]}' \
  "$C" "$(stat -c %s "$B/config")" "$L" "$(stat -c %s "$B/layer")" > "$B/manifest"
MT=application/vnd.oci.image.manifest.v1+json
for port in 5101 5102; do
  for f in layer config; do
    # POST then PUT (distribution 2.8 answers a single POST with 202)
    loc=$(curl -sf -X POST -D - -o /dev/null "http://127.0.0.1:$port/v2/bench/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
    case "$loc" in http*) ;; *) loc="http://127.0.0.1:$port$loc" ;; esac
    case "$loc" in *\?*) sep='&' ;; *) sep='?' ;; esac
    curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$B/$f" "$loc${sep}digest=$(sha "$B/$f")" >/dev/null
  done
  curl -sf -X PUT -H "Content-Type: $MT" --data-binary "@$B/manifest" "http://127.0.0.1:$port/v2/bench/manifests/v1" >/dev/null
done

run() { # name url -> prints wrk output to $B/name.out
  wrk -t4 -c64 -d"$DURATION" -H "Accept: $MT" "$2" > "$B/$1.out"
  echo "== $1"; sed -n '/Requests\/sec/,$p' "$B/$1.out"
}
# warm-up, not counted: both servers are long-running (Berth's JIT compiles its hot paths in the first seconds)
for port in 5101 5102; do
  wrk -t4 -c64 -d"$DURATION" -H "Accept: $MT" "http://127.0.0.1:$port/v2/bench/manifests/v1" >/dev/null
  [ "${ONLY:-}" = manifest ] || wrk -t4 -c64 -d"$DURATION" "http://127.0.0.1:$port/v2/bench/blobs/$L" >/dev/null
done
run dist-manifest "http://127.0.0.1:5101/v2/bench/manifests/v1"
run berth-manifest "http://127.0.0.1:5102/v2/bench/manifests/v1"
if [ "${ONLY:-}" = manifest ]; then
  awk -v d="$(awk '/Requests\/sec/{print $2}' "$B/dist-manifest.out")" -v b="$(awk '/Requests\/sec/{print $2}' "$B/berth-manifest.out")" \
    'BEGIN{printf "manifest GET: distribution %.0f req/s  berth %.0f req/s  ratio berth/distribution = %.1f\n", d, b, b/d}'
  exit 0
fi
run dist-blob "http://127.0.0.1:5101/v2/bench/blobs/$L"
run berth-blob "http://127.0.0.1:5102/v2/bench/blobs/$L"

rps() { awk '/Requests\/sec/{print $2}' "$B/$1.out"; }
mibs() { awk '/Transfer\/sec/{v=$2; u=substr(v,length(v)-1); n=substr(v,1,length(v)-2); if(u=="GB")n*=1024; if(u=="KB")n/=1024; print n}' "$B/$1.out"; }

# 3. a 100 MiB blob, fetched whole with curl; CPU from /proc/PID/stat (utime + stime, clock ticks).
# It is pushed 4 times (to 4 repositories): the pushes also warm up the upload path before step 4.
head -c $((100 * 1024 * 1024)) /dev/urandom > "$B/big"
BIG=$(sha "$B/big")
for port in 5101 5101 5101 5101 5102 5102 5102 5102; do
  n=$((n + 1))
  repo=bench; [ $((n % 4)) = 0 ] || repo=warm$n
  loc=$(curl -sf -X POST -D - -o /dev/null "http://127.0.0.1:$port/v2/$repo/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
  case "$loc" in http*) ;; *) loc="http://127.0.0.1:$port$loc" ;; esac
  case "$loc" in *\?*) sep='&' ;; *) sep='?' ;; esac
  curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$B/big" "$loc${sep}digest=$BIG" >/dev/null
done
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TCK=$(getconf CLK_TCK)
big() { # name port pid
  c0=$(cpu "$3"); t0=$(date +%s.%N)
  for k in 1 2 3 4 5; do curl -sf -o /dev/null "http://127.0.0.1:$2/v2/bench/blobs/$BIG"; done
  t1=$(date +%s.%N); c1=$(cpu "$3")
  awk -v n="$1" -v t="$(echo "$t1 - $t0" | bc)" -v c="$((c1 - c0))" -v k="$TCK" \
    'BEGIN{printf "100 MiB blob GET x5: %s %.2fs (%.0f MiB/s), server CPU %.2fs\n", n, t, 500/t, c/k}'
}
big distribution 5101 $DPID
big berth 5102 $BPID

# 4. skopeo push of a ~315 MB image and pull back
python3 - "$B/layout" <<'PY'
import gzip, hashlib, io, json, os, random, sys, tarfile
out = sys.argv[1]; os.makedirs(out + "/blobs/sha256", exist_ok=True)
def blob(b):
    d = hashlib.sha256(b).hexdigest(); open(f"{out}/blobs/sha256/{d}", "wb").write(b); return "sha256:" + d, len(b)
def layer(files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as t:
        for name, data in files:
            ti = tarfile.TarInfo(name); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
    raw = raw.getvalue()
    return raw, gzip.compress(raw, 1, mtime=0)
random.seed(7); layers = []; diffs = []
for i in range(3):
    raw, gz = layer([(f"data{i}/blob{j}", os.urandom(25 << 20)) for j in range(4)])
    diffs.append("sha256:" + hashlib.sha256(raw).hexdigest()); layers.append(blob(gz))
words = ["container", "image", "layer", "registry", "runtime", "manifest", "digest", "bundle", "rootfs", "spec"]
text = [(f"text/doc{f}.txt", (" ".join(random.choice(words) for _ in range(90000))).encode()[: 1 << 20]) for f in range(50)]
raw, gz = layer(text); diffs.append("sha256:" + hashlib.sha256(raw).hexdigest()); layers.append(blob(gz))
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {}, "rootfs": {"type": "layers", "diff_ids": diffs}}).encode()
c = blob(cfg)
m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": c[0], "size": c[1]},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": s} for d, s in layers]}).encode()
md = blob(m)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md[0],
    "size": md[1], "annotations": {"org.opencontainers.image.ref.name": "bench"}}]}, open(out + "/index.json", "w"))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
PY
# skopeo's blob-info cache would turn the later pushes into cross-repository mounts: cleared before each run.
secs() { rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb; sync; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Three rounds, the two servers alternating, each run after a sync (no tool pays for the previous run's
# write-back), fresh repositories and layouts; the medians are compared. Single runs varied by +-30 % here.
PDS=""; PBS=""; GDS=""; GBS=""
for r in 1 2 3; do
  PDS="$PDS $(secs skopeo --insecure-policy copy --dest-tls-verify=false "oci:$B/layout:bench" docker://127.0.0.1:5101/big$r/image:bench)"
  PBS="$PBS $(secs skopeo --insecure-policy copy --dest-tls-verify=false "oci:$B/layout:bench" docker://127.0.0.1:5102/big$r/image:bench)"
  rm -rf "$B/pull-d" "$B/pull-b"
  GDS="$GDS $(secs skopeo --insecure-policy copy --src-tls-verify=false docker://127.0.0.1:5101/big$r/image:bench "oci:$B/pull-d:bench")"
  GBS="$GBS $(secs skopeo --insecure-policy copy --src-tls-verify=false docker://127.0.0.1:5102/big$r/image:bench "oci:$B/pull-b:bench")"
done
echo "skopeo push runs: distribution$PDS; berth$PBS"
echo "skopeo pull runs: distribution$GDS; berth$GBS"
PD=$(med $PDS); PB=$(med $PBS); GD=$(med $GDS); GB=$(med $GBS)

echo "RSS idle: distribution $IDLE_D KiB, berth $IDLE_B KiB; after load: distribution $(ps -o rss= -p $DPID) KiB, berth $(ps -o rss= -p $BPID) KiB"
awk -v d="$PD" -v b="$PB" 'BEGIN{printf "skopeo push ~315 MB (median of 3): distribution %.2fs  berth %.2fs  ratio berth/distribution = %.2f\n", d, b, b/d}'
awk -v d="$GD" -v b="$GB" 'BEGIN{printf "skopeo pull ~315 MB (median of 3): distribution %.2fs  berth %.2fs  ratio berth/distribution = %.2f\n", d, b, b/d}'
awk -v d="$(rps dist-manifest)" -v b="$(rps berth-manifest)" 'BEGIN{printf "manifest GET: distribution %.0f req/s  berth %.0f req/s  ratio berth/distribution = %.1f\n", d, b, b/d}'
awk -v d="$(mibs dist-blob)" -v b="$(mibs berth-blob)" 'BEGIN{printf "1 MiB blob GET: distribution %.0f MiB/s  berth %.0f MiB/s  ratio berth/distribution = %.1f\n", d, b, b/d}'

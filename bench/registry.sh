#!/bin/sh
# Registry: Berth vs docker-registry (CNCF distribution, Debian package) side by side, same machine, same run.
#   1. manifest GET req/s with wrk (64 connections), by tag
#   2. 1 MiB blob GET MiB/s with wrk (64 connections)
# Prints wrk's numbers and the ratio berth/distribution. Needs: wrk, docker-registry, curl.
# Both servers listen on 127.0.0.1 only and are stopped (by PID) on exit.
# Usage: bench/registry.sh [DURATION]   (wrk duration, default 10s)
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
[ -f "$JAR" ] || { echo "build first: mvn -B -q -pl spec,registry -am install" >&2; exit 1; }

cat > "$B/dist.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $B/dist
  delete:
    enabled: true
http:
  addr: 127.0.0.1:5101
YML
docker-registry serve "$B/dist.yml" 2>"$B/dist.log" & DPID=$!
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$JAR:registry/target/lib/*" \
  io.berth.registry.RegistryMain serve --addr 127.0.0.1:5102 --root "$B/berth" 2>"$B/berth.log" & BPID=$!

for port in 5101 5102; do
  i=0
  until curl -sf "http://127.0.0.1:$port/v2/" >/dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || { echo "server on $port did not start" >&2; cat "$B"/*.log >&2; exit 1; }
    sleep 0.1
  done
done

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
run dist-manifest "http://127.0.0.1:5101/v2/bench/manifests/v1"
run berth-manifest "http://127.0.0.1:5102/v2/bench/manifests/v1"
run dist-blob "http://127.0.0.1:5101/v2/bench/blobs/$L"
run berth-blob "http://127.0.0.1:5102/v2/bench/blobs/$L"

rps() { awk '/Requests\/sec/{print $2}' "$B/$1.out"; }
mibs() { awk '/Transfer\/sec/{v=$2; u=substr(v,length(v)-1); n=substr(v,1,length(v)-2); if(u=="GB")n*=1024; if(u=="KB")n/=1024; print n}' "$B/$1.out"; }
echo "RSS after load: distribution $(ps -o rss= -p $DPID) KiB, berth $(ps -o rss= -p $BPID) KiB"
awk -v d="$(rps dist-manifest)" -v b="$(rps berth-manifest)" 'BEGIN{printf "manifest GET: distribution %.0f req/s  berth %.0f req/s  ratio berth/distribution = %.1f\n", d, b, b/d}'
awk -v d="$(mibs dist-blob)" -v b="$(mibs berth-blob)" 'BEGIN{printf "1 MiB blob GET: distribution %.0f MiB/s  berth %.0f MiB/s  ratio berth/distribution = %.1f\n", d, b, b/d}'

#!/bin/sh
# The main job on embedded defaults: code -> image -> registry -> container.
# Builds Berth, makes an image from the sample app (sample/app on a busybox base directory) into an
# OCI image layout, pushes it to a berth registry on 127.0.0.1:5000, pulls it back into a fresh local
# store, unpacks it into a runtime bundle (config.json + rootfs/) and runs it with berth-runtime.
# Everything it makes is under ./work/ (override with BERTH_WORK).
set -eu
cd "$(dirname "$0")/.."
. scripts/env.sh
berth_install_packages

mvn -B -q -DskipTests install
WORK=${BERTH_WORK:-$PWD/work}
rm -rf "$WORK"
mkdir -p "$WORK"

# The sample directory: the app's code on a minimal static busybox userland.
SRC=$WORK/sample
mkdir -p "$SRC/bin" "$SRC/etc" "$SRC/app" "$SRC/tmp"
cp /bin/busybox "$SRC/bin/busybox"
for a in sh echo cat ls uname id; do ln -s busybox "$SRC/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/app:/bin/sh\n' > "$SRC/etc/passwd"
printf 'root:x:0:\napp:x:1000:\n' > "$SRC/etc/group"
cp sample/app/* "$SRC/app/"
chmod 1777 "$SRC/tmp"

# The registry, on embedded defaults (127.0.0.1:5000), storing under $WORK/registry.
ADDR=${BERTH_REGISTRY_ADDR:-127.0.0.1:5000}
bin/berth registry serve --addr "$ADDR" --root "$WORK/registry" 2>"$WORK/registry.log" &
REGISTRY_PID=$!
trap 'rc=$?; kill $REGISTRY_PID 2>/dev/null; wait $REGISTRY_PID 2>/dev/null || true; exit $rc' EXIT
for i in $(seq 50); do
  grep -q serving "$WORK/registry.log" 2>/dev/null && break
  kill -0 $REGISTRY_PID 2>/dev/null || { cat "$WORK/registry.log" >&2; exit 1; }
  sleep 0.2
done

set -x
# code -> image
bin/berth image create --from-dir "$SRC" --entrypoint /bin/sh --cmd /app/hello.sh oci:"$WORK/layout":demo
bin/berth image ls oci:"$WORK/layout"
# image -> registry
bin/berth copy oci:"$WORK/layout":demo docker://"$ADDR"/berth/demo:latest
bin/berth inspect docker://"$ADDR"/berth/demo:latest
# registry -> a fresh local store -> runtime bundle
BERTH_STORE="$WORK/store" bin/berth pull "$ADDR"/berth/demo:latest
BERTH_STORE="$WORK/store" bin/berth image unpack "$ADDR"/berth/demo:latest "$WORK/bundle"
set +x
echo "bundle: $WORK/bundle"
ls -l "$WORK/bundle" "$WORK/bundle/rootfs"
grep -A1 '"args"' "$WORK/bundle/config.json"
# bundle -> container: berth-runtime (runc-compatible) runs it in its own namespaces and cgroups.
echo "running the container with berth-runtime:"
bin/berth-runtime run --bundle "$WORK/bundle" "berth-demo-$$"

#!/bin/sh
# bench/runtime.sh: `run` of a busybox /bin/true bundle, runc vs berth-runtime (and crun when it works
# here: crun 1.8.1 refuses this machine's hybrid cgroups), with hyperfine. Needs root, busybox-static,
# runc, hyperfine, and a built runtime (mvn -B -pl spec,runtime -am install). Prints the ratio.
# BASELINE=/other/checkout/bin/berth-runtime adds an older build to the same run (before/after);
# SECCOMP=profile.json adds a seccomp profile to the bundle.
set -eu
BERTH_HOME=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
BERTH=$BERTH_HOME/bin/berth-runtime
RUNS=${RUNS:-30}
W=$(mktemp -d /tmp/berth-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/bundle/rootfs/bin"
cp /bin/busybox "$W/bundle/rootfs/bin/busybox"
ln -s busybox "$W/bundle/rootfs/bin/true"
cd "$W/bundle"
runc spec
sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"true"/' config.json
grep -q '"true"' config.json || { echo "bench: could not set args in config.json" >&2; exit 1; }
# SECCOMP=profile.json: the same run with that seccomp profile (config.json's linux.seccomp) for both.
if [ -n "${SECCOMP:-}" ]; then
  python3 - "$SECCOMP" <<'EOP'
import json, sys
c = json.load(open("config.json"))
c["linux"]["seccomp"] = json.load(open(sys.argv[1]))
json.dump(c, open("config.json", "w"), indent=2)
EOP
fi
# Each run uses a fresh id; a counter file gives one per invocation.
echo 0 > "$W/n"
cat > "$W/run.sh" <<EOS
#!/bin/sh
n=\$(cat $W/n); echo \$((n+1)) > $W/n
exec "\$@" run --bundle $W/bundle b\$n
EOS
chmod +x "$W/run.sh"
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$W/h.json" \
  -n runc "$W/run.sh runc --root $W/runc-root" \
  -n berth-runtime "$W/run.sh $BERTH --root $W/berth-root" \
  ${BASELINE:+-n baseline "$W/run.sh $BASELINE --root $W/baseline-root"}
python3 - "$W/h.json" <<'EOP'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
a, b = r["runc"]["mean"], r["berth-runtime"]["mean"]
print(f"runc {a*1000:.1f} ms, berth-runtime {b*1000:.1f} ms: berth/runc = {b/a:.2f}x")
if "baseline" in r:
    c = r["baseline"]["mean"]
    print(f"baseline {c*1000:.1f} ms: baseline/runc = {c/a:.2f}x, berth/baseline = {b/c:.2f}x")
EOP

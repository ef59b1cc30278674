#!/bin/sh
# bench/runtime-lifecycle.sh: the runtime issue's other measurements, runc vs berth-runtime side by side
# in one hyperfine run each (crun 1.8.1 refuses this machine's hybrid cgroups, so it is left out):
#   1. create + start + delete --force as three separate commands (a busybox /bin/true bundle);
#   2. run of the same bundle with memory (64 MiB) and pids (32) limits;
#   3. peak RSS of one run (GNU time's %M, the largest process of the tree is what it reports).
# Needs root, busybox-static, runc, hyperfine, GNU time, and a built runtime. Prints ratios.
set -eu
BERTH_HOME=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
BERTH=${BERTH:-$BERTH_HOME/bin/berth-runtime}
RUNS=${RUNS:-30}
W=$(mktemp -d /tmp/berth-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
for b in plain limits; do
  mkdir -p "$W/$b/rootfs/bin"
  cp /bin/busybox "$W/$b/rootfs/bin/busybox"
  ln -s busybox "$W/$b/rootfs/bin/true"
  (cd "$W/$b" && runc spec)
  sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"true"/' "$W/$b/config.json"
done
python3 - "$W/limits/config.json" <<'EOP'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["linux"].setdefault("resources", {})["memory"] = {"limit": 64 << 20}
c["linux"]["resources"]["pids"] = {"limit": 32}
json.dump(c, open(p, "w"), indent=2)
EOP
grep -q '"limit": 67108864' "$W/limits/config.json" || { echo "bench: could not set limits" >&2; exit 1; }
echo 0 > "$W/n"
# $1 = runtime command, $2 = bundle, $3 = mode (run | lifecycle); a fresh id per invocation
cat > "$W/one.sh" <<EOS
#!/bin/sh
n=\$(cat $W/n); echo \$((n+1)) > $W/n
rt=\$1; bundle=\$2; mode=\$3
if [ "\$mode" = run ]; then exec \$rt run --bundle \$bundle b\$n; fi
\$rt create --bundle \$bundle b\$n && \$rt start b\$n && exec \$rt delete --force b\$n
EOS
chmod +x "$W/one.sh"
RUNC="runc --root $W/runc-root"
BR="$BERTH --root $W/berth-root"
ratio() {
  python3 - "$1" <<'EOP'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
a, b = r["runc"]["mean"], r["berth-runtime"]["mean"]
print(f"  runc {a*1000:.1f} ms, berth-runtime {b*1000:.1f} ms: berth/runc = {b/a:.2f}x")
EOP
}
echo "== create + start + delete --force"
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$W/l.json" \
  -n runc "$W/one.sh '$RUNC' $W/plain lifecycle" -n berth-runtime "$W/one.sh '$BR' $W/plain lifecycle" >/dev/null
ratio "$W/l.json"
echo "== run with memory and pids limits"
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$W/m.json" \
  -n runc "$W/one.sh '$RUNC' $W/limits run" -n berth-runtime "$W/one.sh '$BR' $W/limits run" >/dev/null
ratio "$W/m.json"
echo "== peak RSS of one run (max of 5)"
for name in runc berth-runtime; do
  if [ $name = runc ]; then rt=$RUNC; else rt=$BR; fi
  max=0
  for i in 1 2 3 4 5; do
    kb=$(/usr/bin/time -f %M "$W/one.sh" "$rt" "$W/plain" run 2>&1 >/dev/null | tail -1)
    [ "$kb" -gt "$max" ] && max=$kb
  done
  echo "  $name: $((max / 1024)) MB"
done

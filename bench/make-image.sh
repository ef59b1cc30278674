#!/bin/sh
# Makes the benchmark image: 3 layers of 100 MiB random data and one of 50 MiB text, gzip, in the
# OCI layout $1 tagged "bench" (built with berth; the content, not the tool, is what matters).
# Usage: bench/make-image.sh LAYOUT_DIR [WORK_DIR]
set -eu
cd "$(dirname "$0")/.."
LAYOUT=$1
W=${2:-$(mktemp -d /tmp/berth-bench-src.XXXXXX)}
mkdir -p "$W"
for i in 1 2 3; do
  mkdir -p "$W/l$i/data$i"
  # several files per layer, as real layers have
  for j in 1 2 3 4; do head -c $((25 * 1024 * 1024)) /dev/urandom > "$W/l$i/data$i/blob$j"; done
done
mkdir -p "$W/l4/text"
python3 - "$W/l4/text" <<'PY'
import sys, random, os
random.seed(42)
words = [w.strip() for w in open('/usr/share/dict/words')] if os.path.exists('/usr/share/dict/words') else \
    ["container", "image", "layer", "registry", "runtime", "manifest", "digest", "bundle", "rootfs", "spec"]
out = sys.argv[1]
for f in range(50):
    with open(os.path.join(out, f"doc{f}.txt"), "w") as fh:
        n = 0
        while n < 1024 * 1024:
            line = " ".join(random.choice(words) for _ in range(12)) + "\n"
            fh.write(line); n += len(line)
PY
rm -rf "$LAYOUT"
bin/berth image create --from-dir "$W/l1" --cmd /bin/true oci:"$LAYOUT":bench >/dev/null
bin/berth image add-layer --from-dir "$W/l2" oci:"$LAYOUT":bench >/dev/null
bin/berth image add-layer --from-dir "$W/l3" oci:"$LAYOUT":bench >/dev/null
bin/berth image add-layer --from-dir "$W/l4" oci:"$LAYOUT":bench >/dev/null
bin/berth image gc oci:"$LAYOUT" >/dev/null
du -sh "$LAYOUT"

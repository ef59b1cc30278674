# Sourced by the other scripts: the JDK and the Debian packages Berth's build, demo and tests need.
# Installs what is missing (as root, from Debian's package registry) and exports JAVA_HOME.

BERTH_JAVA_HOME=${BERTH_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ ! -x "$BERTH_JAVA_HOME/bin/java" ]; then
  echo "berth: JDK 25 not found at $BERTH_JAVA_HOME (set BERTH_JAVA_HOME to a JDK 25 install)" >&2
  exit 1
fi
export JAVA_HOME=$BERTH_JAVA_HOME
export PATH=$JAVA_HOME/bin:$PATH

# Debian packages: the build (maven, gcc), the demo (busybox-static for the sample rootfs) and the
# real peers the interop tests drive (umoci, skopeo), plus the benchmark tools.
BERTH_PACKAGES="maven gcc libc6-dev libssl3 busybox-static runc crun containerd conmon umoci skopeo podman buildah openssl docker-registry apache2-utils zstd hyperfine wrk curl bc python3"

berth_install_packages() {
  missing=""
  for p in $BERTH_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "berth: missing Debian packages:$missing (run as root, or install them)" >&2
    exit 1
  fi
  echo "berth: installing$missing" >&2
  apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 || {
    apt-get update >/dev/null 2>&1
    apt-get install -y --no-install-recommends $missing >/dev/null
  }
}

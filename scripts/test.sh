#!/bin/sh
# All tests: unit, contract, and interop with the real peers (umoci, skopeo), on a clean machine.
set -eu
cd "$(dirname "$0")/.."
. scripts/env.sh
berth_install_packages
# The final phase prints Maven's test summary (not -q).
exec mvn -B verify "$@"

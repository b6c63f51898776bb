#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The floor under "a workload outside --pid": a setns storm with nothing
# attached, with an empty program pair on the raw syscall tracepoints, and
# with nstrace's own pair filtering it out, in turn in one process
# (bench/tp_floor.c). Prints median ns per call and per-round ratios.
# usage: sudo bench/tp-floor.sh [ROUNDS] [CALLS_PER_ROUND]
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh build >/dev/null
make -s .output/bench/tp_floor
echo "# $(uname -r), $(nproc) CPUs"
exec .output/bench/tp_floor "${1:-21}" "${2:-200000}"

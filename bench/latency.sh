#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# From a syscall's exit to its line on nstrace's standard output (a pipe),
# measured by bench/event_latency.c: COUNT setns calls at random moments,
# first with nothing else traced, then beside a setns storm that nstrace
# traces too (whole system), so the line waits behind the storm's.
# usage: sudo bench/latency.sh [COUNT]
set -u
cd "$(dirname "$0")/.."
COUNT=${1:-100}
make -s .output/nstrace .output/bench/event_latency .output/bench/setns_storm
NST=$PWD/.output/nstrace
echo "# $(date -u +%FT%TZ), $(uname -r), $(nproc) CPUs, $("$NST" --version | head -n 1); load $(cut -d' ' -f1-3 /proc/loadavg)"
printf "quiet: "
.output/bench/event_latency "$COUNT" "$NST" --no-summary --comm event_latency
.output/bench/setns_storm 100000000 >/dev/null &
STORM=$!
trap 'kill $STORM 2>/dev/null' EXIT
printf "beside a traced setns storm: "
.output/bench/event_latency "$COUNT" "$NST" --no-summary

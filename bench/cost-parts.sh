#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Where a traced setns call's time goes, one line per part, side by side in
# one process (bench/cost_parts.c): untraced, the empty tracepoint pair
# (the floor), nstrace's programs built with one more part each, and then
# the real collector live to /dev/null, live text through a pipe and
# recording, which add the consumer's own CPU. Prints the load before and
# after: the parts are tens of nanoseconds, so read them from a quiet run.
# usage: sudo bench/cost-parts.sh [ROUNDS] [CALLS_PER_ROUND]
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh build >/dev/null
make -s .output/nstrace .output/bench/cost_parts
NST=$PWD/.output/nstrace
TMP=$(mktemp -d /tmp/nstrace-parts.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
echo "# $(date -u +%FT%TZ), $(uname -r), $(nproc) CPUs, nstrace $("$NST" --version | head -n 1)"
echo "# load before: $(cat /proc/loadavg)"
.output/bench/cost_parts "${1:-11}" "${2:-200000}" \
	"nstrace live to /dev/null=exec $NST --no-summary >/dev/null" \
	"nstrace live text to a pipe=$NST --no-summary | cat >/dev/null" \
	"nstrace record=exec $NST record -o $TMP/o.nst >/dev/null"
echo "# load after: $(cat /proc/loadavg)"

#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# nstrace ls against lsns at PROCS processes in GROUPS namespace groups
# (each group shares new net, uts and ipc namespaces), side by side with
# hyperfine: lsns -l, nstrace ls (BPF iterators) and nstrace ls --proc.
# Prints medians and the ratios; tears the population down on exit.
# usage: sudo bench/ls-vs-lsns.sh [PROCS] [GROUPS] [RUNS]
set -eu
cd "$(dirname "$0")/.."
PROCS=${1:-3000}
NGROUPS=${2:-300}
RUNS=${3:-10}
scripts/deps.sh bench >/dev/null
make -s .output/nstrace
NST=$PWD/.output/nstrace
TMP=$(mktemp -d /tmp/nstrace-ls.XXXXXX)
leaders=()

# Each group is its own session: killing the session ends exactly what we started.
teardown() {
	for p in "${leaders[@]}"; do
		kill -- -"$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap teardown EXIT

per=$((PROCS / NGROUPS))
for g in $(seq 1 "$NGROUPS"); do
	setsid unshare -n -u -i sh -c \
		"for i in \$(seq 2 $per); do sleep 7200 & done; exec sleep 7200" \
		</dev/null >/dev/null 2>&1 &
	leaders+=($!)
done
# wait until every group has all its processes
for _ in $(seq 1 100); do
	n=0
	for p in "${leaders[@]}"; do
		n=$((n + $(pgrep -c -s "$p" || true)))
	done
	[ "$n" -ge "$((per * NGROUPS))" ] && break
	sleep 0.2
done
echo "# $(uname -r), $(nproc) CPUs; $(ls -d /proc/[0-9]* | wc -l) processes," \
	"$(lsns -l -n | wc -l) namespaces ($n started in $NGROUPS groups); $RUNS runs each"
hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$TMP/h.json" \
	"lsns -l" "$NST ls" "$NST ls --proc" >/dev/null
jq -r '.results[] | "\(.command)\t\(.median * 10000 | round / 10) ms median (min \(.min * 10000 | round / 10), max \(.max * 10000 | round / 10))"' "$TMP/h.json"
jq -r '(.results[0].median) as $l | .results[1:][] | "lsns / \(.command): \($l / .median | . * 10 | round / 10)x"' "$TMP/h.json"

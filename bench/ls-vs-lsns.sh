#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# nstrace ls against lsns at PROCS processes in GROUPS namespace groups
# (each group shares new net, uts and ipc namespaces), side by side with
# hyperfine: lsns -l, nstrace ls (BPF iterators) and nstrace ls --proc.
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
trap 'pkill -f "sleep 7200" 2>/dev/null; rm -rf "$TMP"' EXIT

per=$((PROCS / NGROUPS))
for g in $(seq 1 "$NGROUPS"); do
	unshare -n -u -i sh -c "for i in \$(seq 2 $per); do sleep 7200 & done; exec sleep 7200" &
done
sleep 3
echo "# $(uname -r), $(nproc) CPUs; $(ls -d /proc/[0-9]* | wc -l) processes, $(lsns -l -n | wc -l) namespaces"
hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$TMP/h.json" \
	"lsns -l" "$NST ls" "$NST ls --proc" >/dev/null
jq -r '.results[] | "\(.command)\t\(.median * 1000 | . * 10 | round / 10) ms median (min \(.min * 1000 | round), max \(.max * 1000 | round))"' "$TMP/h.json"
jq -r '(.results[0].median) as $l | .results[1:][] | "lsns / \(.command): \($l / .median | . * 10 | round / 10)x"' "$TMP/h.json"

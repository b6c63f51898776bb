#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# bench/container-start.sh and bench/scale.sh at their smallest: each
# prints every field it promises, and leaves no engine, container or
# namespace population behind. Timings are never checked.
. "$(dirname "$0")/lib.sh"
needs test bench docker
docker_need_src=$(dirname "$0")/docker.sh
. "$docker_need_src"
docker_need
root=$(cd "$(dirname "$0")/.." && pwd)

# left PREFIX: processes whose command line names a temporary directory of
# that script (its dockerd, containerd, shims); another run of the same
# script beside this test has its own, so the checks compare with before
left() {
	echo "$1" >"$TMP/pat"
	grep -lFf "$TMP/pat" /proc/[0-9]*/cmdline 2>/dev/null | wc -l
}

section "container-start.sh"
before=$(left /tmp/nstrace-cstart.)
"$root/bench/container-start.sh" 1 >"$TMP/cs.out" 2>"$TMP/cs.err"
check "container-start.sh 1 exits 0" [ $? -eq 0 ]
for m in untraced system container; do
	check "a $m row: start median, ratio, rm median" \
		grep -Eq "^$m +[0-9.]+ +[0-9.]+x +[0-9.]+ " "$TMP/cs.out"
done
check "the traced rows have an event count and a lost counter" \
	[ "$(grep -Ec '^(system|container) .* [0-9]+ +[0-9]+$' "$TMP/cs.out")" -eq 2 ]
check "the --container tracer saw the container's own events" \
	awk '$1 == "container" && $(NF - 1) > 0 { f = 1 } END { exit !f }' "$TMP/cs.out"
check "the loss per run lines" [ "$(grep -c 'runs that lost events' "$TMP/cs.out")" -eq 2 ]
check "nothing of its engine left" [ "$(left /tmp/nstrace-cstart.)" -le "$before" ]
[ -s "$TMP/cs.err" ] && sed 's/^/#   /' "$TMP/cs.err"

"$root/bench/container-start.sh" x >/dev/null 2>"$TMP/bad.err"
check "a bad run count: exit 2" [ $? -eq 2 ]
check "... and says what was wrong" grep -q "invalid run count 'x'" "$TMP/bad.err"

section "scale.sh"
before=$(left /tmp/nstrace-scale.)
CONTAINERS=6 DOCKER_CTRS=1 CHURN_RATE=5 CHURN_SECS=1 LS_RUNS=2 SCRAPES=2 \
	"$root/bench/scale.sh" >"$TMP/sc.out" 2>"$TMP/sc.err"
check "scale.sh at its smallest exits 0" [ $? -eq 0 ]
check "the population started" grep -q '^# population: 6 of 6 containers running (2 pods' "$TMP/sc.out"
check "ls against lsns: a ratio" grep -Eq '^lsns / .*nstrace ls: [0-9.]+x$' "$TMP/sc.out"
# the population's namespaces (5 types, 6 containers, 2 pods sharing
# net: 28) are on the machine: both list every one of them
check "ls and lsns both list the population's 28 namespaces" \
	grep -q '^population namespaces: 28, listed by lsns 28, by nstrace ls 28$' "$TMP/sc.out"
check "a scrape: time, size, samples" \
	grep -Eq '^scrape: [0-9.]+ ms median, [0-9]+ bytes, [0-9]+ samples' "$TMP/sc.out"
check "ls --containers names the engine's container" \
	grep -q '^containers named scale-N in its output: 1 of 1$' "$TMP/sc.out"
check "the churn: pods started" grep -Eq '^5 pods in [0-9.]+ s' "$TMP/sc.out"
check "the tracer's summary with its lost counter" grep -Eq '^trace live: events:.*; lost [0-9]+$' "$TMP/sc.out"
check "serve's loss, CPU and RSS" [ "$(grep -Ec '^(serve|trace live): CPU [0-9.]+ % of one CPU, peak RSS' "$TMP/sc.out")" -eq 2 ]
check "nothing of its engine left" [ "$(left /tmp/nstrace-scale.)" -le "$before" ]
[ -s "$TMP/sc.err" ] && sed 's/^/#   /' "$TMP/sc.err"

CONTAINERS=-1 "$root/bench/scale.sh" >/dev/null 2>"$TMP/bad.err"
check "a bad CONTAINERS: exit 2" [ $? -eq 2 ]
check "... and says what was wrong" grep -q "invalid CONTAINERS '-1'" "$TMP/bad.err"

done_testing

#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# What each stage of `make check` costs in wall-clock seconds, run one after
# the other as make check does, from a clean .output/ (the build is timed
# too). Add the per-test times from the TAP logs (prove --timer) it keeps.
# usage: sudo bench/check-cost.sh [LOGDIR]
set -u
cd "$(dirname "$0")/.."
LOG=${1:-$(mktemp -d /tmp/nstrace-check-cost.XXXXXX)}
mkdir -p "$LOG"
export CI=true

# stage NAME MAKE-ARGS...: wall seconds and exit status of one make run
stage() {
	name=$1
	shift
	t0=$(date +%s.%N)
	make "$@" >"$LOG/$name.log" 2>&1
	st=$?
	printf '| %s | `make %s` | %.0f | %s |\n' "$name" "$*" \
		"$(echo "$(date +%s.%N) - $t0" | bc)" "$([ $st -eq 0 ] && echo ok || echo "FAIL ($st)")"
}

echo "# $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg) at start; logs in $LOG"
echo "| stage | command | seconds | result |"
echo "|---|---|---:|---|"
make clean >/dev/null
stage build all tests .output/bench/setns_storm fuzz
stage asan-build asan
stage clang-tidy clang-tidy
stage cppcheck cppcheck
stage tests check-plain
stage asan-tests check-asan
stage format-check format-check
echo
echo "per test (ms), plain then ASan:"
for f in tests asan-tests; do
	awk '/^\[..:..:..\] / { name = $2 }
	     /^ok +[0-9]+ ms/ && name { print "  " name, $2 " ms"; name = "" }
	     /^Dubious/ && name { print "  " name, "failed"; name = "" }' "$LOG/$f.log"
done

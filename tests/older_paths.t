#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The BPF paths kept for kernels before 5.16 (user/bpf_features.c), taken
# on this kernel with NSTRACE_BPF_LACK: -v names each, a name that is no
# feature is refused, and the tracer gives the same events: trace_test
# passes, and parity_test writes the same transcripts as on the paths this
# kernel picks itself. tests/vm/guest/bpf_paths.t does the same for the
# fentry tier on every kernel of the VM matrix.
. "$(dirname "$0")/lib.sh"
needs test
need_root
OUT=${OUTPUT:-$(dirname "$0")/../.output}
OLD=task_storage,task_btf,atomic_or,ancestor_cgroup,rdonly_cast

NSTRACE_BPF_LACK=nosuch "$NSTRACE" trace --duration 1s >/dev/null 2>"$TMP/bad.err"
st=$?
if [ $st -ne 0 ] && grep -q "unknown feature 'nosuch'" "$TMP/bad.err"; then
	ok "NSTRACE_BPF_LACK=nosuch: refused, naming it (exit $st)"
else
	not_ok "NSTRACE_BPF_LACK=nosuch: refused, naming it" "exit $st: $(cat "$TMP/bad.err")"
fi

# the -v lines of a trace that sees nothing; --ns-of (a process in a uts
# namespace of its own) follows, so the cgroup ancestor line is there too
unshare -u sleep 60 &
holder=$!
for _ in $(seq 1 100); do
	[ "$(readlink /proc/$holder/ns/uts)" != "$(readlink /proc/self/ns/uts)" ] && break
	sleep 0.05
done
NSTRACE_BPF_LACK=$OLD "$NSTRACE" trace -v --duration 1s --ns-of $holder --comm nstrace-none \
	>/dev/null 2>"$TMP/v"
kill $holder
for line in 'calls in flight: a hash by thread id' 'current task: probe reads' \
	'hot path reads: probe reads' 'cgroup ancestors: read from the cgroup'; do
	check "-v: $line" grep -q "^nstrace: $line" "$TMP/v"
done

NSTRACE_BPF_LACK=$OLD "$OUT/tests/trace_test" >"$TMP/trace.tap" 2>&1
st=$?
if [ $st -eq 0 ] && ! grep -q '^not ok' "$TMP/trace.tap"; then
	ok "trace_test passes on the older paths ($(grep -c '^ok' "$TMP/trace.tap") tests)"
else
	not_ok "trace_test passes on the older paths" "exit $st" \
		"$(grep -v '^ok\|^libbpf' "$TMP/trace.tap" | head -n 30 | sed 's/^/# /')"
fi

mkdir -p "$TMP/new" "$TMP/old"
NST_TRANSCRIPT_DIR=$TMP/new "$OUT/tests/parity_test" >"$TMP/new.tap" 2>&1
new=$?
NSTRACE_BPF_LACK=$OLD NST_TRANSCRIPT_DIR=$TMP/old "$OUT/tests/parity_test" >"$TMP/old.tap" 2>&1
old=$?
check "parity_test passes on this kernel's own paths" [ $new -eq 0 ]
check "parity_test passes on the older paths" [ $old -eq 0 ]
for scenario in pod sequence; do
	n=$TMP/new/parity-$scenario.txt o=$TMP/old/parity-$scenario.txt
	if [ ! -s "$n" ] || [ ! -s "$o" ]; then
		not_ok "parity: $scenario transcripts written" "$(ls -l "$TMP/new" "$TMP/old")"
	elif diff <(grep -v '^#' "$n") <(grep -v '^#' "$o") >"$TMP/$scenario.diff"; then
		ok "parity: $scenario gives the same transitions on both paths ($(grep -vc '^#' "$n") events)"
	else
		not_ok "parity: $scenario gives the same transitions on both paths" \
			"$(head -n 30 "$TMP/$scenario.diff")"
	fi
done

done_testing

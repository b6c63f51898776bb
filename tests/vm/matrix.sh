#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The kernel matrix: the VM suite (tests/vm/vm.t) on each kernel named, or
# on every kernel of tests/vm/kernels.conf, then one summary table.
# Usage: OUTPUT=/abs/.output NSTRACE=... tests/vm/matrix.sh [NAME...]
# (make check-kernels; make's binaries and static test binaries first.)
#
# Per kernel, in OUTPUT/vm/NAME/: kernel.env, initramfs.cpio, kmod.status,
# console.log, tap.log, results/, vm.tap (vm.t's TAP), summary (its line).
# The kernels run one after the other: each VM is one TCG thread and the
# image build compiles the module, so two at once (MATRIX_JOBS=2) only pay
# on an idle machine. A kernel that fails to download or build its image
# gets its line too, and the others still run. The table is
# OUTPUT/vm/matrix.txt; the exit status is 1 if any kernel failed.
# VM_TIMEOUT overrides every kernel's time limit (a loaded machine).
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${OUTPUT:?set OUTPUT to the absolute .output}"
[ $# -gt 0 ] || set -- $("$here/kconf.sh" names)
jobs=${MATRIX_JOBS:-1}

# one kernel: image, boot, results; its own line in its summary file
one() {
	local name=$1 vm=$OUTPUT/vm/$1 start=$SECONDS rc
	mkdir -p "$vm"
	rm -f "$vm/summary"
	if ! "$here/kernel.sh" "$OUTPUT" "$name" >"$vm/image.log" 2>&1 ||
		! "$here/mkinitramfs.sh" "$OUTPUT" "$name" >>"$vm/image.log" 2>&1; then
		printf '%s\t-\t-\tno image: %s\t%s s\t-\tFAIL\n' "$name" \
			"$(grep -m 1 'nstrace-vm:.*\(failed\|not\|no \)' "$vm/image.log" || tail -n 1 "$vm/image.log")" \
			"$((SECONDS - start))" >"$vm/summary"
		return 1
	fi
	# vm.t's own limits bound it; run-test's is a last resort
	TEST_TIMEOUT=$((${VM_TIMEOUT:-$("$here/kconf.sh" get "$name" timeout)} + 300)) KERNEL=$name \
		"$here/../../scripts/run-test" "$here/vm.t" >"$vm/vm.tap" 2>&1
	rc=$?
	[ -s "$vm/summary" ] || printf '%s\t-\t-\tvm.t ended early (exit %s)\t%s s\t-\n' \
		"$name" "$rc" "$((SECONDS - start))" >"$vm/summary"
	# the image's time too: the line's time is the whole kernel's
	awk -F '\t' -v s="$((SECONDS - start))" -v rc="$rc" \
		'BEGIN { OFS = FS } { $5 = s " s"; $7 = rc ? "FAIL" : "pass"; print }' \
		"$vm/summary" >"$vm/summary.tmp" && mv "$vm/summary.tmp" "$vm/summary"
	return $rc
}

echo "nstrace-vm: the matrix: $* (${jobs} at a time)"
failed=0
running=0
for name in "$@"; do
	"$here/kconf.sh" get "$name" image >/dev/null || exit 2
	(
		one "$name"
		rc=$?
		echo "nstrace-vm: $name: $(cut -f 4 "$OUTPUT/vm/$name/summary") ($OUTPUT/vm/$name/vm.tap)"
		exit $rc
	) &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n || failed=1
		running=$((running - 1))
	fi
done
while [ "$running" -gt 0 ]; do
	wait -n || failed=1
	running=$((running - 1))
done

{
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' kernel version tier "guest tests" time kmod result
	for name in "$@"; do
		cat "$OUTPUT/vm/$name/summary" 2>/dev/null ||
			printf '%s\t-\t-\tnot run\t-\t-\tFAIL\n' "$name"
	done
} | column -t -s "$(printf '\t')" >"$OUTPUT/vm/matrix.txt"
cat "$OUTPUT/vm/matrix.txt"
grep -q 'FAIL' "$OUTPUT/vm/matrix.txt" && failed=1
exit $failed

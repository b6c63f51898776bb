#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The suite on another kernel: boot Debian's current kernel in qemu (TCG)
# with the initramfs `make vm-image` built, read the guest's framed TAP
# back from the serial console, and report one TAP line per guest test.
# Each guest test's own TAP is shown indented under it. See docs/vm.md.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
needs vm
OUTPUT=${OUTPUT:-$here/../../.output}
VM=$OUTPUT/vm
RES=$VM/results
# the guest needs about 4 minutes under TCG on 2 shared CPUs
VM_TIMEOUT=${VM_TIMEOUT:-600}

skip_or_fail() {
	if [ "${CI:-}" = true ]; then
		not_ok "$1 (CI=true: the VM tests may not skip)"
		done_testing
		exit 1
	fi
	echo "1..0 # SKIP $1"
	exit 0
}

if ! command -v qemu-system-x86_64 >/dev/null; then
	skip_or_fail "qemu-system-x86_64 is not installed (scripts/deps.sh vm)"
fi
# can it start at all? (an empty machine that quits through its monitor)
if ! echo quit | timeout 30 qemu-system-x86_64 -accel tcg -machine none -display none \
	-nodefaults -monitor stdio >/dev/null 2>"$TMP/qemu.err"; then
	skip_or_fail "qemu cannot run here: $(head -n 1 "$TMP/qemu.err")"
fi

if [ ! -r "$VM/initramfs.cpio" ] || [ ! -r "$VM/kernel/kernel.env" ]; then
	not_ok "VM image present" "run make vm-image first"
	done_testing
	exit 1
fi
. "$VM/kernel/kernel.env"

# the boot make check started in the background, or one now
VM_TIMEOUT=$VM_TIMEOUT "$here/run.sh" wait "$OUTPUT"
boot_rc=$?
mkdir -p "$RES/files"

# Split the results (the console log when the guest had no virtio console):
# NAME.tap, NAME.rc and NAME.seconds per test, files/NAME, plan.
results=$VM/tap.log
[ -s "$results" ] || results=$VM/console.log
awk -v res="$RES" '
	{ sub(/\r$/, "") }
	match($0, /nstrace-vm: [a-z]+/) {
		split(substr($0, RSTART + 12), w, " ")
		name = w[2]
		sub(/.*\//, "", name)
		if (w[1] == "plan") {
			printf "" > (res "/plan")
			for (i = 2; i in w; i++) {
				n = w[i]
				sub(/.*\//, "", n)
				print n > (res "/plan")
			}
		} else if (w[1] == "begin") {
			tap = res "/" name ".tap"
			printf "" > tap
		} else if (w[1] == "end") {
			sub(/^rc=/, "", w[3])
			print w[3] > (res "/" name ".rc")
			sub(/^seconds=/, "", w[4])
			print w[4] > (res "/" name ".seconds")
			tap = ""
		} else if (w[1] == "file") {
			file = res "/files/" name
			printf "" > file
		} else if (w[1] == "eof") {
			file = ""
		} else if (w[1] == "done") {
			print "done" > (res "/done")
		}
		next
	}
	tap != "" { print > tap }
	file != "" { print > file }
' "$results"

echo "# kernel $KVER; console log: $VM/console.log; results: $results"
if [ -s "$RES/plan" ]; then
	ok "VM booted kernel $KVER and ran init ($(wc -l <"$RES/plan") tests planned)"
elif [ -f "$RES/plan" ]; then
	not_ok "VM booted kernel $KVER and ran init" "the guest found no test to run"
else
	not_ok "VM booted kernel $KVER and ran init" "qemu exit $boot_rc; last lines:" \
		"$(tail -n 15 "$VM/console.log" | tr -d '\r')"
fi

# guest_result NAME: ok when it exited 0, printed a plan, and no "not ok"
guest_result() {
	local tap=$RES/$1.tap rc
	rc=$(cat "$RES/$1.rc" 2>/dev/null)
	[ -f "$tap" ] && sed 's/^/    /' "$tap"
	if [ -z "$rc" ]; then
		not_ok "guest: $1" "did not finish (timeout ${VM_TIMEOUT}s or kernel panic)"
	elif [ "$rc" -ne 0 ] || grep -q '^not ok' "$tap" || ! grep -qE '^1\.\.[0-9]+' "$tap"; then
		not_ok "guest: $1" "exit $rc; see the lines above"
	else
		ok "guest: $1 ($(cat "$RES/$1.seconds") s)"
	fi
}

while read -r name; do
	guest_result "$name"
done < <(cat "$RES/plan" 2>/dev/null)

if [ -f "$RES/done" ]; then
	ok "VM powered off after the suite (within ${VM_TIMEOUT}s)"
else
	not_ok "VM powered off after the suite (within ${VM_TIMEOUT}s)" "qemu exit $boot_rc"
fi

# the guest kernel log: a warning or oops fails the run even if every test passed
if [ -s "$RES/files/dmesg" ] &&
	! grep -E 'BUG:|Oops|WARNING:|general protection|Call Trace' "$RES/files/dmesg" \
		>"$TMP/oops"; then
	ok "guest kernel log has no oops, BUG or WARNING"
else
	not_ok "guest kernel log has no oops, BUG or WARNING" "$(head -n 20 "$TMP/oops")"
fi

for hook in "$here"/host/*.sh; do
	[ -f "$hook" ] && . "$hook"
done

done_testing

#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The suite on another kernel: boot one kernel of tests/vm/kernels.conf
# (KERNEL, default 6.1: Debian bookworm's current one) in qemu (TCG) with
# the initramfs `make vm-image` built, read the guest's framed TAP back
# from the virtio console, and report one TAP line per guest test. Each
# guest test's own TAP is shown indented under it. See docs/vm.md.
# VM/summary gets the kernel's line of the matrix table (tests/vm/matrix.sh).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
needs vm
OUTPUT=${OUTPUT:-$here/../../.output}
KERNEL=${KERNEL:-6.1}
VM=$OUTPUT/vm/$KERNEL
RES=$VM/results
# the guest needs about 4 minutes under TCG on 2 idle CPUs; the limit is the kernel's
VM_TIMEOUT=${VM_TIMEOUT:-$("$here/kconf.sh" get "$KERNEL" timeout)} || exit 1

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

if [ ! -r "$VM/initramfs.cpio" ] || [ ! -r "$VM/kernel.env" ]; then
	not_ok "VM image of kernel $KERNEL present" "run make vm-image KERNEL=$KERNEL first"
	done_testing
	exit 1
fi
. "$VM/kernel.env"

# the boot make check started in the background, or one now
read -r t0 _ </proc/uptime
VM_TIMEOUT=$VM_TIMEOUT "$here/run.sh" wait "$OUTPUT" "$KERNEL"
boot_rc=$?
read -r t1 _ </proc/uptime
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
		} else if (w[1] == "tier") {
			print w[2] > (res "/tier")
		} else if (w[1] == "done") {
			print "done" > (res "/done")
		}
		next
	}
	tap != "" { print > tap }
	file != "" { print > file }
' "$results"

echo "# kernel $KERNEL ($KVER); console log: $VM/console.log; results: $results"
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
	elif grep -q '^1\.\.0 # SKIP' "$tap"; then
		ok "guest: $1 # SKIP$(sed -n 's/^1\.\.0 # SKIP//p' "$tap")"
		g_skip=$((g_skip + 1))
	else
		ok "guest: $1 ($(cat "$RES/$1.seconds") s)"
		g_pass=$((g_pass + 1))
	fi
}
g_pass=0
g_skip=0

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

# the kernel's line of the matrix table: kernel, tier, guest tests, time
g_plan=$(wc -l <"$RES/plan" 2>/dev/null || echo 0)
printf '%s\t%s\t%s\t%s/%s passed, %s n/a, %s failed (vm.t: %s of %s)\t%s s\t%s\n' \
	"$KERNEL" "$KVER" "$(cat "$RES/tier" 2>/dev/null || echo '-')" "$g_pass" "$g_plan" \
	"$g_skip" "$((g_plan - g_pass - g_skip))" "$((t_n - t_fail))" "$t_n" \
	"$(awk "BEGIN { printf \"%d\", $t1 - $t0 }")" \
	"$(cat "$VM/kmod.status" 2>/dev/null || echo 'kmod: -')" >"$VM/summary"

done_testing

#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Run the guest suite once on one kernel of tests/vm/kernels.conf: boot
# the VM (tests/vm/boot.sh) with the console in OUTPUT/vm/NAME/console.log
# and the framed TAP in OUTPUT/vm/NAME/tap.log.
#
#   tests/vm/run.sh start OUTPUT NAME  boot in the background, return at once
#   tests/vm/run.sh wait OUTPUT NAME   wait for that boot, or boot now if none
#                                      is under way; exits with qemu's status
#   tests/vm/run.sh stop OUTPUT NAME   kill a background boot
#
# make check starts the VM before lint: the guest spends its minutes on
# one host thread (single-threaded TCG) while the host's own tests use the
# other CPU, and tests/vm/vm.t collects the results at the end.
# VM_TIMEOUT bounds a boot (default: the kernel's timeout in kernels.conf);
# VM_TESTS picks guest tests by glob.
set -u
cmd=$1
out=$2
name=$3
here=$(cd "$(dirname "$0")" && pwd)
vm=$out/vm/$name
async=$vm/async
VM_TIMEOUT=${VM_TIMEOUT:-$("$here/kconf.sh" get "$name" timeout || echo 900)}

# --foreground keeps timeout, and so qemu, in the caller's process group,
# where stop finds them
boot() {
	rm -rf "$vm/results" "$vm/tap.log"
	timeout --foreground -k 5 "$VM_TIMEOUT" "$here/boot.sh" "$vm" "nstrace.ci=${CI:-false}" \
		${VM_TESTS:+"nstrace.tests=$VM_TESTS"} </dev/null >"$vm/console.log" 2>&1
}

# a background boot that is still running or has left its status
pending() {
	[ -f "$async/rc" ] && return 0
	[ -f "$async/pid" ] && kill -0 "$(cat "$async/pid")" 2>/dev/null
}

case "$cmd" in
start)
	rm -rf "$async"
	mkdir -p "$async"
	# a session of its own, so that stop can take qemu down with it
	setsid sh -c '"$0" boot "$1" "$2"; echo $? >"$3/rc.tmp" && mv "$3/rc.tmp" "$3/rc"' \
		"$0" "$out" "$name" "$async" </dev/null >/dev/null 2>&1 &
	echo $! >"$async/pid"
	;;
boot)
	boot
	;;
wait)
	if ! pending; then
		rm -rf "$async"
		boot
		exit $?
	fi
	# the boot's own timeout ends it; the margin covers its start-up
	for _ in $(seq 1 $((VM_TIMEOUT + 60))); do
		[ -f "$async/rc" ] && break
		sleep 1
	done
	rc=$(cat "$async/rc" 2>/dev/null || echo 124)
	rm -rf "$async"
	exit "$rc"
	;;
stop)
	# dash's kill takes no "--": the group is named by a negative pid alone
	[ -f "$async/pid" ] && kill -TERM "-$(cat "$async/pid")" 2>/dev/null
	rm -rf "$async"
	;;
*)
	echo "usage: $0 start|wait|stop OUTPUT NAME" >&2
	exit 2
	;;
esac

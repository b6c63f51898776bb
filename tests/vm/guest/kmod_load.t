#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# In the VM (busybox sh): loading the module fails cleanly where it must.
# A module that oopses a kernel is the worst bug nstrace can have, so on
# every kernel of the matrix: the module built for another kernel of the
# matrix (kernels.conf's `foreign`), and one built for this kernel with a
# deliberately wrong struct mnt_namespace layout (NST_TEST_MNT_NS_PAD), are
# both refused by insmod, leave no module loaded and nothing in the kernel
# log that looks like a crash; the module built for this kernel then loads
# and unloads. mkinitramfs.sh puts the two test modules in $KMOD/test/.
. "$(dirname "$0")/../../lib.sh"
need_root
KMOD=${NSTRACE_KMOD_DIR:-/nst/kmod}
OOPS='BUG:|Oops|WARNING:|general protection|Call Trace|unable to handle'

loaded() { grep -q '^nstrace ' /proc/modules; }

# refused NAME KO LOGPATTERN: insmod KO fails, nothing stays loaded, the
# kernel log since says LOGPATTERN and nothing like a crash
refused() {
	before=$(dmesg | wc -l)
	if insmod "$2" 2>"$TMP/insmod.err"; then
		not_ok "$1: insmod refuses it" "it loaded: $(dmesg | tail -n +"$((before + 1))" | head -n 5)"
		rmmod nstrace 2>/dev/null
		return
	fi
	ok "$1: insmod refuses it ($(head -n 1 "$TMP/insmod.err"))"
	check "$1: no module is left loaded" sh -c '! grep -q "^nstrace " /proc/modules'
	dmesg | tail -n +"$((before + 1))" >"$TMP/log"
	if grep -qE "$OOPS" "$TMP/log"; then
		not_ok "$1: the kernel log has no oops" "$(grep -E -A5 "$OOPS" "$TMP/log" | head -n 20)"
	else
		ok "$1: the kernel log has no oops"
	fi
	if grep -qE "$3" "$TMP/log"; then
		ok "$1: the kernel log says why ($(grep -E -m 1 "$3" "$TMP/log" | cut -c1-160))"
	else
		not_ok "$1: the kernel log says why (/$3/)" "$(cat "$TMP/log")"
	fi
}

if loaded; then
	rmmod nstrace || { not_ok "nstrace not loaded before the test"; done_testing; exit 1; }
fi

if [ -r "$KMOD/test/nstrace-foreign.ko" ]; then
	built=$(modinfo -F vermagic "$KMOD/test/nstrace-foreign.ko" 2>/dev/null | cut -d' ' -f1)
	refused "module built for ${built:-another kernel} on $(uname -r)" \
		"$KMOD/test/nstrace-foreign.ko" 'version magic|disagrees about version|no symbol version|struct module size|Invalid module format|Unknown symbol|exec format'
else
	ok "module built for another kernel # SKIP $(cat "$KMOD/test/foreign.why" 2>/dev/null ||
		echo 'none in the image')"
fi

if [ -r "$KMOD/test/nstrace-badlayout.ko" ]; then
	refused "module with a wrong struct mnt_namespace layout" \
		"$KMOD/test/nstrace-badlayout.ko" 'nstrace: struct mnt_namespace .* refusing to load'
else
	not_ok "module with a wrong layout in the image" "$KMOD/test/nstrace-badlayout.ko missing"
fi

if insmod "$KMOD/nstrace.ko" 2>"$TMP/insmod.err" && loaded; then
	ok "the module built for $(uname -r) loads"
	check "and unloads" rmmod nstrace
else
	not_ok "the module built for $(uname -r) loads" "$(cat "$TMP/insmod.err")" "$(dmesg | tail -n 5)"
fi

done_testing

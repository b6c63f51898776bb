#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# valgrind memcheck over the CLI: a short trace while a workload runs, the
# report of a small recording in every format, run and ls. Any memory error or
# leak fails; tests/valgrind.supp lists the known false positives and why.
. "$(dirname "$0")/lib.sh"
needs test
need_root
SUPP=$(cd "$(dirname "$0")" && pwd)/valgrind.supp
vg_n=0

# benign: valgrind's log without its notes on calls it does not model: bpf()
# commands, and the nsfs ioctls (0xb7xx: NS_GET_USERNS, NS_GET_PARENT) that
# ls issues for namespaces that only a bind mount or an fd holds; they take
# no memory argument
benign() {
	grep -v -e 'unhandled eBPF command' -e 'noted but unhandled ioctl 0xb70[1-4] ' \
		-e 'This could cause spurious value errors to appear' \
		-e 'See README_MISSING_SYSCALL_OR_IOCTL for guidance'
}

# vg NAME OUT CMD...: CMD under memcheck, stdout to OUT; ok when it exits 0
# with no error and no leak
vg() {
	name=$1 out=$2
	shift 2
	vg_n=$((vg_n + 1))
	log="$TMP/vg-$vg_n.log"
	valgrind -q --leak-check=full --error-exitcode=99 --suppressions="$SUPP" \
		--log-file="$log" "$@" >"$out" 2>"$TMP/vg-$vg_n.err"
	st=$?
	if [ $st -eq 0 ] && ! benign <"$log" | grep -q '^==[0-9]*== .'; then
		ok "valgrind: $name"
	else
		not_ok "valgrind: $name (exit $st)"
		# valgrind warns about bpf() commands it does not model: not errors
		{ benign <"$log" | head -40
		  tail -3 "$TMP/vg-$vg_n.err"; } | sed 's/^/# /'
	fi
}

# linkage BIN: how libbpf is linked into it
linkage() {
	if ldd "$1" | grep -q 'libbpf\.so'; then echo shared; else echo static; fi
}

# The suppressions name libbpf's frames, which differ between a static and
# a shared libbpf: trace under both builds (the Makefile links the second).
bins=$NSTRACE
if [ -x "${OUTPUT:-}/nstrace-dynamic" ]; then
	bins="$bins $OUTPUT/nstrace-dynamic"
elif [ "${CI:-}" = true ]; then
	not_ok "the shared-libbpf build is there (CI=true: make check-plain builds it)" \
		"missing: ${OUTPUT:-\$OUTPUT}/nstrace-dynamic"
fi
( while :; do unshare -u true; done ) &
gen=$!
seen=
for bin in $bins; do
	l=$(linkage "$bin")
	seen="$seen $l"
	vg "trace -d 1s while unshare runs ($l libbpf)" "$TMP/trace.txt" "$bin" -d 1s --comm unshare
	check "the trace saw the workload's unshare calls ($l libbpf)" grep -q ' unshare ' "$TMP/trace.txt"
done
kill $gen
wait $gen 2>/dev/null
if [ -x "${OUTPUT:-}/nstrace-dynamic" ]; then
	case "$seen" in
	*static*shared* | *shared*static*) ok "both linkages of libbpf ran under valgrind" ;;
	*) not_ok "both linkages of libbpf ran under valgrind" "linkages seen:$seen" ;;
	esac
fi

# the recording is made without valgrind: one BPF load under it (the
# vmlinux BTF parse, ~30 s) is enough
"$NSTRACE" record -o "$TMP/v.nst" -- unshare -u -n true 2>/dev/null
for fmt in text json csv chrome svg; do
	vg "report --format $fmt" "$TMP/report.$fmt" "$NSTRACE" report "$TMP/v.nst" --format $fmt
done
check "the report has the recorded unshare" \
	jq -e -s 'any(.[]; .syscall == "unshare")' "$TMP/report.json"

vg "run in new namespaces" "$TMP/run.txt" \
	"$NSTRACE" run --ns net,pid,mnt,uts --mount-proc --hostname vgtest -- hostname
check "run set the hostname" grep -qx vgtest "$TMP/run.txt"

vg "ls" "$TMP/ls.json" "$NSTRACE" ls -J
check "ls listed this shell's net namespace" \
	jq -e --arg ino "$(stat -L -c %i /proc/$$/ns/net)" \
	-s '.[0] | any(.namespaces[]; (.ns | tostring) == $ino)' "$TMP/ls.json"

done_testing

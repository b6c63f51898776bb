#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Assemble the test VM's initramfs (a newc cpio) from what make built.
# Usage: tests/vm/mkinitramfs.sh OUTPUT NAME   (absolute .output; NAME a
#        kernel of tests/vm/kernels.conf, fetched by tests/vm/kernel.sh)
# The image and what goes into it are OUTPUT/vm/NAME/ (initramfs.cpio, the
# kmod build, kmod.status).
#
# The guest sees a copy of the repository's layout under /nst, so test
# scripts find lib.sh and the binaries where they do on the host:
#   /nst/.output/nstrace          dynamically linked, with its libraries (and the
#                                 ones it dlopens)
#   /nst/.output/tests/*_test     the kselftest binaries, linked -static
#   /nst/.output/bench/*          the workload generators
#   /nst/tests/lib.sh, /nst/tests/vm/guest/*.t   guest shell tests
#   /nst/tests/*.t                the host shell tests listed in VM_SHELL_TESTS
#   /nst/kmod/*.ko                kmod/, built against the VM kernel's headers
#   /lib/modules/*.ko             VM_MODULES of the VM's kernel and their dependencies
#                                 (decompressed; those built in are left out)
#   /nst/tests/vm/kernels.conf    the expectations; vm.env exports this kernel's
# Dynamically linked programs get the exact libraries ldd resolves on the
# host, and the dynamic loader, at the same paths: Debian ships no static
# libsmartcols, and the guest runs the same userland the host built against.
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
name=$2
vm=$out/vm/$name
stage=$vm/initramfs
. "$vm/kernel.env"

rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/proc" "$stage/sys" "$stage/dev" "$stage/tmp" \
	"$stage/nst/.output/tests" "$stage/nst/.output/bench" "$stage/nst/tests/vm/guest" \
	"$stage/nst/kmod"
ln -s bin "$stage/sbin"

# busybox-static: the shell and every tool the init and guest tests use
cp /bin/busybox "$stage/bin/busybox"
for applet in $("$stage/bin/busybox" --list); do
	[ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done

# copy_libs ELF: the shared libraries and loader ldd resolves for ELF
copy_libs() {
	ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
		while read -r lib; do
			[ -e "$stage$lib" ] && continue
			mkdir -p "$stage${lib%/*}"
			cp -L "$lib" "$stage$lib"
		done
}

# install_bin FILE DEST: copy a program and whatever it needs to run
install_bin() {
	cp "$1" "$stage$2"
	copy_libs "$1"
}

install_bin "$out/nstrace" /nst/.output/nstrace
# and what it loads with dlopen (serve: libmicrohttpd, named in user/mhd.c)
for soname in $(sed -n 's/^#define NST_MHD_SONAME "\(.*\)"$/\1/p' "$src/user/mhd.c"); do
	lib=$(ldconfig -p | awk -v n="$soname" '$1 == n && /x86-64/ { print $NF; exit }')
	[ -n "$lib" ] || { echo "nstrace-vm: $soname not installed" >&2; exit 1; }
	mkdir -p "$stage${lib%/*}"
	cp -L "$lib" "$stage$lib"
	copy_libs "$lib"
done
for f in "$out"/vm/tests/*_test; do
	install_bin "$f" "/nst/.output/tests/${f##*/}"
done
for f in "$out"/bench/*; do
	[ -x "$f" ] && install_bin "$f" "/nst/.output/bench/${f##*/}"
done
for tool in ${VM_HOST_TOOLS:-}; do
	path=$(command -v "$tool")
	install_bin "$path" "/bin/$tool"
done

cp "$src/tests/lib.sh" "$stage/nst/tests/"
cp "$src/tests/vm/kernels.conf" "$src/tests/vm/kconf.sh" "$stage/nst/tests/vm/"
cp "$src"/tests/vm/guest/* "$stage/nst/tests/vm/guest/" 2>/dev/null || true
tests=$(cd "$stage/nst" && ls .output/tests/*_test)
for t in ${VM_SHELL_TESTS:-}; do
	cp "$src/tests/$t" "$stage/nst/tests/"
	tests="$tests tests/$t"
done
tests="$tests $(cd "$stage/nst" && ls tests/vm/guest/*.t 2>/dev/null || true)"

# Modules of the VM's kernel, with their dependencies first: the list is
# insmod'ed in order by /init. virtio_console gives the TAP channel (hvc0).
# A module the kernel has built in (modules.builtin: virtio_console on
# 6.12) needs nothing; a compressed one (.ko.xz, .ko.zst, .ko.gz) is
# decompressed here, as busybox insmod loads only plain ELF.
builtin() {
	grep -q "/$1\.ko\$" "$MODDIR/modules.builtin" 2>/dev/null
}

module_file() {
	find "$MODDIR/kernel" -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" \
		-o -name "$1.ko.gz" | head -n 1
}

# unpack_module NAME: the plain .ko in $mods, printed
unpack_module() {
	local f dst=$mods/$1.ko
	[ -e "$dst" ] && { echo "$dst"; return; }
	f=$(module_file "$1")
	[ -n "$f" ] || { echo "nstrace-vm: module $1 is neither in $MODDIR nor built in" >&2; return 1; }
	case "$f" in
	*.xz) xz -dc "$f" >"$dst" ;;
	*.zst) zstd -qdc "$f" >"$dst" ;;
	*.gz) gzip -dc "$f" >"$dst" ;;
	*) cp "$f" "$dst" ;;
	esac
	echo "$dst"
}

# modules_in_order NAME...: the load order, dependencies first (repeats kept)
modules_in_order() {
	local m f deps
	for m in "$@"; do
		builtin "$m" && continue
		f=$(unpack_module "$m") || return 1
		deps=$(modinfo -F depends "$f" | tr , ' ') || return 1
		# shellcheck disable=SC2086
		modules_in_order $deps || return 1
		echo "$m"
	done
}
mods=$stage/lib/modules
mkdir -p "$mods"
# into a file first: a failure inside $(...) would not stop this script
# shellcheck disable=SC2086
modules_in_order ${VM_MODULES:-virtio_console virtio_pci} >"$vm/modules.order"
awk '!seen[$0]++' "$vm/modules.order" >"$mods/load-order"

# kmod/: built in a copy, so the source tree keeps no objects for this
# kernel, with the compiler kernel.sh chose (KCC). A kernel it cannot be
# built for is reported, and kmod.t does not apply there; it fails nothing
# else. kmod.status says which.
# KROOT: the compiler's own root (kernel.sh), where the build tree and
# the kernel's headers are bind-mounted at the paths they have here
in_kroot() {
	local rc=0
	mkdir -p "$KROOT$out/vm" "$KROOT/proc"
	mount --bind "$out/vm" "$KROOT$out/vm" || return 1
	mount -t proc proc "$KROOT/proc" || { umount "$KROOT$out/vm"; return 1; }
	chroot "$KROOT" "$@" || rc=$?
	umount "$KROOT/proc" "$KROOT$out/vm"
	return $rc
}
kmake() {
	if [ -n "$KROOT" ]; then in_kroot make "$@"; else make "$@"; fi
}
kcc() {
	if [ -n "$KROOT" ]; then in_kroot "$KCC" "$@"; else "$KCC" "$@"; fi
}

# kmake_into DIR ARGS...: kmod/ built in DIR against this kernel's KDIR
kmake_into() {
	local dir=$1
	shift
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r "$src/kmod" "$src/include" "$dir/"
	kmake -C "$dir/kmod" KDIR="$KDIR" CC="$KCC" "$@"
}

build_kmod() {
	if [ -n "$KCC_NONE" ]; then
		echo "not buildable here: $KCC_NONE"
	elif ! kmake_into "$vm/kmod-src" >"$vm/kmod-build.log" 2>&1; then
		echo "not buildable here: $(grep -m 1 -E 'error|Error' "$vm/kmod-build.log" | cut -c1-200)"
	else
		cp "$vm/kmod-src/kmod/nstrace.ko" "$stage/nst/kmod/"
		echo "built with ${KCC##*/} $(kcc -dumpfullversion)${KROOT:+ (in a ${KROOT##*/} root)}"
	fi
}

# For tests/vm/guest/kmod_load.t: the module with a wrong struct
# mnt_namespace layout, and the one built for the kernel kernels.conf
# names as this one's `foreign` (fetched if need be; a module that cannot
# be built for it is a skip there, with foreign.why)
build_test_kmods() {
	local foreign fvm
	mkdir -p "$stage/nst/kmod/test"
	kmake_into "$vm/kmod-badlayout" KCFLAGS=-DNST_TEST_MNT_NS_PAD=16 \
		>"$vm/kmod-badlayout.log" 2>&1 &&
		cp "$vm/kmod-badlayout/kmod/nstrace.ko" "$stage/nst/kmod/test/nstrace-badlayout.ko"
	foreign=$("$src/tests/vm/kconf.sh" get "$name" foreign) || return 0
	fvm=$out/vm/$foreign
	if ! "$src/tests/vm/kernel.sh" "$out" "$foreign" >"$vm/kmod-foreign.log" 2>&1; then
		echo "kernel $foreign could not be fetched" >"$stage/nst/kmod/test/foreign.why"
		return 0
	fi
	(
		. "$fvm/kernel.env"
		if [ -n "$KCC_NONE" ]; then
			echo "no module for $foreign: $KCC_NONE" >"$stage/nst/kmod/test/foreign.why"
		elif kmake_into "$vm/kmod-foreign" >>"$vm/kmod-foreign.log" 2>&1; then
			cp "$vm/kmod-foreign/kmod/nstrace.ko" "$stage/nst/kmod/test/nstrace-foreign.ko"
		else
			echo "the module does not build for $foreign" >"$stage/nst/kmod/test/foreign.why"
		fi
	)
}

kmod_status=none
if [ -f "$src/kmod/Makefile" ]; then
	kmod_status=$(build_kmod)
	echo "$kmod_status" >"$vm/kmod.status"
	echo "nstrace-vm: kmod for $KVER: $kmod_status" >&2
	case "$kmod_status" in
	built*) build_test_kmods ;;
	esac
fi

# The tests that do not apply here: kernels.conf's, and kmod.t without a module
{
	"$src/tests/vm/kconf.sh" all "$name" na 2>/dev/null || true
	case "$kmod_status" in
	"not buildable"*)
		echo "kmod.t kmod/ is $kmod_status"
		echo "kmod_load.t kmod/ is $kmod_status"
		;;
	esac
} >"$stage/nst/na"

{
	echo "VM_TESTS=\"$(echo $tests)\""
	echo "VM_TEST_TIMEOUT=${VM_TEST_TIMEOUT:-300}"
	echo "NSTRACE_KVER=$KVER"
	echo "NSTRACE_KERNEL=$name"
	"$src/tests/vm/kconf.sh" env "$name"
} >"$stage/nst/vm.env"
cp "$src/tests/vm/init" "$stage/init"
chmod +x "$stage/init"

(cd "$stage" && find . | cpio -o -H newc --quiet) >"$vm/initramfs.cpio.tmp"
mv "$vm/initramfs.cpio.tmp" "$vm/initramfs.cpio"
echo "nstrace-vm: initramfs $vm/initramfs.cpio ($(du -k "$vm/initramfs.cpio" | cut -f1) KiB," \
	"kernel $KVER)" >&2

#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Assemble the test VM's initramfs (a newc cpio) from what make built.
# Usage: tests/vm/mkinitramfs.sh OUTPUT   (absolute path of .output)
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
# Dynamically linked programs get the exact libraries ldd resolves on the
# host, and the dynamic loader, at the same paths: Debian ships no static
# libsmartcols, and the guest runs the same userland the host built against.
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
vm=$out/vm
stage=$vm/initramfs
. "$vm/kernel/kernel.env"

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
cp "$src"/tests/vm/guest/* "$stage/nst/tests/vm/guest/" 2>/dev/null || true
tests=$(cd "$stage/nst" && ls .output/tests/*_test)
for t in ${VM_SHELL_TESTS:-}; do
	cp "$src/tests/$t" "$stage/nst/tests/"
	tests="$tests tests/$t"
done
tests="$tests $(cd "$stage/nst" && ls tests/vm/guest/*.t 2>/dev/null || true)"

# Modules of the VM's kernel, with their dependencies first: the list is
# insmod'ed in order by /init. virtio_console gives the TAP channel (hvc0).
modules_in_order() {
	local m f
	for m in "$@"; do
		f=$(find "$MODDIR/kernel" -name "$m.ko" | head -n 1)
		[ -n "$f" ] || { echo "nstrace-vm: module $m not in $MODDIR" >&2; exit 1; }
		# shellcheck disable=SC2046
		modules_in_order $(modinfo -F depends "$f" | tr , ' ')
		echo "$m"
	done
}
mkdir -p "$stage/lib/modules"
for m in $(modules_in_order ${VM_MODULES:-virtio_console virtio_pci} | awk '!seen[$0]++'); do
	cp "$(find "$MODDIR/kernel" -name "$m.ko" | head -n 1)" "$stage/lib/modules/"
	echo "$m" >>"$stage/lib/modules/load-order"
done

# kmod/: built in a copy, so the source tree keeps no objects for this kernel
if [ -f "$src/kmod/Makefile" ]; then
	rm -rf "$vm/kmod-src"
	mkdir -p "$vm/kmod-src"
	cp -r "$src/kmod" "$src/include" "$vm/kmod-src/"
	make -C "$vm/kmod-src/kmod" KDIR="$KDIR" >&2
	find "$vm/kmod-src/kmod" -name '*.ko' -exec cp {} "$stage/nst/kmod/" \;
fi

cat >"$stage/nst/vm.env" <<EOF
VM_TESTS="$(echo $tests)"
VM_TEST_TIMEOUT=${VM_TEST_TIMEOUT:-300}
NSTRACE_KVER=$KVER
EOF
cp "$src/tests/vm/init" "$stage/init"
chmod +x "$stage/init"

(cd "$stage" && find . | cpio -o -H newc --quiet) >"$vm/initramfs.cpio.tmp"
mv "$vm/initramfs.cpio.tmp" "$vm/initramfs.cpio"
echo "nstrace-vm: initramfs $vm/initramfs.cpio ($(du -k "$vm/initramfs.cpio" | cut -f1) KiB," \
	"kernel $KVER)" >&2

#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Fetch Debian's current bookworm kernel and its headers, and unpack them.
# Usage: tests/vm/kernel.sh DIR
#
# The version is whatever linux-image-amd64 depends on today, never a fixed
# one. Packages are unpacked with dpkg-deb -x into DIR/<version>/root (no
# install, no maintainer scripts); DIR/kernel.env then names the version,
# the vmlinuz, the module tree and a KDIR that kbuild can use. A version
# already unpacked is not downloaded again.
set -eu

dir=$1
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# "linux-image-amd64 Depends: linux-image-6.1.0-56-amd64" -> 6.1.0-56-amd64
depends_on() {
	apt-cache depends "$1" 2>/dev/null |
		awk -v p="$2" '$1 == "Depends:" && index($2, p) == 1 { print $2; exit }'
}

image=$(depends_on linux-image-amd64 linux-image-)
if [ -z "$image" ]; then
	echo "nstrace-vm: failed to resolve the kernel: apt-cache knows no linux-image-amd64" \
		"(run apt-get update)" >&2
	exit 1
fi
kver=${image#linux-image-}
root=$dir/$kver/root
kdir=$root/usr/src/linux-headers-$kver

if [ ! -e "$dir/$kver/.unpacked" ]; then
	common=$(depends_on "linux-headers-$kver" "linux-headers-")
	kbuild=$(depends_on "linux-headers-$kver" "linux-kbuild-")
	debs=$dir/$kver/debs
	rm -rf "$dir/$kver"
	mkdir -p "$debs" "$root"
	echo "nstrace-vm: downloading $image linux-headers-$kver $common $kbuild" >&2
	# a stale package list names a version the mirror dropped: refresh once
	fetch() {
		(cd "$debs" && apt-get download -q -o APT::Sandbox::User=root \
			"$image" "linux-headers-$kver" $common $kbuild >&2)
	}
	if ! fetch; then
		[ "$(id -u)" -eq 0 ] && apt-get update -qq >&2
		fetch
	fi
	for deb in "$debs"/*.deb; do
		dpkg-deb -x "$deb" "$root"
	done
	# the headers' Makefile includes the -common tree by absolute path
	sed -i "s|^include /usr/src/|include $root/usr/src/|" "$kdir/Makefile"
	touch "$dir/$kver/.unpacked"
fi

cat >"$dir/kernel.env.tmp" <<EOF
KVER=$kver
VMLINUZ=$root/boot/vmlinuz-$kver
MODDIR=$root/lib/modules/$kver
KDIR=$kdir
EOF
mv "$dir/kernel.env.tmp" "$dir/kernel.env"

#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Fetch one kernel of the matrix (tests/vm/kernels.conf) and its headers
# from its Debian suite, and unpack them.
# Usage: tests/vm/kernel.sh OUTPUT NAME      (OUTPUT: absolute .output)
#
# The version is whatever the kernel's metapackage (image in kernels.conf)
# depends on today, never a fixed one. Packages come through a private APT
# configuration per set of suites, OUTPUT/vm/apt/SUITES/ (its own
# sources.list, state, cache and lists; APT_CONFIG points at it), so the
# machine's own sources are never touched: they only tell which mirror to
# use. Packages are unpacked with dpkg-deb -x into
# OUTPUT/vm/kernels/VERSION/root (no install, no maintainer scripts), shared
# by every NAME of that version and kept between runs; OUTPUT/vm/NAME/kernel.env
# then names the version, the vmlinuz, the module tree, a KDIR that kbuild
# can use and the compiler to build modules with (KCC, run in KROOT if set,
# or KCC_NONE with the reason it cannot be built here).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=$1
name=$2
vm=$out/vm
kconf() { "$here/kconf.sh" get "$name" "$1"; }

suites=$(kconf apt)
image_pkg=$(kconf image)
want_cc=$(kconf kmod_cc 2>/dev/null || echo gcc)
aptdir=$vm/apt/$(echo "$suites" | tr ' ' '+')
mkdir -p "$vm/$name" "$vm/kernels"

# The machine's Debian mirror (deb822 .sources or one-line sources.list):
# the first URI ending in /debian, and in /debian-security
mirror_of() {
	{
		sed -n 's/^URIs:[ \t]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | tr ' ' '\n'
		sed -n 's/^deb[ \t]\+\(\[[^]]*\][ \t]\+\)\?\([^ \t]*\).*/\2/p' \
			/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
	} | grep -m 1 "/$1/\?\$" || echo "http://deb.debian.org/$1"
}

# The private APT configuration: everything under $aptdir, nothing of the
# machine's but its keyring (debian-archive-keyring holds the keys of
# bullseye, bookworm and trixie alike)
apt_setup() {
	local main sec keyring=/usr/share/keyrings/debian-archive-keyring.gpg s
	main=$(mirror_of debian)
	sec=$(mirror_of debian-security)
	[ -r "$keyring" ] || { echo "nstrace-vm: $keyring missing (apt-get install" \
		"debian-archive-keyring)" >&2; exit 1; }
	mkdir -p "$aptdir/etc/apt.conf.d" "$aptdir/etc/preferences.d" "$aptdir/state/lists/partial" \
		"$aptdir/cache/archives/partial"
	: >"$aptdir/status"
	: >"$aptdir/sources.list.tmp"
	for s in $suites; do
		case "$s" in
		*-security) echo "deb [signed-by=$keyring] $sec $s main" ;;
		*) echo "deb [signed-by=$keyring] $main $s main" ;;
		esac >>"$aptdir/sources.list.tmp"
	done
	mv "$aptdir/sources.list.tmp" "$aptdir/sources.list"
	cat >"$aptdir/apt.conf" <<EOF
Dir::Etc "$aptdir/etc";
Dir::Etc::sourcelist "$aptdir/sources.list";
Dir::Etc::sourceparts "-";
Dir::State "$aptdir/state";
Dir::State::status "$aptdir/status";
Dir::Cache "$aptdir/cache";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
APT::Sandbox::User "root";
Acquire::Languages "none";
Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled "false";
Acquire::IndexTargets::deb::DEP-11::DefaultEnabled "false";
Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled "false";
EOF
}

export APT_CONFIG=$aptdir/apt.conf
apt_update() {
	echo "nstrace-vm: apt-get update for $suites ($aptdir)" >&2
	apt-get update -qq >&2
}

apt_setup
# the package lists are refreshed once a day, or when a download fails
if [ -z "$(find "$aptdir/state/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null)" ]; then
	apt_update
fi

# "linux-image-amd64 Depends: linux-image-6.1.0-56-amd64" -> 6.1.0-56-amd64
depends_on() {
	apt-cache depends "$1" 2>/dev/null |
		awk -v p="$2" '$1 == "Depends:" && index($2, p) == 1 { print $2; exit }'
}

image=$(depends_on "$image_pkg" linux-image-)
case "$image" in
linux-image-*-unsigned) image=${image%-unsigned} ;;
esac
if [ -z "$image" ]; then
	echo "nstrace-vm: failed to resolve kernel $name: $image_pkg in $suites depends on" \
		"no linux-image-* (see $aptdir)" >&2
	exit 1
fi
kver=${image#linux-image-}
kdir_top=$vm/kernels/$kver
root=$kdir_top/root
kdir=$root/usr/src/linux-headers-$kver

# download PKG...: into DIR, refreshing a stale list once
download() {
	local dir=$1
	shift
	fetch() { (cd "$dir" && apt-get download -q "$@" >&2); }
	fetch "$@" || { apt_update && fetch "$@"; }
}

if [ ! -e "$kdir_top/.unpacked" ]; then
	# the signed image depends on nothing we need; the headers pull in
	# their -common tree and the kbuild tools
	common=$(depends_on "linux-headers-$kver" "linux-headers-")
	kbuild=$(depends_on "linux-headers-$kver" "linux-kbuild-")
	debs=$kdir_top/debs
	rm -rf "$kdir_top"
	mkdir -p "$debs" "$root"
	echo "nstrace-vm: downloading $image linux-headers-$kver $common $kbuild" >&2
	download "$debs" "$image" "linux-headers-$kver" $common $kbuild
	for deb in "$debs"/*.deb; do
		dpkg-deb -x "$deb" "$root"
	done
	touch "$kdir_top/.unpacked"
fi
# the headers' Makefile includes the -common tree by absolute path: point
# it at this tree wherever it was unpacked (or copied from)
sed -i "s|^include .*/usr/src/\(linux-headers-[^/]*/Makefile\)\$|include $root/usr/src/\1|" \
	"$kdir/Makefile"

# The module tree: /lib/modules before the /usr merge, /usr/lib/modules after
moddir=$root/lib/modules/$kver
[ -d "$moddir" ] || moddir=$root/usr/lib/modules/$kver

# The compiler for kmod/: the one kernels.conf names (kmod_cc CC [SUITE]).
# One the machine lacks is taken from the kernel's suite and unpacked
# beside the kernel (gcc-10 of bullseye runs on a newer glibc; gcc finds
# its cc1 and headers relative to itself). With SUITE, CC runs in a
# minimal root of that suite (debootstrap, kept in OUTPUT/vm/toolchains/):
# trixie's gcc-14 and its kernel's kbuild tools need glibc 2.38.
kcc=
kroot=
kcc_none=
unpack_cc() {
	local tc=$vm/toolchains/$1 n=${1#gcc-}
	if [ ! -e "$tc/.unpacked" ]; then
		rm -rf "$tc"
		mkdir -p "$tc/debs"
		echo "nstrace-vm: downloading $1 from $suites" >&2
		download "$tc/debs" "$1" "cpp-$n" "gcc-$n-base" "libgcc-$n-dev" || return 1
		for deb in "$tc"/debs/*.deb; do
			dpkg-deb -x "$deb" "$tc"
		done
		touch "$tc/.unpacked"
	fi
	"$tc/usr/bin/$1" --version >/dev/null 2>&1 || return 1
	echo "$tc/usr/bin/$1"
}

cc_root() {
	local r=$vm/toolchains/$2-$1
	if [ ! -e "$r/.ready" ]; then
		rm -rf "$r"
		echo "nstrace-vm: a $2 root with $1 for kmod/ ($r, debootstrap, minutes)" >&2
		debootstrap --variant=minbase --include="$1,make,dwarves,libc6-dev" \
			--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
			"$2" "$r" "$(mirror_of debian)" >"$r.log" 2>&1 || return 1
		touch "$r/.ready"
	fi
	echo "$r"
}

# shellcheck disable=SC2086
set -- $want_cc
case "$want_cc" in
none:*) kcc_none=${want_cc#none:} ;;
*)
	if [ $# -ge 2 ]; then
		if kroot=$(cc_root "$1" "$2"); then
			kcc=/usr/bin/$1
		else
			kcc_none="no $2 root with $1 (debootstrap failed: $vm/toolchains/$2-$1.log)"
		fi
	elif command -v "$1" >/dev/null; then
		kcc=$(command -v "$1")
	elif ! kcc=$(unpack_cc "$1"); then
		kcc_none="$1 from $suites does not run here"
	fi
	;;
esac

cat >"$vm/$name/kernel.env.tmp" <<EOF
KNAME=$name
KVER=$kver
VMLINUZ=$root/boot/vmlinuz-$kver
MODDIR=$moddir
KDIR=$kdir
KCC=$kcc
KROOT=$kroot
KCC_NONE="$kcc_none"
EOF
mv "$vm/$name/kernel.env.tmp" "$vm/$name/kernel.env"
echo "nstrace-vm: kernel $name is $kver (kmod/: ${kcc:-no compiler: $kcc_none}${kroot:+ in $kroot})" >&2

#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The one list of the Debian packages nstrace needs, by group, and the one
# place that installs them.
# Usage: scripts/deps.sh [--check] GROUP...
#        scripts/deps.sh --groups            (the group names, one a line)
#        scripts/deps.sh --packages GROUP... (their packages, one a line)
# As root, missing packages are installed with apt-get; otherwise the exact
# apt-get line is printed and the script fails, so make stops. With --check
# nothing is installed: it only fails, naming what is missing.
#
# Groups: build (the binary), test (every test: the kselftest harness,
# prove, and the programs most tests use), vm (the qemu suite and the kernel
# matrix: debootstrap makes the trixie root for 6.12's module), fuzz, serve
# (a real Prometheus and HTTP clients), bench, docker (a Docker Engine),
# fresh (scripts/fresh-check.sh), docs (the man pages and the bash
# completion: make man, make install), deb (the Debian package: make deb).
# A shell test names the groups it needs with `needs GROUP...` (tests/lib.sh);
# make check installs all of them before the first test runs.
set -eu

pkgs_build="make gcc libc6-dev clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libsmartcols-dev libmicrohttpd-dev libcurl4-openssl-dev libjson-c-dev pkg-config binutils"
pkgs_test="linux-source-6.1 xz-utils perl jq util-linux iproute2 python3 procps psmisc libcap2-bin valgrind cppcheck clang-tidy-14 clang-format-14"
pkgs_vm="qemu-system-x86 busybox-static cpio kmod xz-utils zstd dwarves debian-archive-keyring debootstrap bsdextrautils"
pkgs_fuzz="libclang-rt-14-dev"
pkgs_serve="prometheus wrk curl netcat-openbsd python3 iproute2"
pkgs_bench="hyperfine strace bpftrace linux-perf bc time"
# a Docker Engine of its own for the container tests (tests/docker.sh;
# dockerd starts its own containerd); the image is a busybox-static root
pkgs_docker="docker.io containerd runc tini busybox-static python3"
pkgs_fresh="debootstrap wget ca-certificates git"
# rst2man (python3-docutils) for the man pages; man-db to read them back;
# bash-completion's own helpers (_init_completion) for the completion
pkgs_docs="python3-docutils man-db bash-completion"
# what dpkg-buildpackage needs beyond debian/control's Build-Depends, which
# are the build and docs groups: build-essential too, which it takes as given
pkgs_deb="build-essential debhelper dpkg-dev fakeroot lintian"
groups="build test vm fuzz serve bench docker fresh docs deb"

check_only=
list_only=
case "${1:-}" in
--groups)
	printf '%s\n' $groups
	exit 0
	;;
--check)
	check_only=1
	shift
	;;
--packages)
	list_only=1
	shift
	;;
esac

want=""
for g in "$@"; do
	case " $groups " in
	*" $g "*) ;;
	*)
		echo "nstrace: unknown package group '$g' (groups: $groups)" >&2
		exit 2
		;;
	esac
	eval "want=\"\$want \$pkgs_$g\""
done
if [ -n "$list_only" ]; then
	printf '%s\n' $want
	exit 0
fi

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ -n "$check_only" ]; then
	echo "nstrace: missing Debian packages for '$*':$missing (scripts/deps.sh $* installs them)" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "nstrace: missing Debian packages:$missing" >&2
	echo "nstrace: install them with: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "nstrace: installing missing packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# another apt-get (a parallel make) holds the lock: wait for it
apt-get update -qq -o DPkg::Lock::Timeout=600 >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 $missing >&2

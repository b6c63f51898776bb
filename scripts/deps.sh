#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Make sure the Debian packages a build step needs are installed.
# Usage: scripts/deps.sh GROUP...   (groups: build test vm fuzz serve bench docker)
# As root, missing packages are installed with apt-get; otherwise the exact
# apt-get line is printed and the script fails, so make stops.
set -eu

pkgs_build="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libsmartcols-dev libmicrohttpd-dev pkg-config libcurl4-openssl-dev libjson-c-dev"
pkgs_test="linux-source-6.1 xz-utils perl jq util-linux iproute2 python3 procps valgrind cppcheck clang-tidy-14 clang-format-14"
pkgs_vm="qemu-system-x86 busybox-static cpio kmod"
pkgs_fuzz="libclang-rt-14-dev"
pkgs_serve="prometheus wrk curl netcat-openbsd python3 iproute2"
pkgs_bench="hyperfine strace bpftrace linux-perf bc time"
# a Docker Engine of its own for tests/runtime_docker.t (dockerd starts its
# own containerd); the image is a busybox-static root made by the test
pkgs_docker="docker.io containerd runc tini busybox-static python3"

want=""
for g in "$@"; do
	eval "want=\"\$want \$pkgs_$g\""
done

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "nstrace: missing Debian packages:$missing" >&2
	echo "nstrace: install them with: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "nstrace: installing missing packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2

#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# A new user's first hour, rehearsed: the README's two commands on a bare
# Debian root that has only what debootstrap's minbase variant gives, plus
# git, make, ca-certificates and sudo.
#
# Usage: scripts/fresh-check.sh [OUTPUT]            (make check-fresh)
#        scripts/fresh-check.sh --deb DEB [OUTPUT]  (make check-deb)
#
# The pristine root is made once with debootstrap from this machine's own
# apt sources and cached as a tarball in /var/cache/nstrace (FRESH_CACHE=DIR
# elsewhere). Each run unpacks it,
# clones the committed HEAD of this repository into it, and runs there, in
# a mount namespace of its own entered with pivot_root (a chrooted process
# may not create user namespaces, which the tests need):
#     sudo make demo
#     sudo CI=true make check
# then builds nstrace once more from scratch and checks that it links the
# same as the first build on the bare root did (OUTPUT/nstrace.link), and
# builds the Debian package there (make deb, lintian included).
#
# That package is then installed on a second pristine root as a user
# installs one (apt-get install ./nstrace_*.deb, with man-db): nstrace
# --version, nstrace ls and man -w nstrace must work, every file it lists
# must be there, and apt-get purge must leave the root's file list as it
# was before. --deb DEB does only this, with a package built elsewhere.
#
# Every step is logged to OUTPUT/fresh/; it prints how long each took and
# the first failure. Whatever happens (Ctrl-C too), it ends every process
# it started, leaves nothing mounted and removes the roots.
#
# Exit: 0 all passed, 1 a command failed, 2 not root, or no package archive.
set -euo pipefail

say() { echo "nstrace-fresh: $*" >&2; }
die2() {
	say "$*"
	exit 2
}

# ---- inside the root (the second stage, after unshare --mount) ----------

# inside ROOT SCRIPT: mount what the tests need, pivot into ROOT, run
# SCRIPT (a path in ROOT)
inside() {
	local root=$1 script=$2
	# pivot_root wants the new root to be a mount point; the mounts below
	# go on top of it, or the new root would not have them
	mount --bind "$root" "$root"
	# /sys with its submounts: bpffs, BTF, tracefs, debugfs, the cgroups
	mount --rbind /proc "$root/proc"
	mount --rbind /sys "$root/sys"
	mount --rbind /dev "$root/dev"
	cd "$root"
	mkdir -p .oldroot
	pivot_root . .oldroot
	umount -l /.oldroot
	rmdir /.oldroot
	cd /
	exec env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		bash "$script"
}

if [ "${1:-}" = --inside ]; then
	inside "$2" "$3"
fi

# ---- outside -------------------------------------------------------------

trap 'say "failed at line $LINENO: $BASH_COMMAND"' ERR

deb=
if [ "${1:-}" = --deb ]; then
	[ -f "${2:-}" ] || die2 "--deb needs a package file: '${2:-}' is none (make deb builds one)"
	deb=$(realpath "$2")
	shift 2
fi

[ "$(id -u)" -eq 0 ] ||
	die2 "needs root (debootstrap, mounts and pivot_root): run 'sudo make check-fresh'"

repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
head=$(git -C "$repo" rev-parse HEAD)
out=$(realpath -m "${1:-$repo/.output}")/fresh
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$suite" ] || die2 "cannot tell this machine's Debian suite from /etc/os-release"

# The first http(s) archive of this machine's apt sources (deb822 or
# one-line), for the suite itself rather than security or updates.
mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		awk '/^URIs:/ { u = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) { print u; exit } }' \
			s="$suite" "$f"
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/ && $(i + 1) == s) { print $i; exit } }' \
			s="$suite"
}
url=$(mirror | head -n 1) || true
[ -n "$url" ] || die2 "no package archive for '$suite' in this machine's apt sources"

"$repo/scripts/deps.sh" fresh >/dev/null ||
	die2 "failed to install debootstrap (scripts/deps.sh fresh)"
wget -q -T 15 -t 2 --spider "$url/dists/$suite/Release" ||
	die2 "cannot reach the package archive $url (no network?): nothing was built"

# the pristine root outlives a clean clone (CI's), so it is cached beside
# the machine's other caches, not in OUTPUT
cache=${FRESH_CACHE:-/var/cache/nstrace}
mkdir -p "$out" "$cache"
tarball=$cache/$suite-minbase.tar
root=$out/root.$$
debroot=$out/debroot.$$
stage=
child=
cleanup() {
	local st=$? r
	trap - EXIT INT TERM HUP
	[ -n "$stage" ] && say "interrupted during $stage"
	for r in "$root" "$debroot"; do
		end_root_procs "$r"
		if grep -q " $r[/ ]" /proc/self/mountinfo; then
			say "failed to clean up: something is still mounted under $r; not removing it"
			st=1
		elif [ -d "$r" ]; then
			rm -rf --one-file-system "$r"
		fi
	done
	# debootstrap mounts /proc and /sys in the root it builds
	if grep -q " $out/build-root[/ ]" /proc/self/mountinfo; then
		umount -R -l "$out/build-root" 2>/dev/null || true
	fi
	rm -rf --one-file-system "$out/build-root" "$tarball.tmp"
	exit "$st"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# end_root_procs ROOT: every process whose root is ROOT (the tests' daemons
# and VMs included), and the unshare that started them: ended, so that the
# mount namespace and its mounts go with them. From out here such a
# process's root reads as "/", so it is told by the root's device and inode.
end_root_procs() {
	local root=$1 p pids id
	[ -d "$root" ] || return 0
	id=$(stat -c %d:%i "$root")
	[ -n "${child:-}" ] && kill -KILL "$child" 2>/dev/null
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		pids=
		for p in /proc/[0-9]*; do
			[ "$(stat -L -c %d:%i "$p/root" 2>/dev/null)" = "$id" ] &&
				pids="$pids ${p#/proc/}"
		done
		[ -z "$pids" ] && return 0
		# shellcheck disable=SC2086
		kill -KILL $pids 2>/dev/null || true
		sleep 0.5
	done
}

if [ ! -e "$tarball" ]; then
	stage="debootstrap"
	say "making the pristine $suite root with debootstrap from $url (cached in $tarball)"
	rm -rf --one-file-system "$out/build-root"
	if ! debootstrap --variant=minbase --include=git,make,ca-certificates,sudo \
		"$suite" "$out/build-root" "$url" >"$out/debootstrap.log" 2>&1; then
		tail -n 20 "$out/debootstrap.log" >&2
		say "failed to debootstrap $suite from $url (log: $out/debootstrap.log)"
		exit 1
	fi
	tar -C "$out/build-root" -cpf "$tarball.tmp" .
	mv "$tarball.tmp" "$tarball"
	rm -rf --one-file-system "$out/build-root"
fi

# unpack_root DIR: the pristine root, with this machine's apt sources
# (instead of debootstrap's one line) and settings, its resolver and its
# name, and /fresh/step.sh for the scripts run there
unpack_root() {
	mkdir -p "$1"
	tar -C "$1" -xpf "$tarball"
	rm -f "$1/etc/apt/sources.list"
	cp -a /etc/apt/sources.list.d/. "$1/etc/apt/sources.list.d/"
	[ -e /etc/apt/sources.list ] && cp /etc/apt/sources.list "$1/etc/apt/"
	cp /etc/hostname /etc/hosts "$1/etc/" 2>/dev/null || true
	cp -a /etc/apt/apt.conf.d/. "$1/etc/apt/apt.conf.d/"
	cp -aL /etc/resolv.conf "$1/etc/resolv.conf"
	mkdir -p "$1/fresh/logs"
	cat >"$1/fresh/step.sh" <<'EOF'
# step NAME COMMAND...: run it, log its output to /fresh/logs/NAME.log, and
# note its status and time in /fresh/logs/$STEPS
step() {
	local name=$1 t0 st
	shift
	t0=$(date +%s)
	"$@" >"/fresh/logs/$name.log" 2>&1
	st=$?
	echo "$name $st $(($(date +%s) - t0))" >>"/fresh/logs/$STEPS"
	return $st
}
EOF
}

# run_root DIR SCRIPT: DIR/fresh/SCRIPT run in DIR, in a mount namespace of
# its own; its logs are copied to OUTPUT/fresh. SCRIPT's exit status.
run_root() {
	local st=0
	# in the background, so that a signal to this script is handled at once
	unshare --mount --propagation private --fork -- bash "$0" --inside "$1" "/fresh/$2" &
	child=$!
	wait "$child" || st=$?
	child=
	cp "$1"/fresh/logs/* "$out/" 2>/dev/null || true
	return $st
}

# first_failure LOG: a failed TAP test, else make's error, else the last line
first_failure() {
	grep -m 1 -E '^not ok' "$1" || grep -m 1 -E '\*\*\*|error:' "$1" || tail -n 1 "$1"
}

# report STEPS STATUS: how long each step took, and the first failure of
# each failed one; STATUS is the script's. 1 when anything failed.
report() {
	local name rc secs first fail=0
	[ -e "$1" ] || : >"$1"
	while read -r name rc secs; do
		say "$name: exit $rc after $((secs / 60)) min $((secs % 60)) s"
		if [ "$rc" != 0 ]; then
			fail=1
			first=$(first_failure "$out/$name.log")
			say "first failure in $name: ${first:-see $out/$name.log}"
		fi
	done <"$1"
	if [ "$2" -ne 0 ] && [ $fail -eq 0 ]; then
		say "the run in the root itself failed (exit $2) before its steps ended"
		fail=1
	fi
	return $fail
}

# rehearse: the README's commands on the bare root, the link compared, and
# the Debian package built there (copied to OUTPUT/fresh)
rehearse() {
	local st=0
	stage="unpacking the root"
	unpack_root "$root"
	git clone -q --no-hardlinks "$repo" "$root/src/nstrace"
	git -C "$root/src/nstrace" checkout -q --detach "$head"
	cat >"$root/fresh/steps.sh" <<'EOF'
# the README's commands, run in the bare root; each one's time and status
STEPS=steps
. /fresh/step.sh
cd /src/nstrace
step demo sudo make demo || exit 1
cp .output/nstrace.link /fresh/logs/link-first
step check sudo CI=true make check || exit 1
step rebuild make OUTPUT=.output-again .output-again/nstrace || exit 1
cp .output-again/nstrace.link /fresh/logs/link-again
step deb sudo make deb || exit 1
cp .output/deb/nstrace_*.deb /fresh/logs/
EOF
	stage="the rehearsal"
	say "rehearsing $head in $root (logs in $out/)"
	rm -f "$out"/{demo,check,rebuild,deb}.log "$out"/{steps,link-first,link-again} \
		"$out"/nstrace_*.deb
	run_root "$root" steps.sh || st=$?
	stage=
	report "$out/steps" $st || return 1

	if cmp -s "$out/link-first" "$out/link-again"; then
		say "the bare machine's first build links as a build with everything installed"
	else
		say "the first build on the bare root links differently from a build with everything installed:"
		diff "$out/link-first" "$out/link-again" >&2 || true
		return 1
	fi
}

# install_deb DEB: the package installed on a second pristine root as a
# user installs one, tried, and purged; the root's files must be as before
install_deb() {
	local st=0
	stage="unpacking the package's root"
	unpack_root "$debroot"
	cp "$1" "$debroot/fresh/"
	cat >"$debroot/fresh/steps-deb.sh" <<'EOF'
# apt-get install ./nstrace_*.deb, with man-db to read its pages
STEPS=steps-deb
. /fresh/step.sh
export DEBIAN_FRONTEND=noninteractive
cd /fresh
# the root's files, but for the books apt, dpkg and man-db keep
files() {
	find / -xdev \( -path /fresh -o -path /var/lib/dpkg -o -path /var/lib/apt -o \
		-path /var/cache/apt -o -path /var/cache/man -o -path /var/cache/debconf -o \
		-path /var/log -o -path /tmp \) -prune -o -print | sort
}
runs() {
	nstrace --version && nstrace --version | grep -q '^libbpf [0-9]' &&
		nstrace ls && nstrace ls | grep -qE '^ *NS +TYPE' && [ "$(nstrace ls -n | wc -l)" -ge 8 ]
}
man_pages() {
	[ "$(man -w nstrace)" = /usr/share/man/man8/nstrace.8.gz ] && man -w nstrace-ls &&
		man nstrace-trace | grep -q -- --list-columns
}
# installed without its Recommends: serve says which package it lacks
without_recommends() {
	! timeout 20 nstrace serve --listen 127.0.0.1:19464 2>/fresh/logs/serve.err &&
		grep "install Debian's libmicrohttpd12" /fresh/logs/serve.err
}
listed_exist() {
	dpkg -L nstrace | while read -r f; do [ -e "$f" ] || { echo "missing: $f"; exit 1; }; done
}
step deb-prepare sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends man-db' ||
	exit 1
files >/fresh/logs/files-before
step deb-install apt-get install -y --no-install-recommends ./nstrace_*.deb || exit 1
step deb-runs runs
step deb-man man_pages
step deb-files listed_exist
step deb-recommends without_recommends
step deb-purge apt-get purge -y nstrace || exit 1
files >/fresh/logs/files-after
step deb-leftovers diff /fresh/logs/files-before /fresh/logs/files-after
step deb-dpkg-forgot sh -c '! ls /var/lib/dpkg/info/nstrace.* 2>/dev/null'
EOF
	stage="installing the package"
	say "installing $(basename "$1") in $debroot, then purging it"
	rm -f "$out"/deb-*.log "$out"/{steps-deb,files-before,files-after}
	run_root "$debroot" steps-deb.sh || st=$?
	stage=
	report "$out/steps-deb" $st
}

if [ -z "$deb" ]; then
	rehearse || exit 1
	end_root_procs "$root"
	rm -rf --one-file-system "$root"
	deb=$(ls "$out"/nstrace_*.deb | head -n 1)
fi
install_deb "$deb"

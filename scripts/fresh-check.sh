#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# A new user's first hour, rehearsed: the README's two commands on a bare
# Debian root that has only what debootstrap's minbase variant gives, plus
# git, make, ca-certificates and sudo.
#
# Usage: scripts/fresh-check.sh [OUTPUT]          (make check-fresh)
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
# same as the first build on the bare root did (OUTPUT/nstrace.link).
# Both commands are logged to OUTPUT/fresh/; it prints how long each took
# and the first failure. Whatever happens (Ctrl-C too), it ends every
# process it started, leaves nothing mounted and removes the root.
#
# Exit: 0 all passed, 1 a command failed, 2 not root, or no package archive.
set -euo pipefail

say() { echo "nstrace-fresh: $*" >&2; }
die2() {
	say "$*"
	exit 2
}

# ---- inside the root (the second stage, after unshare --mount) ----------

# inside ROOT: mount what the tests need, pivot into ROOT, run the commands
inside() {
	local root=$1
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
		bash /fresh/steps.sh
}

if [ "${1:-}" = --inside ]; then
	inside "$2"
fi

# ---- outside -------------------------------------------------------------

trap 'say "failed at line $LINENO: $BASH_COMMAND"' ERR

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
stage=
child=
cleanup() {
	local st=$?
	trap - EXIT INT TERM HUP
	[ -n "$stage" ] && say "interrupted during $stage"
	end_root_procs
	if grep -q " $root[/ ]" /proc/self/mountinfo; then
		say "failed to clean up: something is still mounted under $root; not removing it"
		st=1
	elif [ -d "$root" ]; then
		rm -rf --one-file-system "$root"
	fi
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

# every process whose root is the rehearsal's (the tests' daemons and VMs
# included), and the unshare that started them: ended, so that the mount
# namespace and its mounts go with them. From out here such a process's
# root reads as "/", so it is told by the root's device and inode.
end_root_procs() {
	local p pids id
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

stage="unpacking the root"
mkdir -p "$root"
tar -C "$root" -xpf "$tarball"
# this machine's apt sources (instead of debootstrap's one line) and
# settings, its resolver and its name
rm -f "$root/etc/apt/sources.list"
cp -a /etc/apt/sources.list.d/. "$root/etc/apt/sources.list.d/"
[ -e /etc/apt/sources.list ] && cp /etc/apt/sources.list "$root/etc/apt/"
cp /etc/hostname /etc/hosts "$root/etc/" 2>/dev/null || true
cp -a /etc/apt/apt.conf.d/. "$root/etc/apt/apt.conf.d/"
cp -aL /etc/resolv.conf "$root/etc/resolv.conf"
git clone -q --no-hardlinks "$repo" "$root/src/nstrace"
git -C "$root/src/nstrace" checkout -q --detach "$head"
mkdir -p "$root/fresh/logs"
cat >"$root/fresh/steps.sh" <<'EOF'
# the README's commands, run in the bare root; each one's time and status
cd /src/nstrace
step() {
	local name=$1 t0 st
	shift
	t0=$(date +%s)
	"$@" >"/fresh/logs/$name.log" 2>&1
	st=$?
	echo "$name $st $(($(date +%s) - t0))" >>/fresh/logs/steps
	return $st
}
step demo sudo make demo || exit 1
cp .output/nstrace.link /fresh/logs/link-first
step check sudo CI=true make check || exit 1
step rebuild make OUTPUT=.output-again .output-again/nstrace || exit 1
cp .output-again/nstrace.link /fresh/logs/link-again
EOF

stage="the rehearsal"
say "rehearsing $head in $root (logs in $out/)"
rm -f "$out"/{demo,check,rebuild}.log "$out"/{steps,link-first,link-again}
# in the background, so that a signal to this script is handled at once
unshare --mount --propagation private --fork -- bash "$0" --inside "$root" &
child=$!
st=0
wait "$child" || st=$?
child=
stage=
cp "$root"/fresh/logs/* "$out/" 2>/dev/null || true
[ -e "$out/steps" ] || : >"$out/steps"

# first_failure LOG: a failed TAP test, else make's error, else the last line
first_failure() {
	grep -m 1 -E '^not ok' "$1" || grep -m 1 -E '\*\*\*|error:' "$1" || tail -n 1 "$1"
}

fail=0
while read -r name rc secs; do
	say "$name: exit $rc after $((secs / 60)) min $((secs % 60)) s"
	if [ "$rc" != 0 ]; then
		fail=1
		first=$(first_failure "$out/$name.log")
		say "first failure in $name: ${first:-see $out/$name.log}"
	fi
done <"$out/steps"
if [ $st -ne 0 ] && [ $fail -eq 0 ]; then
	say "the rehearsal itself failed (exit $st) before its commands ended"
	fail=1
fi

if [ $fail -eq 0 ]; then
	if cmp -s "$out/link-first" "$out/link-again"; then
		say "the bare machine's first build links as a build with everything installed"
	else
		say "the first build on the bare root links differently from a build with everything installed:"
		diff "$out/link-first" "$out/link-again" >&2 || true
		fail=1
	fi
fi
exit $fail

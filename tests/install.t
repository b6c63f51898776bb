#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# make install and make uninstall into a DESTDIR, with the default PREFIX
# and with PREFIX=/usr: exactly the files listed here, where users and
# systemd look for them, working; and uninstall removes exactly those,
# leaving a file of someone else's beside them.
. "$(dirname "$0")/lib.sh"
needs build docs
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUTPUT:-$SRC/.output}
# the pages of nstrace(8) and of every command but help
pages=$( (echo nstrace; "$NSTRACE" help | sed -nE 's/^  ([a-z]+) .*/nstrace-\1/p' | grep -vx nstrace-help) |
	sort)

# expected PREFIX UNITDIR: the file list install must make
expected() {
	{
		echo "$1/sbin/nstrace"
		for p in $pages; do echo "$1/share/man/man8/$p.8"; done
		echo "$1/share/bash-completion/completions/nstrace"
		echo "$2/nstrace.service"
		echo "$1/share/nstrace/grafana-dashboard.json"
		echo "$1/share/nstrace/prometheus.yml"
	} | sort
}

# try PREFIX UNITDIR MAKE_ARGS...
try() {
	local prefix=$1 unitdir=$2 d=$TMP/dest$RANDOM
	shift 2
	section "PREFIX=$prefix"
	mkdir -p "$d$prefix/share/man/man8"
	echo "someone else's" >"$d$prefix/share/man/man8/lsns.8"
	make -s -C "$SRC" OUTPUT="$OUT" install DESTDIR="$d" "$@" >"$TMP/install.log" 2>&1
	check "make install $*: exit 0" [ $? -eq 0 ]
	expected "$prefix" "$unitdir" >"$TMP/want"
	echo "$prefix/share/man/man8/lsns.8" >>"$TMP/want"
	(cd "$d" && find . -type f -o -type l) | sed 's|^\.||' | sort >"$TMP/got"
	if sort "$TMP/want" | diff - "$TMP/got" >"$TMP/diff"; then
		ok "installs exactly the $(($(wc -l <"$TMP/want") - 1)) files"
	else
		not_ok "installs exactly the $(($(wc -l <"$TMP/want") - 1)) files" "$(cat "$TMP/diff")"
	fi
	check "the binary is executable and runs" bash -c \
		"'$d$prefix/sbin/nstrace' help | grep -q '^  ls '"
	check "the man pages are found under the prefix (man -w)" bash -c \
		"MANPATH='$d$prefix/share/man' man -w nstrace-ls | grep -qx '$d$prefix/share/man/man8/nstrace-ls.8'"
	check "the unit starts the installed binary" \
		grep -qx "ExecStart=$prefix/sbin/nstrace serve --listen 127.0.0.1:9464" "$d$unitdir/nstrace.service"
	check "the completion defines _nstrace for nstrace" bash -c \
		". /usr/share/bash-completion/bash_completion; . '$d$prefix/share/bash-completion/completions/nstrace'; complete -p nstrace | grep -q '_nstrace nstrace'"
	check "the dashboard is JSON" python3 -m json.tool "$d$prefix/share/nstrace/grafana-dashboard.json"
	make -s -C "$SRC" OUTPUT="$OUT" uninstall DESTDIR="$d" "$@" >"$TMP/uninstall.log" 2>&1
	check "make uninstall: exit 0" [ $? -eq 0 ]
	left=$(cd "$d" && find . -type f -o -type l | sed 's|^\.||')
	check "uninstall leaves only someone else's file (left: $(echo $left))" \
		[ "$left" = "$prefix/share/man/man8/lsns.8" ]
	check "uninstall removes share/nstrace" [ ! -e "$d$prefix/share/nstrace" ]
}

try /usr/local /usr/local/lib/systemd/system
try /usr /lib/systemd/system PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system
done_testing

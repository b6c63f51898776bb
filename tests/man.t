#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The man pages (docs/man/, built into OUTPUT/man by make man) against the
# binary: a page for every command of 'nstrace help', every option of a
# command's --help in its page's OPTIONS and no other, the COLUMNS of a page
# exactly what --list-columns prints, and no groff warning (lintian's check).
. "$(dirname "$0")/lib.sh"
needs build docs
MAN=${OUTPUT:-$(cd "$(dirname "$0")/.." && pwd)/.output}/man

# render PAGE: the page as man shows it, wide enough that no term wraps
render() {
	MANWIDTH=200 man -l "$MAN/$1.8" 2>/dev/null
}

# section NAME: the lines of one section of the rendered page on stdin
man_section() {
	awk -v s="$1" '/^[A-Z][A-Z ]*$/ { on = ($0 == s); next } on'
}

# help_options CMD: "-p --pid" or "--wait", one option a line, from --help
help_options() {
	"$NSTRACE" "$1" --help | sed -nE 's/^  (-([A-Za-z0-9]), |    )(--[a-z][a-z-]*)( .*)?$/\2 \3/p' |
		sed 's/^\([A-Za-z0-9]\) /-\1 /; s/^ //' | sort
}

# page_options PAGE: the same from the page's OPTIONS terms
page_options() {
	render "$1" | man_section OPTIONS |
		sed -nE 's/^ {7}(-([A-Za-z0-9]), )?(--[a-z][a-z-]*)( .*)?$/\2 \3/p' |
		sed 's/^\([A-Za-z0-9]\) /-\1 /; s/^ //' | sort
}

commands=$("$NSTRACE" help | sed -nE 's/^  ([a-z]+) .*/\1/p' | grep -vx help)
check "nstrace help lists commands" [ -n "$commands" ]
check "nstrace.8 is built" [ -s "$MAN/nstrace.8" ]
render nstrace | man_section COMMANDS | sed -nE 's/^ {7}([a-z]+)( .*)?$/\1/p' >"$TMP/listed"

for cmd in $commands; do
	section "$cmd"
	page=nstrace-$cmd
	if [ ! -s "$MAN/$page.8" ]; then
		not_ok "$cmd: $page.8 is built" "no $MAN/$page.8 (docs/man/$page.rst)"
		continue
	fi
	check "$cmd: nstrace.8 lists it under COMMANDS" grep -qx "$cmd" "$TMP/listed"
	help_options "$cmd" >"$TMP/help"
	page_options "$page" >"$TMP/page"
	check "$cmd: --help lists options" [ -s "$TMP/help" ]
	missing=$(comm -23 "$TMP/help" "$TMP/page" | tr '\n' ' ')
	extra=$(comm -13 "$TMP/help" "$TMP/page" | tr '\n' ' ')
	if [ -z "$missing" ]; then ok "$cmd: every option of --help is in $page(8)"; else
		not_ok "$cmd: every option of --help is in $page(8)" "missing: $missing"; fi
	if [ -z "$extra" ]; then ok "$cmd: $page(8) has no option --help lacks"; else
		not_ok "$cmd: $page(8) has no option --help lacks" "only in the page: $extra"; fi
	warn=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
		man --warnings -E UTF-8 -l -Tutf8 -Z "$MAN/$page.8" 2>&1 >/dev/null)
	check "$cmd: groff has no warning${warn:+: $warn}" [ -z "$warn" ]
done
for c in $(cat "$TMP/listed"); do
	case " help $(echo $commands) " in
	*" $c "*) ;;
	*) not_ok "nstrace.8 lists only commands that exist" "'$c' is not in nstrace help" ;;
	esac
done

section "columns"
# the names --list-columns prints (first field), in order
listed_columns() {
	"$NSTRACE" "$@" --list-columns | awk '{ print $1 }'
}
# the column terms of a page's COLUMNS section
page_columns() {
	render "$1" | man_section COLUMNS | sed -nE 's/^ {7}([A-Z][A-Z0-9_]*)( .*)?$/\1/p'
}
listed_columns trace >"$TMP/want"
page_columns nstrace-trace >"$TMP/got"
check "trace: --list-columns has TIME, PID and DETAIL" \
	bash -c "grep -qx TIME '$TMP/want' && grep -qx PID '$TMP/want' && grep -qx DETAIL '$TMP/want'"
check "trace: the page's COLUMNS are --list-columns' ($(wc -l <"$TMP/want"))" \
	diff "$TMP/want" "$TMP/got"
page_columns nstrace-report >"$TMP/got"
check "report: its COLUMNS are trace's" diff "$TMP/want" "$TMP/got"
{ listed_columns ls && listed_columns ls --containers && listed_columns ls --compare 1 1; } \
	>"$TMP/want"
page_columns nstrace-ls >"$TMP/got"
check "ls: NS, HOLDERS, the containers' MNT_INO and compare's SAME are among them" \
	bash -c "grep -qx NS '$TMP/want' && grep -qx HOLDERS '$TMP/want' && grep -qx MNT_INO '$TMP/want' && grep -qx SAME '$TMP/want'"
check "ls: the page's COLUMNS are the three views' --list-columns ($(wc -l <"$TMP/want"))" \
	diff "$TMP/want" "$TMP/got"
default=$("$NSTRACE" ls --help | sed -n 's/^Default columns: //p')
check "ls: the page names the default columns ($default)" \
	bash -c "render() { MANWIDTH=200 man -l '$MAN/nstrace-ls.8' 2>/dev/null; }; render | grep -qF 'The default columns: $default.'"
done_testing

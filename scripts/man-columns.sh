#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The column lists of the man pages, written from the built binary's own
# --list-columns (the column tables of user/event.c, user/ls.c and
# user/ls_views.c), so that a page never disagrees with the binary.
#
# Usage: scripts/man-columns.sh NSTRACE OUTDIR
# Writes reStructuredText definition lists, for `.. include::`:
#   OUTDIR/columns-trace.rst          trace, record -J, report (NAME, JSON key)
#   OUTDIR/columns-ls.rst             ls (each ls list after its default columns)
#   OUTDIR/columns-ls-containers.rst  ls --containers
#   OUTDIR/columns-ls-compare.rst     ls --compare
set -eu
bin=$1 out=$2
mkdir -p "$out"

# awk: the description with a backslash before what rst reads as markup
esc='function esc(s) { gsub(/[*`|_\\]/, "\\\\&", s); return s }'

# trace: "  NAME  json_key  what it is"; a text-only column says "(text)"
"$bin" trace --list-columns | awk "$esc"'
	{
		name = $1; key = $2
		sub(/^ *[^ ]+ +[^ ]+ +/, "")
		if (key == "(text)")
			printf "**%s** (text output only)\n    %s\n\n", name, esc($0)
		else
			printf "**%s** (JSON key ``%s``)\n    %s\n\n", name, key, esc($0)
	}' >"$out/columns-trace.rst.tmp"

# ls and its views: "  NAME  what it is", the name right-aligned
ls_columns() {
	"$bin" ls "$@" --list-columns | awk "$esc"'
		{
			name = $1
			sub(/^ *[^ ]+ +/, "")
			printf "**%s**\n    %s\n\n", name, esc($0)
		}'
}
# each view's default columns, as ls --help names them, before its list
ls_default() {
	"$bin" ls --help | awk -v view="$1" '
		view == "" && /^Default columns: / { print "The default columns: **" $3 "**.\n" }
		view != "" && $1 == view ":" { print "The default columns: **" $2 "**.\n" }'
}
{ ls_default "" && ls_columns; } >"$out/columns-ls.rst.tmp"
{ ls_default --containers && ls_columns --containers; } >"$out/columns-ls-containers.rst.tmp"
{ ls_default --compare && ls_columns --compare 1 1; } >"$out/columns-ls-compare.rst.tmp"

for f in trace ls ls-containers ls-compare; do
	if [ ! -s "$out/columns-$f.rst.tmp" ]; then
		echo "nstrace: failed to list the columns of $f: $bin printed none" >&2
		exit 1
	fi
	mv "$out/columns-$f.rst.tmp" "$out/columns-$f.rst"
done

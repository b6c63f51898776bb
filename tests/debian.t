#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# debian/ against the tree: Build-Depends are exactly the packages of
# scripts/deps.sh's build and docs groups (but the compiler and libc that
# build-essential brings), and debian/copyright gives every committed file
# the licence its SPDX line names. (make deb builds the package and runs
# lintian; scripts/fresh-check.sh installs it on a bare root.)
. "$(dirname "$0")/lib.sh"
needs build deb
SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC" || exit 1

section "Build-Depends"
# dpkg's own parser of the field, names only
perl -MDpkg::Control::Info -MDpkg::Deps -e '
	my $src = Dpkg::Control::Info->new("debian/control")->get_source;
	my $deps = deps_parse($src->{"Build-Depends"});
	print "$_->{package}\n" foreach $deps->get_deps;' | grep -v '^debhelper-compat$' |
	sort >"$TMP/control"
check "debian/control parses, and names libbpf-dev and python3-docutils" bash -c \
	"grep -qx libbpf-dev '$TMP/control' && grep -qx python3-docutils '$TMP/control'"
# build-essential's own: gcc, make and libc6-dev (dpkg-checkbuilddeps assumes them)
scripts/deps.sh --packages build docs | grep -vxE 'gcc|make|libc6-dev' | sort -u >"$TMP/groups"
if diff "$TMP/groups" "$TMP/control" >"$TMP/diff"; then
	ok "Build-Depends are the build and docs groups ($(wc -l <"$TMP/control") packages)"
else
	not_ok "Build-Depends are the build and docs groups" \
		"< only in scripts/deps.sh, > only in debian/control:" "$(cat "$TMP/diff")"
fi
check "dpkg-checkbuilddeps: all installed here" dpkg-checkbuilddeps

section "copyright"
# paragraph_of FILE: the License of the last Files paragraph that matches
# (DEP-5: the last match wins; * also matches /)
awk '/^Files:/ { files = substr($0, 8); infiles = 1; next }
     infiles && /^ / { files = files " " substr($0, 2); next }
     { infiles = 0 }
     /^License:/ && files != "" { print substr($0, 10) "\t" files; files = "" }' \
	debian/copyright >"$TMP/paragraphs"
check "copyright has Files paragraphs" [ -s "$TMP/paragraphs" ]
# licence_of FILE: sets lic to the License of the last Files paragraph whose
# globs match (DEP-5: the last match wins; * also matches /)
mapfile -t paragraphs <"$TMP/paragraphs"
licence_of() {
	local p g
	lic=
	# the globs are the paragraph's, not the shell's: no expansion
	set -f
	for p in "${paragraphs[@]}"; do
		for g in ${p#*$'\t'}; do
			# shellcheck disable=SC2053
			[[ $1 == $g ]] && lic=${p%%$'\t'*}
		done
	done
	set +f
}
# the SPDX expression in DEP-5's words
declare -A dep5=(['(LGPL-2.1 OR BSD-2-Clause)']='LGPL-2.1 or BSD-2-clause' [GPL-2.0]=GPL-2)
bad=
n=0
# every committed file's SPDX expression, in one pass: FILE:EXPRESSION
while IFS=: read -r f spdx; do
	n=$((n + 1))
	licence_of "$f"
	[ "${dep5[$spdx]:-unknown SPDX $spdx}" = "$lic" ] || bad="$bad $f ($spdx: copyright says '$lic')"
done < <(git grep -I -m 1 -o 'SPDX-License-Identifier: .*' |
	sed -E 's/:SPDX-License-Identifier: /:/; s/ *(\*\/|-->)? *$//')
check "every file with an SPDX line: $n" [ "$n" -gt 100 ]
if [ -z "$bad" ]; then ok "debian/copyright gives each its SPDX licence"; else
	not_ok "debian/copyright gives each its SPDX licence" "$bad"; fi
licence_of bpf/nstrace.bpf.c
check "bpf/nstrace.bpf.c is GPL-2 there" [ "$lic" = GPL-2 ]
for l in GPL-2 LGPL-2.1 BSD-2-clause; do
	check "the licence $l is spelt out" grep -qx "License: $l" debian/copyright
done
done_testing

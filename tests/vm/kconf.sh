#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Read tests/vm/kernels.conf, the kernel matrix and each kernel's expected
# results (the format is described at its top). POSIX sh and awk: the guest
# (busybox) runs it too.
#   kconf.sh names                 the kernels of the matrix, in file order
#                                  (not [host])
#   kconf.sh get NAME KEY          the value of KEY (first line; exit 1 if none)
#   kconf.sh all NAME KEY          every value of KEY, one a line (na lines)
#   kconf.sh env NAME              NST_EXPECT_KEY='value' lines for the guest
#                                  (single-valued keys; na is the init's)
# KERNELS_CONF names another file (a test of this script).
set -eu
conf=${KERNELS_CONF:-$(dirname "$0")/kernels.conf}

section() {
	awk -v want="$1" '
		/^[ \t]*(#|$)/ { next }
		/^\[/ { name = $0; gsub(/^\[|\][ \t]*$/, "", name); found += name == want; next }
		name == want { sub(/^[ \t]+/, ""); print }
		END { exit found ? 0 : 3 }
	' "$conf"
}

# section NAME, with a clear error for a name the file does not have
section_of() {
	if ! section "$1"; then
		echo "nstrace-vm: no kernel '$1' in $conf (kernels: $(names | tr '\n' ' '))" >&2
		exit 2
	fi
}

names() {
	sed -n 's/^\[\(.*\)\][ \t]*$/\1/p' "$conf" | grep -vx host
}

case "${1:-}" in
names)
	names
	;;
get | all)
	[ $# -eq 3 ] || { echo "usage: $0 $1 NAME KEY" >&2; exit 2; }
	lines=$(section_of "$2")
	echo "$lines" | awk -v k="$3" -v all="$1" '
		$1 == k { sub(/^[^ \t]+[ \t]*/, ""); print; n++; if (all == "get") exit }
		END { exit n ? 0 : 1 }'
	;;
env)
	[ $# -eq 2 ] || { echo "usage: $0 env NAME" >&2; exit 2; }
	lines=$(section_of "$2")
	echo "$lines" | awk '
		$1 == "na" || seen[$1]++ { next }
		{
			k = toupper($1)
			gsub(/[^A-Z0-9_]/, "_", k)
			v = $0
			sub(/^[^ \t]+[ \t]*/, "", v)
			gsub(/'\''/, "", v)
			printf "NST_EXPECT_%s='\''%s'\''\n", k, v
		}'
	;;
*)
	echo "usage: $0 names | get NAME KEY | all NAME KEY | env NAME" >&2
	exit 2
	;;
esac

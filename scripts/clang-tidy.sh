#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Run clang-tidy (checks in .clang-tidy) over SOURCEs, two at a time per
# CPU, and fail on any finding located in our code.
#
# Findings located in GEN_DIR are dropped, nothing else: the static
# analyzer follows calls into bpftool's generated skeletons and reports a
# leak there, because it takes libbpf's bpf_object__destroy_skeleton()
# (declared in a system header, no body) for a function that frees nothing.
# Neither -isystem nor --line-filter hides analyzer reports in clang-tidy 14.
#
# Usage: scripts/clang-tidy.sh CLANG_TIDY BUILD_DIR GEN_DIR SOURCE...
set -u
tidy=$1 build=$2 gen=$3
shift 3
log=$build/clang-tidy.log
echo "$@" | xargs -n 2 -P "$(nproc)" "$tidy" -p "$build" --quiet >"$log" 2>&1
# a finding's first line: FILE:LINE:COL: warning|error: ...
pat='^[^ :]+:[0-9]+:[0-9]+: (warning|error): '
genabs=$(cd "$gen" && pwd)
ours=$(grep -E "$pat" "$log" | grep -v -e "^$gen/" -e "^$genabs/")
dropped=$(grep -E "$pat" "$log" | grep -c -e "^$gen/" -e "^$genabs/")
if [ -n "$ours" ]; then
	cat "$log" >&2
	echo "clang-tidy: $(echo "$ours" | wc -l) findings (the log is $log)" >&2
	exit 1
fi
echo "clang-tidy: no findings in $# files ($dropped in generated skeletons ignored)"

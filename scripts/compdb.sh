#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Print compile_commands.json entries (a JSON array) for clang-tidy and
# cppcheck, from the compiler line the Makefile uses for these sources.
# Usage: scripts/compdb.sh COMPILER FLAGS... -- SOURCE...
set -eu
# one word a line on stdin: jq 1.6 would take words like -O2 as its options
printf '%s\n' "$@" | jq -R -s --arg dir "$PWD" '
	split("\n")[:-1] as $a
	| ($a | index("--")) as $n
	| [$a[$n + 1:][] as $f
	   | { directory: $dir, file: $f, arguments: ($a[:$n] + ["-c", $f]) }]'

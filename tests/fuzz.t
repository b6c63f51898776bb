#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Run every libFuzzer target for FUZZ_SECONDS (default 60 / number of targets)
# from its seed corpus in tests/corpus/NAME/, under ASan and UBSan.
# Longer by hand: FUZZ_SECONDS=3600 prove -v tests/fuzz.t
. "$(dirname "$0")/lib.sh"
needs fuzz
FUZZ_DIR=${OUTPUT:-$(dirname "$NSTRACE")}/fuzz
targets=$(ls "$FUZZ_DIR"/*_fuzz 2>/dev/null)
if [ -z "$targets" ]; then
	not_ok "fuzz targets are built (make fuzz)" "none in $FUZZ_DIR"
	done_testing
	exit
fi
n=$(echo "$targets" | wc -w)
secs=${FUZZ_SECONDS:-$((60 / n))}
for t in $targets; do
	name=$(basename "$t" _fuzz)
	work="$TMP/corpus-$name"
	mkdir -p "$work"
	seeds="$(dirname "$0")/corpus/$name"
	# a crashing input is kept next to the target, in the (ignored) build directory
	if "$t" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$FUZZ_DIR/$name-" \
		"$work" "$seeds" >"$TMP/$name.log" 2>&1; then
		ok "fuzz $name for ${secs}s: $(grep -m1 'stat::number_of_executed_units' "$TMP/$name.log" | awk '{print $2}') runs, no crash"
	else
		not_ok "fuzz $name for ${secs}s" "$(grep -E 'ERROR|SUMMARY|Test unit written' "$TMP/$name.log" | head -5)"
	fi
done
done_testing

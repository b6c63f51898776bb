#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Exact accounting under overload: more events than the ring buffer holds,
# and delivered + lost must equal what the workload generated, exactly.
. "$(dirname "$0")/lib.sh"
needs test
need_root
STORM=${OUTPUT:-$(dirname "$NSTRACE")}/bench/setns_storm
CALLS=100000
THREADS=2
# --ns uts keeps exactly the storm's setns calls: its thread clones, exec and
# exit touch no uts namespace and are filtered in the kernel
GENERATED=$((CALLS * THREADS))

"$NSTRACE" record -o "$TMP/o.nst" -b 4096 --ns uts --comm setns_storm -- \
	"$STORM" $CALLS $THREADS >/dev/null 2>"$TMP/rec.err"
delivered=$("$NSTRACE" report "$TMP/o.nst" --format json | jq -c 'select(.syscall == "setns")' | wc -l)
lost=$("$NSTRACE" report "$TMP/o.nst" --format json | jq -s '[.[] | select(has("lost_total")) | .lost_total] | max // 0')
check "record: the buffer overflowed ($lost lost)" [ "$lost" -gt 0 ]
check "record: delivered $delivered + lost $lost = generated $GENERATED" \
	[ $((delivered + lost)) -eq $GENERATED ]

# live trace: the loss is reported as it happens and in the summary
if start_tracer "$TMP/t.json" "$TMP/t.err" --json -b 4096 --ns uts --comm setns_storm; then
	"$STORM" $CALLS $THREADS >/dev/null
	sleep 0.3
	kill -INT $TRACER
	wait $TRACER
	delivered=$(wc -l <"$TMP/t.json")
	lost=$(sed -n 's/.*; lost \([0-9]*\)$/\1/p' "$TMP/t.err")
	check "trace: loss reported live" grep -q 'lost [0-9]* events (ring buffer full' "$TMP/t.err"
	check "trace: summary has the loss and advice" grep -q 'WARNING: [0-9]* events were lost' "$TMP/t.err"
	check "trace: delivered $delivered + lost $lost = generated $GENERATED" \
		[ $((delivered + ${lost:-0})) -eq $GENERATED ]
else
	not_ok "tracer started" "$(cat "$TMP/t.err")"
fi
done_testing

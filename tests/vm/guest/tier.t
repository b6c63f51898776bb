#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# In the VM (busybox sh): --tier auto picks the tier tests/vm/kernels.conf
# expects of this kernel (NST_EXPECT_TIER, exported by the VM's init), and
# every command's output says which tier ran.
. "$(dirname "$0")/../../lib.sh"
need_root
tier=${NST_EXPECT_TIER:?no expected tier: tests/vm/kernels.conf has none for this kernel}

# trace: the start line, every JSON event, the summary
if start_tracer "$TMP/ev.json" "$TMP/trace.err" --json --comm unshare --duration 4s; then
	unshare -n -u true
	wait $TRACER
	check "trace: the start line says tier $tier" \
		grep -q "Tracing namespace transitions (backend bpf, tier $tier)" "$TMP/trace.err"
	all=$(wc -l <"$TMP/ev.json")
	fe=$(grep -c '"source":"'"$tier"'"' "$TMP/ev.json")
	check "trace: all $all JSON events say source $tier" [ "$all" -gt 0 -a "$fe" -eq "$all" ]
	check "trace: the summary says tier $tier" grep -q "Summary (backend bpf, tier $tier)" "$TMP/trace.err"
else
	not_ok "trace started" "$(cat "$TMP/trace.err")"
fi

"$NSTRACE" demo >"$TMP/demo.out" 2>"$TMP/demo.err"
check "demo: exits 0" [ $? -eq 0 ]
check "demo: says tier $tier" grep -q "the pod scenario (backend bpf, tier $tier)" "$TMP/demo.err"
check "demo: the summary says tier $tier" grep -q "Summary (backend bpf, tier $tier)" "$TMP/demo.out"

"$NSTRACE" record -o "$TMP/r.nst" -- unshare -n true 2>"$TMP/rec.err"
check "record: says tier $tier" grep -q "(backend bpf, tier $tier)" "$TMP/rec.err"
"$NSTRACE" report "$TMP/r.nst" >"$TMP/report.out" 2>&1
check "report: the recording's header says tier $tier" \
	grep -q "Recording: .*tier $tier" "$TMP/report.out"

"$NSTRACE" run --ns net --trace -- true 2>"$TMP/run.err" >/dev/null
check "run --trace: says tier $tier" grep -q "tracing its creation (tier $tier)" "$TMP/run.err"

"$NSTRACE" bench --ns net -n 20 -j 1 --json >"$TMP/bench.json" 2>"$TMP/bench.err"
check "bench: the environment says tier $tier" grep -q '"tier":"'"$tier"'"' "$TMP/bench.json"

"$NSTRACE" serve --listen 127.0.0.1:9464 >/dev/null 2>"$TMP/serve.err" &
srv=$!
for _ in $(seq 1 100); do
	wget -q -O "$TMP/metrics" http://127.0.0.1:9464/metrics 2>/dev/null && break
	sleep 0.1
done
kill $srv
wait $srv 2>/dev/null
check "serve: says tier $tier" grep -q "(backend bpf, tier $tier)" "$TMP/serve.err"
check "serve: nstrace_build_info has tier=\"$tier\"" \
	grep -q "nstrace_build_info{.*tier=\"$tier\"" "$TMP/metrics"

done_testing

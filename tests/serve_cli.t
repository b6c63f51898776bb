#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# nstrace serve: a real Prometheus scrapes it; promtool checks the format;
# 100 concurrent scrapers under churn; bounded memory; HTTP errors; bad input.
. "$(dirname "$0")/lib.sh"
needs test serve
need_root

PORT=$(free_port)
URL=http://127.0.0.1:$PORT
"$NSTRACE" serve --listen 127.0.0.1:$PORT 2>"$TMP/serve.err" &
SERVE=$!
for _ in $(seq 1 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
check "serve answers /healthz" curl -sf "$URL/healthz"
check "serve listens on loopback only" sh -c "ss -ltn | grep -q '127.0.0.1:$PORT '"

# a real Prometheus, on loopback, scraping every second
prom_start "$PORT"
for _ in $(seq 1 100); do [ "$(q 'up{job="nstrace"}')" = 1 ] && break; sleep 0.2; done
check "Prometheus scrapes nstrace (up == 1)" [ "$(q 'up{job="nstrace"}')" = 1 ]
# The counters are the machine's (the host's series and those of
# containers other tests may run): whatever else runs here may add a
# namespace or two in these seconds (another test suite did), but none of
# ours may be missing, and none counted twice. A round that something
# else disturbed is tried again, up to three rounds.
within() { [ "$1" -ge "$2" ] && [ "$1" -lt $(($2 * 2)) ]; }
for round in 1 2 3; do
	net0=$(q 'sum(nstrace_namespaces_created_total{type="net"})')
	uts0=$(q 'sum(nstrace_namespaces_created_total{type="uts"})')
	for i in 1 2 3 4 5; do unshare -n true; done
	for i in 1 2 3; do unshare -u true; done
	sleep 3
	net1=$(q 'sum(nstrace_namespaces_created_total{type="net"})')
	uts1=$(q 'sum(nstrace_namespaces_created_total{type="uts"})')
	within $((net1 - net0)) 5 && within $((uts1 - uts0)) 3 && break
	echo "# round $round: net $net0 -> $net1, uts $uts0 -> $uts1; again"
done
check "Prometheus sees the 5 net namespaces created ($net0 -> $net1)" within $((net1 - net0)) 5
check "Prometheus sees the 3 uts namespaces created ($uts0 -> $uts1)" within $((uts1 - uts0)) 3
check "creation latency histogram counted them" \
	[ "$(q 'sum(nstrace_namespace_creation_latency_seconds_count{type="net"})')" = "$net1" ]
check "our unshares are the host's: container=\"\" has them" \
	[ "$(q 'nstrace_namespaces_created_total{type="uts",container="",pod=""}')" -ge 3 ]
kill $PROM
wait $PROM 2>/dev/null

curl -sf "$URL/metrics" >"$TMP/m.txt"
check "promtool check metrics passes" promtool check metrics <"$TMP/m.txt"
check "/api/namespaces is the ls inventory as JSON" \
	jq -e '.namespaces | length > 0 and all(has("ns") and has("type") and has("nprocs"))' \
	<(curl -sf "$URL/api/namespaces")
# CREATED: a namespace serve saw created carries its creation time; one
# that existed before serve started has none
t0=$(date +%s)
unshare -u sleep 30 &
holder=$!
init_uts=$(stat -L -c %i /proc/$$/ns/uts)
for _ in $(seq 1 100); do # until unshare has run, even on a loaded machine
	uts=$(stat -L -c %i /proc/$holder/ns/uts)
	[ "$uts" != "$init_uts" ] && break
	sleep 0.1
done
t1=$(date +%s)
for _ in $(seq 1 50); do # until serve has consumed the event
	curl -sf "$URL/api/namespaces" >"$TMP/inv.json"
	jq -e --argjson i "$uts" '.namespaces | any(.ns == $i and .created != null)' \
		"$TMP/inv.json" >/dev/null && break
	sleep 0.2
done
check "/api/namespaces: CREATED of a namespace serve saw created is in [$t0, $t1]" \
	jq -e --argjson i "$uts" --argjson t0 "$t0" --argjson t1 "$t1" '.namespaces |
	any(.ns == $i and .type == "uts" and (.created | sub("\\.[0-9]+Z$"; "Z") | fromdate) as $c |
	    $c >= $t0 and $c <= $t1)' "$TMP/inv.json"
check "/api/namespaces: no CREATED for a namespace older than serve" \
	jq -e --argjson i "$init_uts" '.namespaces | any(.ns == $i and .created == null)' "$TMP/inv.json"
kill $holder
wait $holder 2>/dev/null
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "unknown path: 404" [ "$(code "$URL/nope")" = 404 ]
check "POST: 405 (no endpoint changes state)" [ "$(code -X POST "$URL/metrics")" = 405 ]
check "oversized request: 413 or 431" sh -c "c=\$(curl -s -o /dev/null -w '%{http_code}' \
	-H 'X-Big: $(head -c 40000 /dev/zero | tr '\0' a)' $URL/metrics); [ \$c = 413 ] || [ \$c = 431 ]"
check "malformed request: 400" sh -c "printf 'GET /metrics HTTP/1.1\r\nBad Header\r\n\r\n' |
	timeout 5 nc -q1 127.0.0.1 $PORT | head -1 | grep -q ' 400 '"

# 100 concurrent scrapers while namespaces churn
CHURN=${OUTPUT:-$(dirname "$NSTRACE")}/bench/fork_unshare
"$CHURN" 4000 >/dev/null &
churn=$!
wrk -t2 -c100 -d5s "$URL/metrics" >"$TMP/wrk.txt" 2>&1
wait $churn
check "100 concurrent scrapers under churn: no errors, no non-2xx ($(grep -E 'Requests/sec' "$TMP/wrk.txt"))" \
	sh -c "grep -q 'requests in' '$TMP/wrk.txt' && ! grep -qE 'Non-2xx|Socket errors' '$TMP/wrk.txt'"
check "every scrape is a complete page" sh -c "curl -sf $URL/metrics | tail -1 | grep -q '^nstrace_build_info'"
rss0=$(awk '/VmRSS/ { print $2 }' /proc/$SERVE/status)
"$CHURN" 100000 inplace >"$TMP/churn.out"
sleep 1
rss1=$(awk '/VmRSS/ { print $2 }' /proc/$SERVE/status)
check "100,000 namespaces created and destroyed ($(grep -o 'iterations [0-9]*' "$TMP/churn.out"))" \
	grep -q 'iterations 100000' "$TMP/churn.out"
created=$(curl -sf "$URL/metrics" |
	sed -n 's/^nstrace_namespaces_created_total{type="uts",container="",pod=""} //p')
check "serve counted them ($created uts created)" [ "${created:-0}" -ge 100000 ]
check "memory stays bounded (RSS ${rss0} -> ${rss1} KiB)" [ $((rss1 - rss0)) -lt 16384 ]

"$NSTRACE" serve --listen 127.0.0.1:$PORT >/dev/null 2>"$TMP/busy.err"
check "a port in use is a clear error (exit 2)" grep -q 'address already in use' "$TMP/busy.err"
"$NSTRACE" serve --listen 127.0.0.1 >/dev/null 2>"$TMP/bad.err"
check "a bad --listen is a clear error" grep -q "invalid --listen '127.0.0.1'" "$TMP/bad.err"
kill $SERVE
wait $SERVE
check "serve exits 0 on SIGTERM" [ $? -eq 0 ]
done_testing

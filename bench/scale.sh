#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# A node-sized scale test. CONTAINERS containers' worth of namespaces made
# with `nstrace run` (new net, uts, ipc, mnt and pid each; a third of them
# join the net namespace of another, two containers to a pod, as a pod's
# containers share the pause container's), then, with all of them running:
#   1. `nstrace ls` against `lsns -l` (hyperfine, LS_RUNS runs, medians)
#   2. `nstrace serve`: /metrics scrape time and size (median of SCRAPES)
#   3. `nstrace ls --containers` with DOCKER_CTRS real containers of the
#      tests' private Docker Engine (tests/docker.sh), median of LS_RUNS
#   4. a churn of CHURN_RATE pod starts and stops per second (a pod: new
#      net, uts, ipc, mnt and pid, living one second) for CHURN_SECS,
#      traced whole-system live to a file while serve also watches: the
#      events lost by each (must be 0) and each collector's RSS and CPU
#      (from /proc/PID/status and /proc/PID/stat)
# Everything it made is removed on exit, Ctrl-C too.
# usage: sudo bench/scale.sh; a quick run:
#   CONTAINERS=100 DOCKER_CTRS=10 CHURN_SECS=10 LS_RUNS=3 bench/scale.sh
# SKIP_DOCKER=1 leaves out part 3.
set -u
cd "$(dirname "$0")/.." || exit 1
CONTAINERS=${CONTAINERS:-1000}
DOCKER_CTRS=${DOCKER_CTRS:-100}
CHURN_RATE=${CHURN_RATE:-20}
CHURN_SECS=${CHURN_SECS:-60}
LS_RUNS=${LS_RUNS:-10}
SCRAPES=${SCRAPES:-10}
for v in CONTAINERS DOCKER_CTRS CHURN_RATE CHURN_SECS LS_RUNS SCRAPES; do
	case ${!v} in '' | *[!0-9]* | 0)
		echo "scale.sh: invalid $v '${!v}': expected a whole number above 0" >&2
		exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "scale.sh: needs root (namespaces, tracing, a Docker Engine)" >&2; exit 2; }
scripts/deps.sh bench >/dev/null
[ "${SKIP_DOCKER:-0}" = 1 ] || scripts/deps.sh docker >/dev/null
make -s .output/nstrace
NST=$PWD/.output/nstrace
TMP=$(mktemp -d /tmp/nstrace-scale.XXXXXX)
. tests/docker.sh

POP='' SERVE='' TRACER='' CHURN=''
cleanup() {
	[ -z "$CHURN" ] || kill -KILL -- -"$CHURN" 2>/dev/null
	[ -z "$TRACER" ] || kill -INT "$TRACER" 2>/dev/null
	[ -z "$SERVE" ] || kill -INT "$SERVE" 2>/dev/null
	# the population is one session: its sleeps are pid 1 of their pid
	# namespaces and take only SIGKILL from outside
	[ -z "$POP" ] || kill -KILL -- -"$POP" 2>/dev/null
	# not a bare wait: dockerd is a child too, and docker_stop ends it
	for p in $TRACER $SERVE $POP; do wait "$p" 2>/dev/null; done
	docker_stop
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "# $(date -u +%FT%TZ), $(uname -r), $(nproc) CPUs, $(($(awk '/^MemTotal/ { print $2 }' /proc/meminfo) / 1048576)) GiB; $("$NST" --version | head -n 1)"

# The population: pod p's first container has its own namespaces, its
# second joins the first's net; the rest stand alone. One session of its
# own, started by setsid, so that one kill ends all of it.
pods=$((CONTAINERS / 3))
cat >"$TMP/pop.sh" <<EOF
ns="--ns net,uts,ipc,mnt,pid"
for p in \$(seq 1 $pods); do
	$NST run \$ns -- sleep 7200 &
	first=\$!
	# the joiner needs the first container's pid 1: the run's child
	# (up to 10 s: a loaded machine forks slowly)
	for _ in \$(seq 1 1000); do
		c=\$(pgrep -P \$first) && break
		sleep 0.01
	done
	$NST run --join \$c:net --ns uts,ipc,mnt,pid -- sleep 7200 &
done
for s in \$(seq 1 $((CONTAINERS - 2 * pods))); do
	$NST run \$ns -- sleep 7200 &
done
wait
EOF
s=$(date +%s%N)
setsid bash "$TMP/pop.sh" </dev/null >"$TMP/pop.log" 2>&1 &
POP=$!
for _ in $(seq 1 3000); do
	n=$(pgrep -c -s "$POP" -x sleep)
	[ "$n" -ge "$CONTAINERS" ] && break
	sleep 0.1
done
nets=$(lsns -n -t net | wc -l)
echo "# population: $n of $CONTAINERS containers running ($pods pods of two sharing net)" \
	"in $((($(date +%s%N) - s) / 1000000)) ms; the machine has $(lsns -n | wc -l) namespaces" \
	"($nets net), $(ls -d /proc/[0-9]* | wc -l) processes"
[ "$n" -ge "$CONTAINERS" ] || { echo "scale.sh: the population did not start:" >&2; tail "$TMP/pop.log" >&2; exit 1; }

echo
echo "## ls against lsns, $LS_RUNS runs each"
hyperfine -N --warmup 1 --runs "$LS_RUNS" --export-json "$TMP/ls.json" \
	"lsns -l" "$NST ls" >/dev/null 2>&1
jq -r '.results[] | "\(.command)\t\(.median * 10000 | round / 10) ms median (min \(.min * 10000 | round / 10), max \(.max * 10000 | round / 10))"' "$TMP/ls.json"
jq -r '(.results[0].median) as $l | .results[1:][] | "lsns / \(.command): \($l / .median | . * 100 | round / 100)x"' "$TMP/ls.json"
# The machine's other namespaces come and go between two listings (a
# test suite, a VM beside it), so compare on the population's own,
# read from /proc: each tool must list every one of them.
for p in $(pgrep -s "$POP" -x sleep); do
	for t in net uts ipc mnt pid; do stat -L -c %i "/proc/$p/ns/$t"; done
done | sort -u >"$TMP/pop.ns"
lsns -n -o NS | sort -u >"$TMP/lsns.ns"
"$NST" ls -n -o NS | sort -u >"$TMP/nst.ns"
echo "population namespaces: $(wc -l <"$TMP/pop.ns"), listed by lsns $(comm -12 "$TMP/pop.ns" "$TMP/lsns.ns" | wc -l)," \
	"by nstrace ls $(comm -12 "$TMP/pop.ns" "$TMP/nst.ns" | wc -l)"

echo
echo "## serve /metrics, median of $SCRAPES scrapes"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$NST" serve --listen 127.0.0.1:"$port" >/dev/null 2>"$TMP/serve.err" &
SERVE=$!
for _ in $(seq 1 400); do
	grep -q '^Serving' "$TMP/serve.err" && break
	sleep 0.025
done
grep -q '^Serving' "$TMP/serve.err" || { echo "scale.sh: serve did not start:" >&2; cat "$TMP/serve.err" >&2; exit 1; }
curl -sf "http://127.0.0.1:$port/metrics" >/dev/null # the first scrape, untimed
for _ in $(seq 1 "$SCRAPES"); do
	curl -sf -o "$TMP/metrics" -w '%{time_total} %{size_download}\n' "http://127.0.0.1:$port/metrics"
done >"$TMP/scrapes"
echo "scrape: $(awk '{ print $1 * 1000 }' "$TMP/scrapes" | median) ms median," \
	"$(awk '{ print $2 }' "$TMP/scrapes" | median) bytes," \
	"$(grep -vc '^#' "$TMP/metrics") samples, $(grep -c '^# TYPE' "$TMP/metrics") metric families"

# scrape_lost: serve's nstrace_events_lost_total now
scrape_lost() {
	curl -sf "http://127.0.0.1:$port/metrics" | awk '$1 == "nstrace_events_lost_total" { print $2 }'
}

# cpu_ticks PID: user + system time so far, in clock ticks
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
rss_kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }

if [ "${SKIP_DOCKER:-0}" != 1 ]; then
	echo
	echo "## ls --containers with $DOCKER_CTRS containers of a private Docker Engine, $LS_RUNS runs"
	docker_start || exit 1
	trap cleanup EXIT # docker_start sets its own
	docker_image nstrace-scale-busybox || { echo "scale.sh: failed to import the busybox image" >&2; exit 1; }
	s=$(date +%s%N)
	for i in $(seq 1 "$DOCKER_CTRS"); do
		dk run -d --network=none --name "scale-$i" nstrace-scale-busybox sleep 7200 >/dev/null ||
			{ echo "scale.sh: docker run failed" >&2; exit 1; }
	done
	echo "# $DOCKER_CTRS containers started in $((($(date +%s%N) - s) / 1000000)) ms"
	export DOCKER_HOST=unix://$DK_SOCK
	hyperfine -N --warmup 1 --runs "$LS_RUNS" --export-json "$TMP/lsc.json" \
		"$NST ls --containers" >/dev/null 2>&1
	jq -r '.results[] | "\(.command)\t\(.median * 10000 | round / 10) ms median (min \(.min * 10000 | round / 10), max \(.max * 10000 | round / 10))"' "$TMP/lsc.json"
	named=$("$NST" ls --containers --json | jq '[.. | objects | select(has("name")) | .name | select(test("^scale-"))] | unique | length')
	echo "containers named scale-N in its output: $named of $DOCKER_CTRS"
fi

echo
echo "## churn: $CHURN_RATE pod starts and stops per second for $CHURN_SECS s, traced"
"$NST" -T >"$TMP/churn.txt" 2>"$TMP/churn.err" &
TRACER=$!
for _ in $(seq 1 400); do
	grep -q '^Tracing' "$TMP/churn.err" && break
	sleep 0.025
done
lost0=$(scrape_lost)
t0=$(cpu_ticks "$TRACER") v0=$(cpu_ticks "$SERVE")
# the churn paces itself by the clock: pod k starts at k / CHURN_RATE s
cat >"$TMP/churn.sh" <<EOF
# microseconds from bash itself: a fork per pod is all the pacing costs
us() { echo \$((\${EPOCHREALTIME/./})); }
start=\$(us)
step=\$((1000000 / $CHURN_RATE))
for k in \$(seq 0 $((CHURN_RATE * CHURN_SECS - 1))); do
	ahead=\$((start + k * step - \${EPOCHREALTIME/./}))
	[ \$ahead -le 0 ] || sleep "\$(printf '0.%06d' \$ahead)"
	$NST run --ns net,uts,ipc,mnt,pid -- sleep 1 &
done
last=\$(us)
wait
echo pods \$((k + 1)) seconds \$(echo "(\$last - \$start) / 1000000 + 1 / $CHURN_RATE" | bc -l)
EOF
s=$(date +%s%N)
setsid bash "$TMP/churn.sh" </dev/null >"$TMP/churn.log" 2>&1 &
CHURN=$!
wait "$CHURN"
CHURN=
el=$((($(date +%s%N) - s) / 1000000))
t1=$(cpu_ticks "$TRACER") v1=$(cpu_ticks "$SERVE")
hz=$(getconf CLK_TCK)
sleep 0.5 # the last events through the ring buffer
lost1=$(scrape_lost)
hwm_t=$(rss_kib "$TRACER" VmHWM) hwm_v=$(rss_kib "$SERVE" VmHWM)
kill -INT "$TRACER"
wait "$TRACER"
TRACER=
read -r _ npods _ secs <"$TMP/churn.log"
echo "$npods pods in $(printf %.1f "$secs") s: $(echo "$npods / $secs" | bc -l | xargs printf %.1f) pods/s" \
	"(asked $CHURN_RATE); $(grep -c . "$TMP/churn.txt") lines traced"
sed -n 's/^  events:/trace live: events:/p' "$TMP/churn.txt"
echo "serve: events lost during the churn: $((lost1 - lost0))"
# CPU over the churn's wall time; peak RSS (VmHWM) over the process's life
for c in "trace live:$t0:$t1:$hwm_t" "serve:$v0:$v1:$hwm_v"; do
	IFS=: read -r name c0 c1 pk <<<"$c"
	echo "$name: CPU $(echo "($c1 - $c0) * 100000 / $hz / $el" | bc -l | xargs printf %.1f) % of one CPU," \
		"peak RSS $((pk / 1024)) MiB ($pk KiB)"
done
echo
echo "# load average before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"

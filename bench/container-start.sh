#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Does tracing slow my container starts? `docker run -d` of a busybox
# image, then `docker rm -f`, N times in each of three modes, the modes
# alternated round by round in one run (the first mode rotates, so none
# always runs right after a teardown):
#   untraced    no tracer
#   system      nstrace live, whole system, text to a file
#   container   nstrace --container NAME --wait, started before the run
#               that creates NAME: the container being started is the
#               traced one, from its first namespace call (what a user
#               watching a deployment of one service does), so its start
#               pays the filter's match and every event, not just a check
# The engine is the tests' private Docker Engine (tests/docker.sh: its
# own data root and socket, no bridge; containers get --network=none).
# Prints the median start and removal times per mode, the ratios to
# untraced, the events each traced mode saw, and the events lost (nstrace's
# summary: "lost N"), which must be 0. Removes everything on exit, Ctrl-C too.
# usage: sudo bench/container-start.sh [N]    (default 50)
set -u
cd "$(dirname "$0")/.." || exit 1
N=${1:-50}
case $N in '' | *[!0-9]* | 0)
	echo "container-start.sh: invalid run count '$N': expected a whole number above 0" >&2
	exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "container-start.sh: needs root (tracing, a Docker Engine)" >&2; exit 2; }
scripts/deps.sh bench docker >/dev/null
make -s .output/nstrace
NST=$PWD/.output/nstrace
IMAGE=nstrace-bench-busybox
TMP=$(mktemp -d /tmp/nstrace-cstart.XXXXXX)
. tests/docker.sh

TRACER=
cleanup() {
	[ -z "$TRACER" ] || { kill -INT "$TRACER" 2>/dev/null; wait "$TRACER" 2>/dev/null; }
	docker_stop
	rm -rf "$TMP"
}
docker_start || exit 1
# after docker_start, which sets its own EXIT trap; a signal ends the
# script through exit, so that the EXIT trap runs
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
docker_image "$IMAGE" || { echo "container-start.sh: failed to import the busybox image" >&2; exit 1; }
# one container, untimed: the first start pays the image's first use
dk run -d --network=none --name warmup "$IMAGE" sleep 1000 >/dev/null && dk rm -f warmup >/dev/null

# tracer_start READY-PATTERN ARGS...: nstrace ARGS in the background, its
# output in $TMP/out, until it says READY-PATTERN on stderr
tracer_start() {
	local pat=$1
	shift
	"$NST" "$@" >"$TMP/out" 2>"$TMP/err" &
	TRACER=$!
	for _ in $(seq 1 400); do
		grep -q "$pat" "$TMP/err" && return 0
		kill -0 "$TRACER" 2>/dev/null || break
		sleep 0.025
	done
	echo "container-start.sh: nstrace $* did not get ready:" >&2
	cat "$TMP/err" >&2
	exit 1
}

# tracer_stop MODE: Ctrl-C to the tracer, then its event count and lost
# counter from the summary ("... lost N") into $TMP/MODE.events, .lost
tracer_stop() {
	kill -INT "$TRACER"
	wait "$TRACER"
	TRACER=
	# "  events: clone 3 exec 2 ...; failed 0; lost 0": the sum of the counts
	awk '/^  events:/ { sub(/;.*/, ""); for (i = 3; i <= NF; i += 2) n += $i; print n + 0 }' \
		"$TMP/out" >>"$TMP/$1.events"
	lost=$(sed -n 's/^  events:.*; lost \([0-9]*\)$/\1/p' "$TMP/out")
	echo "${lost:-missing}" >>"$TMP/$1.lost"
}

ms_since() { echo $((($(date +%s%N) - $1) / 1000)) | awk '{ printf "%.1f\n", $1 / 1000 }'; }

# one_run MODE NAME: the timed docker run -d and docker rm -f
one_run() {
	local s
	s=$(date +%s%N)
	dk run -d --network=none --name "$2" "$IMAGE" sleep 1000 >/dev/null ||
		{ echo "container-start.sh: docker run failed" >&2; exit 1; }
	ms_since "$s" >>"$TMP/$1.start"
	# the --wait tracer finds the container through the engine: give it
	# the moment it needs, untimed, so that removal does not race it
	[ "$1" != container ] || wait_for_tracing
	s=$(date +%s%N)
	dk rm -f "$2" >/dev/null
	ms_since "$s" >>"$TMP/$1.rm"
}

wait_for_tracing() {
	for _ in $(seq 1 200); do
		grep -q '^Tracing' "$TMP/err" && return 0
		sleep 0.025
	done
	echo "container-start.sh: the --container tracer never started tracing:" >&2
	cat "$TMP/err" >&2
	exit 1
}

export DOCKER_HOST=unix://$DK_SOCK
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
modes=(untraced system container)
for r in $(seq 1 "$N"); do
	for k in 0 1 2; do
		m=${modes[$(((r + k) % 3))]}
		name=bench-$m-$r
		case $m in
		untraced) one_run "$m" "$name" ;;
		system)
			tracer_start '^Tracing' -T
			one_run "$m" "$name"
			tracer_stop "$m" ;;
		container)
			tracer_start '^Waiting for container' -T --container "$name" --wait
			one_run "$m" "$name"
			tracer_stop "$m" ;;
		esac
	done
done

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "# $(date -u +%FT%TZ), $(uname -r), $(nproc) CPUs, $N runs per mode; $("$NST" --version | head -n 1)"
echo "# docker $(dk version -f '{{.Server.Version}}'), image $IMAGE (busybox-static), --network=none"
echo "# load average before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
base=$(median <"$TMP/untraced.start")
printf "%-10s %16s %8s %14s %16s %6s\n" mode "start ms median" ratio "rm ms median" "events median" lost
for m in "${modes[@]}"; do
	s=$(median <"$TMP/$m.start")
	ev=-
	lost=-
	if [ "$m" != untraced ]; then
		ev=$(median <"$TMP/$m.events")
		# the sum over every run; "missing" when a summary had no lost counter
		lost=$(awk '$1 == "missing" { bad = 1 } { n += $1 } END { print bad ? "missing" : n }' "$TMP/$m.lost")
	fi
	printf "%-10s %16s %7.3fx %14s %16s %6s\n" "$m" "$s" "$(echo "$s / $base" | bc -l)" \
		"$(median <"$TMP/$m.rm")" "$ev" "$lost"
done
# loss is the ring buffer overflowing: on a shared machine, another
# workload's storm of namespace calls fills it, not the container starts
for m in system container; do
	awk -v m=$m '$1 != 0 { k++; if ($1 > max) max = $1 }
		END { printf "%s: runs that lost events: %d of %d (most in one run: %d)\n", m, k, NR, max }' \
		"$TMP/$m.lost"
done

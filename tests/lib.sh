# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Shared helpers for the shell tests: TAP output and tracer start-up.
NSTRACE=${NSTRACE:-$(cd "$(dirname "$0")/.." && pwd)/.output/nstrace}
TMP=$(mktemp -d /tmp/nstrace-test.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
t_n=0
t_fail=0
read -r t_start _ </proc/uptime

# section NAME: a TAP comment with the seconds since the test began, so a
# slow or killed run shows where its time went
section() {
	read -r now _ </proc/uptime
	echo "# --- $1 (at $(awk "BEGIN { print $now - $t_start }") s)"
}

ok() {
	t_n=$((t_n + 1))
	echo "ok $t_n - $1"
}

not_ok() {
	t_n=$((t_n + 1))
	t_fail=$((t_fail + 1))
	echo "not ok $t_n - $1"
	shift
	for l in "$@"; do echo "# $l"; done
}

# check NAME COMMAND...: ok when the command succeeds (its stdout is not TAP: dropped)
check() {
	name=$1
	shift
	if "$@" >/dev/null; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}

# expect_usage NAME PATTERN CMD...: exit status 2 and a message matching PATTERN
expect_usage() {
	name=$1 pat=$2
	shift 2
	"$@" >/dev/null 2>"$TMP/usage.err"
	st=$?
	if [ $st -eq 2 ] && grep -qE "$pat" "$TMP/usage.err"; then
		ok "$name"
	else
		not_ok "$name" "exit $st, stderr: $(cat "$TMP/usage.err")"
	fi
}

done_testing() {
	echo "1..$t_n"
	[ "$t_fail" -eq 0 ]
}

# needs GROUP...: the package groups of scripts/deps.sh whose programs this
# test uses. make check installs every group that a test names before the
# first test runs (the Makefile reads these lines), so the order of tests
# never matters; here a group that is still missing is checked, not
# installed: with CI=true that fails the test, elsewhere it skips. The VM's
# guest has no package manager: there, what the image holds is what it has.
needs() {
	command -v dpkg-query >/dev/null || return 0
	for d in "$(dirname "$0")/.." "$(dirname "$0")/../.."; do
		[ -x "$d/scripts/deps.sh" ] || continue
		"$d/scripts/deps.sh" --check "$@" 2>"$TMP/needs.err" && return 0
		if [ "${CI:-}" = true ]; then
			echo "not ok 1 - $(cat "$TMP/needs.err")"
			echo "1..1"
			exit 1
		fi
		echo "1..0 # SKIP $(cat "$TMP/needs.err")"
		exit 0
	done
	echo "not ok 1 - needs: scripts/deps.sh not found beside $0"
	echo "1..1"
	exit 1
}

# Root (or CAP_BPF) is needed; with CI=true a missing privilege is a failure.
need_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - needs root (CI=true: privileged tests may not skip)"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP needs root"
	exit 0
}

# start_tracer OUT ERR ARGS...: run nstrace (trace or record) in the background
# until it is attached
start_tracer() {
	out=$1 err=$2
	shift 2
	"$NSTRACE" "$@" >"$out" 2>"$err" &
	TRACER=$!
	for _ in $(seq 1 100); do
		grep -qE '^(Tracing|Recording)' "$err" 2>/dev/null && return 0
		kill -0 $TRACER 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# wait_for FILE PATTERN: until a background nstrace writes PATTERN (grep) there
wait_for() {
	for _ in $(seq 1 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# A TCP port on loopback that nobody listens on now
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# prom_start PORT: a real Prometheus on loopback (PROM its pid) scraping
# nstrace serve on 127.0.0.1:PORT every second; q QUERY: the first value
# of an instant query, or "none"
prom_start() {
	PPORT=$(free_port)
	cat >"$TMP/prom.yml" <<EOC
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: nstrace
    static_configs: [ { targets: ["127.0.0.1:$1"] } ]
EOC
	prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/tsdb" \
		--web.listen-address=127.0.0.1:$PPORT >"$TMP/prom.log" 2>&1 &
	PROM=$!
}

q() {
	curl -sf "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result[0].value[1] // "none"'
}

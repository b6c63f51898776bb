#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# nstrace run: namespaces by inode, joins, id maps, exit status, fds, signals.
. "$(dirname "$0")/lib.sh"
needs test
need_root

TYPES="mnt uts ipc pid net user cgroup time"

# ns_of PID TYPE: the inode number of /proc/PID/ns/TYPE
ns_of() { stat -L -c %i "/proc/$1/ns/$2"; }

# inside ARGS...: "type=inode" lines for the command started by nstrace run
inside() {
	"$NSTRACE" run "$@" -- sh -c 'for t in mnt uts ipc pid net user cgroup time; do
		echo "$t=$(stat -L -c %i /proc/self/ns/$t)"; done'
}

# exactly the requested types are new
for want in "net,uts" "mnt,pid,ipc" "cgroup" "user"; do
	out=$(inside --ns "$want")
	bad=""
	for t in $TYPES; do
		got=$(echo "$out" | sed -n "s/^$t=//p")
		case ",$want," in
		*",$t,"*) [ "$got" != "$(ns_of $$ $t)" ] || bad="$bad $t(not new)" ;;
		*) [ "$got" = "$(ns_of $$ $t)" ] || bad="$bad $t(unexpectedly new)" ;;
		esac
	done
	check "--ns $want gives exactly those new namespaces$bad" [ -z "$bad" ]
done

# --join shares exactly the listed types with the target
unshare -n -u -i sleep 30 &
holder=$!
sleep 0.2
out=$(inside --join "$holder:net,uts")
bad=""
for t in net uts; do
	[ "$(echo "$out" | sed -n "s/^$t=//p")" = "$(ns_of $holder $t)" ] || bad="$bad $t"
done
[ "$(echo "$out" | sed -n "s/^ipc=//p")" = "$(ns_of $$ ipc)" ] || bad="$bad ipc-joined"
check "--join PID:net,uts shares net and uts only$bad" [ -z "$bad" ]
kill $holder

# --map-root: uid 0 inside, also for an unprivileged caller
check "--map-root gives uid 0 (root caller)" \
	[ "$("$NSTRACE" run --ns user,mnt --map-root -- id -u)" = 0 ]
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$NSTRACE" run --ns user,mnt --map-root -- id -u 2>&1)
check "--map-root gives uid 0 (unprivileged caller: $out)" [ "$out" = 0 ]

# exit status
"$NSTRACE" run -- sh -c 'exit 7'
check "exit status is the command's" [ $? -eq 7 ]
"$NSTRACE" run -- sh -c 'kill -9 $$'
check "killed command gives 128+9" [ $? -eq 137 ]

# no fd leaks, including fds inherited from our caller
exec 7</dev/null
fds=$("$NSTRACE" run -- sh -c 'ls /proc/$$/fd' | tr '\n' ' ')
exec 7<&-
check "no fd leaks into the command (got: $fds)" [ "$fds" = "0 1 2 " ]

# signals are forwarded
"$NSTRACE" run -- sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done' &
r=$!
sleep 0.5
kill -TERM $r
wait $r
check "SIGTERM is forwarded to the command" [ $? -eq 42 ]

# the command's creation is traced from birth
"$NSTRACE" run --ns net,uts --json -o "$TMP/ev.json" -- true 2>"$TMP/run.err"
check "--trace says which tier ran" grep -qE 'tracing its creation \(tier (tracepoint|fentry)\)' \
	"$TMP/run.err"
n=$(jq -c 'select(.syscall == "clone3" and (.changed | index("net")) and
	(.changed | index("uts")) and .after.net != .before.net)' "$TMP/ev.json" | wc -l)
check "--json -o FILE has the clone3 that created the namespaces" [ "$n" -eq 1 ]
check "--json -o FILE has the command's exec" \
	[ "$(jq -c 'select(.syscall == "exec" and .comm == "true")' "$TMP/ev.json" | wc -l)" -eq 1 ]

# bad input
expect_usage "bad --join" "invalid --join 'x'" "$NSTRACE" run --join x -- true
expect_usage "--join of a missing pid" "no such process" "$NSTRACE" run --join 999999999:net -- true
expect_usage "--mount-proc without pid+mnt" "needs new pid and mnt" "$NSTRACE" run --mount-proc -- true
expect_usage "unknown type" "unknown namespace type 'nett'" "$NSTRACE" run --ns nett -- true
expect_usage "no command" "no command given" "$NSTRACE" run --ns net

done_testing

#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Containers in recordings (format 4 identity blocks) and in `nstrace
# report`, against a Docker Engine of the test's own (tests/docker.sh):
# `nstrace record` while web1 and web2 start and do namespace work (a
# `docker exec` into each, runc's setns), and a pod-like pair (a pause
# container and one joined to it, under a kubepods cgroup parent, with the
# kubelet's pod labels); then the report grouped by container and by pod.
# What is expected comes from `docker inspect` and from what the test
# itself started, never from nstrace.
. "$(dirname "$0")/lib.sh"
needs test docker
. "$(dirname "$0")/docker.sh"
docker_ready nstbox
docker_pod_env

# mark NAME CONTAINER: a docker exec into CONTAINER whose command name is NAME
mark() {
	dk exec "$2" sh -c "ln -sf /bin/busybox /tmp/$1; /tmp/$1" >/dev/null 2>&1
}

section "the containers"
check "web1 runs" dk run -d --name web1 --network=none nstbox sleep 3600
check "web2 runs (--network=container:web1)" \
	dk run -d --name web2 --network=container:web1 nstbox sleep 3600
check "pod web-0: pause container under $pod_parent" \
	dk run -d --name web-0-pause --network=none --ipc=shareable --cgroup-parent="$pod_parent" \
	$pod_labels nstbox sleep 3600
check "pod web-0: app container joined to it" \
	dk run -d --name web-0-app --network=container:web-0-pause --ipc=container:web-0-pause \
	--cgroup-parent="$pod_parent" $pod_labels nstbox sleep 3600

# Following the four containers keeps the other work of a shared machine
# out of the file; a docker exec and an nsenter from the host are followed.
section "record while they do namespace work"
if ! start_tracer "$TMP/rec.out" "$TMP/rec.err" record -o "$TMP/r.nst" \
	--container web1,web2,web-0-pause,web-0-app; then
	not_ok "nstrace record starts" "$(cat "$TMP/rec.err")"
	done_testing
	exit
fi
mark xmark1 web1
mark xmark2 web2
mark xmark3 web-0-app
w1=$(dk inspect -f '{{.State.Pid}}' web1)
nsenter -t "$w1" -n true
sleep 1.5
kill -INT $TRACER
wait $TRACER
rc=$?
check "record ends cleanly" [ "$rc" -eq 0 ]
for c in web1 web2 web-0-pause web-0-app; do
	eval "id_${c//-/_}=$(dk inspect -f '{{.Id}}' $c)"
done
echo "# web1 $id_web1, web2 $id_web2, web-0-app $id_web_0_app; pod $pod_uid"

section "report --format json: the events carry their containers"
"$NSTRACE" report -f json "$TMP/r.nst" >"$TMP/ev.json" 2>"$TMP/ev.err"
check "report -f json exits 0" [ $? -eq 0 ]
for m in xmark1:web1:$id_web1 xmark2:web2:$id_web2 xmark3:web-0-app:$id_web_0_app; do
	IFS=: read -r comm name id <<<"$m"
	all=$(jq -c --arg c "$comm" 'select(.comm == $c)' "$TMP/ev.json" | wc -l)
	n=$(jq -c --arg c "$comm" --arg id "$id" --arg n "$name" 'select(.comm == $c and
		.container.id == $id and .container.name == $n and .container.runtime == "docker"
		and .container.image == "nstbox")' "$TMP/ev.json" | wc -l)
	if [ "$all" -gt 0 ] && [ "$n" -eq "$all" ]; then
		ok "docker exec $name: its $all events name $name and its id"
	else
		not_ok "docker exec $name: its events name $name" "$n of $all"
	fi
done
n=$(jq -c --arg u "$pod_uid" 'select(.comm == "xmark3" and .pod.uid == $u and
	.pod.name == "web-0" and .pod.namespace == "shop")' "$TMP/ev.json" | wc -l)
check "the pod's container's events name pod shop/web-0 ($pod_uid)" [ "$n" -gt 0 ]
n=$(jq -c 'select(.comm == "xmark1" and .pod != null)' "$TMP/ev.json" | wc -l)
check "web1's events are of no pod" [ "$n" -eq 0 ]
n=$(jq -c 'select(.comm == "nsenter" and .container == null and .pod == null)' "$TMP/ev.json" | wc -l)
all=$(jq -c 'select(.comm == "nsenter")' "$TMP/ev.json" | wc -l)
check "the host's nsenter: container and pod null ($n of $all)" [ "$all" -gt 0 -a "$n" -eq "$all" ]
n=$(jq -c --arg id "$id_web1" 'select(.comm == "nsenter" and .syscall == "setns" and
	.target.container.id == $id and .target.container.name == "web1")' "$TMP/ev.json" | wc -l)
check "nsenter -t <web1> -n: target.container is web1" [ "$n" -ge 1 ]

section "report --format json --group-by container"
"$NSTRACE" report -f json --group-by container "$TMP/r.nst" >"$TMP/g.json" 2>"$TMP/g.err"
check "exits 0" [ $? -eq 0 ]
for c in web1 web2 web-0-app; do
	v=id_${c//-/_}
	id=${!v}
	want=$(jq -c --arg id "$id" 'select(.container.id == $id)' "$TMP/ev.json" | wc -l)
	got=$(jq -r --arg id "$id" --arg n "$c" 'select(.container.id == $id and
		.container.name == $n) | .events' "$TMP/g.json")
	procs=$(jq -r --arg id "$id" 'select(.container.id == $id) | .processes' "$TMP/g.json")
	if [ "$want" -gt 0 ] && [ "$got" = "$want" ] && [ "${procs:-0}" -gt 0 ]; then
		ok "$c: one group, $got events (as many as carry its id), $procs processes"
	else
		not_ok "$c: one group with its events" "group says '${got}', the events $want"
	fi
done
n=$(jq -c 'select(.container == null and .resolved)' "$TMP/g.json" | wc -l)
check "one group for the host (container null)" [ "$n" -eq 1 ]
total=$(jq -s 'map(.events) | add' "$TMP/g.json")
check "the groups add up to every event ($total of $(wc -l <"$TMP/ev.json"))" \
	[ "$total" -eq "$(wc -l <"$TMP/ev.json")" ]

section "report --format json --group-by pod"
"$NSTRACE" report -f json --group-by pod "$TMP/r.nst" >"$TMP/p.json" 2>"$TMP/p.err"
check "exits 0" [ $? -eq 0 ]
want=$(jq -c --arg u "$pod_uid" 'select(.pod.uid == $u)' "$TMP/ev.json" | wc -l)
got=$(jq -r --arg u "$pod_uid" 'select(.pod.uid == $u and .pod.name == "web-0" and
	.pod.namespace == "shop") | .events' "$TMP/p.json")
check "pod shop/web-0: one group of both its containers' $want events" \
	[ "$want" -gt 0 -a "$got" = "$want" ]
check "the rest is one group of no pod" \
	[ "$(jq -c 'select(.pod == null and .resolved)' "$TMP/p.json" | wc -l)" -eq 1 ]

section "report (text)"
"$NSTRACE" report "$TMP/r.nst" >"$TMP/t.txt" 2>"$TMP/t.err"
check "exits 0" [ $? -eq 0 ]
for c in web1 web2 web-0-app; do
	v=id_${c//-/_}
	check "the containers table has $c with its short id" \
		grep -qE "^  $c +${!v:0:12} +docker " "$TMP/t.txt"
done
"$NSTRACE" report --group-by container "$TMP/r.nst" >"$TMP/tc.txt" 2>"$TMP/tc.err"
check "--group-by container exits 0" [ $? -eq 0 ]
# under_heading FILE WORD NAME PID: pid PID's timeline follows the heading " WORD NAME ..."
under_heading() {
	awk -v w="$2" -v n="$3" -v p="$4" '/^ [a-z]+ /{ c = ($1 == w && $2 == n) }
		$1 == "pid" && $2 == p { if (c) f = 1 } END { exit !f }' "$1"
}
p1=$(jq -r 'select(.comm == "xmark1") | .pid' "$TMP/ev.json" | head -n 1)
p3=$(jq -r 'select(.comm == "xmark3") | .pid' "$TMP/ev.json" | head -n 1)
check "xmark1 (pid $p1): its timeline is under web1's heading" under_heading "$TMP/tc.txt" container web1 "$p1"
check "... and the heading has web1's id" grep -q "^ container web1 (docker, id ${id_web1:0:12}, image nstbox)" "$TMP/tc.txt"
check "xmark3 (pid $p3): its timeline is under web-0-app's heading" under_heading "$TMP/tc.txt" container web-0-app "$p3"
not_under_heading() { ! under_heading "$@"; }
check "xmark1 is not under web2's heading" not_under_heading "$TMP/tc.txt" container web2 "$p1"
"$NSTRACE" report --group-by pod "$TMP/r.nst" >"$TMP/tp.txt" 2>"$TMP/tp.err"
check "--group-by pod: the pods table names shop/web-0" grep -qE "^  shop/web-0 +${pod_uid:0:12} " "$TMP/tp.txt"
check "xmark3 (pid $p3): under pod shop/web-0's heading" under_heading "$TMP/tp.txt" pod shop/web-0 "$p3"

"$NSTRACE" report -f chrome "$TMP/r.nst" >"$TMP/c.json" 2>"$TMP/c.err"
check "chrome: xmark1's process track (pid $p1) is named after web1" \
	jq -e --argjson p "$p1" '.traceEvents | any(.ph == "M" and .pid == $p and
	(.args.name | endswith(" web1")))' "$TMP/c.json"

# Its first events come before any cgroup walk has seen it: the recording
# names them once the resolver does (identity entries written later).
section "a container that starts while recording (--wait)"
"$NSTRACE" record -o "$TMP/r4.nst" --container web4 --wait >/dev/null 2>"$TMP/rec4.err" &
REC4=$!
if wait_for "$TMP/rec4.err" "Waiting for container 'web4'\|^Recording"; then
	check "web4 starts and unshares a uts namespace" dk run -d --name web4 --network=none \
		--cap-add SYS_ADMIN --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
		nstbox sh -c 'unshare -u true; sleep 3600'
	sleep 2
	kill -INT $REC4
	wait $REC4
	check "record --wait ends cleanly" [ $? -eq 0 ]
	id4=$(dk inspect -f '{{.Id}}' web4)
	"$NSTRACE" report -f json "$TMP/r4.nst" >"$TMP/ev4.json" 2>"$TMP/ev4.err"
	all=$(jq -c --argjson cg "$(jq -s --arg id "$id4" 'map(select(.container.id == $id)) | .[0].cgroup_id // 0' "$TMP/ev4.json")" \
		'select(.cgroup_id == $cg)' "$TMP/ev4.json" | wc -l)
	n=$(jq -c --arg id "$id4" 'select(.container.id == $id and .container.name == "web4")' "$TMP/ev4.json" | wc -l)
	check "every event of web4's cgroup names web4 ($n of $all)" [ "$all" -gt 0 -a "$n" -eq "$all" ]
	n=$(jq -c --arg id "$id4" 'select(.container.id == $id and .syscall == "unshare" and .flags == "CLONE_NEWUTS")' "$TMP/ev4.json" | wc -l)
	check "its unshare(CLONE_NEWUTS) is one of them" [ "$n" -ge 1 ]
else
	not_ok "record --container web4 --wait starts" "$(cat "$TMP/rec4.err")"
fi

section "bad input"
expect_usage "--group-by what: an error naming the valid ones" "valid: container, pod" \
	"$NSTRACE" report --group-by what "$TMP/r.nst"
expect_usage "--group-by with csv: an error" "works with --format text or json" \
	"$NSTRACE" report -f csv --group-by pod "$TMP/r.nst"

section "a format 3 recording (before identity blocks) still reads"
old=$(dirname "$0")/corpus/recfile/pod-demo.nst
"$NSTRACE" report -f json "$old" >"$TMP/old.json" 2>"$TMP/old.err"
check "report -f json of it exits 0" [ $? -eq 0 ]
check "its events are there, without container keys" \
	[ "$(jq -c 'select(has("pid") and (has("container") | not))' "$TMP/old.json" | wc -l)" -gt 0 ]
"$NSTRACE" report -f json --group-by container "$old" >/dev/null 2>"$TMP/old.err"
rc=$?
check "--group-by on it: a clear error (exit $rc)" grep -q "format 3 recording.*record it again" "$TMP/old.err"
check "... and exit status 2" [ "$rc" -eq 2 ]

docker_stop_checked
done_testing

#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Containers in `nstrace trace` output, against a Docker Engine of the
# test's own (tests/docker.sh): web1 (--uts=host) and web2
# (--network=container:web1 --uts=host), a `docker exec` into web1, and
# `nsenter -t PID -n` from the host into web1's and web2's network
# namespace (web1's: web2 joined it). What is expected comes from
# `docker inspect` and from what the test itself started, never from
# nstrace.
. "$(dirname "$0")/lib.sh"
needs test docker
. "$(dirname "$0")/docker.sh"
docker_setup
ok "dockerd started"
check "image imported from a busybox-static root" docker_image nstbox
export DOCKER_HOST=unix://$DK_SOCK

# mark NAME CONTAINER: a process in CONTAINER whose command name is NAME (busybox
# under another name: the applet is not found, which does not matter)
mark() {
	dk exec "$2" sh -c "ln -sf /bin/busybox /tmp/$1; /tmp/$1" >/dev/null 2>&1
}

section "trace --json while the containers start"
if ! start_tracer "$TMP/j" "$TMP/jerr" --json; then
	not_ok "nstrace --json starts" "$(cat "$TMP/jerr")"
	done_testing
	exit
fi
check "web1 runs (--uts=host)" dk run -d --name web1 --uts=host nstbox httpd -f -p 8080
check "web2 runs (--network=container:web1 --uts=host)" \
	dk run -d --name web2 --network=container:web1 --uts=host nstbox sleep 3600
id1=$(dk inspect -f '{{.Id}}' web1) w1=$(dk inspect -f '{{.State.Pid}}' web1)
w2=$(dk inspect -f '{{.State.Pid}}' web2)
# the resolver walks the cgroups again at most once a second
sleep 2.5
mark xmark1 web1
nsenter -t "$w1" -n true
nsenter -t "$w2" -n true
sleep 1
kill -INT $TRACER
wait $TRACER
echo "# web1 $id1 pid $w1; web2 pid $w2; $(wc -l <"$TMP/j") events"

n=$(jq -c --arg id "$id1" 'select(.comm == "xmark1" and .container.id == $id and
	.container.name == "web1" and .container.runtime == "docker" and
	.container.image == "nstbox" and .pod == null)' "$TMP/j" | wc -l)
all=$(jq -c 'select(.comm == "xmark1")' "$TMP/j" | wc -l)
if [ "$all" -gt 0 ] && [ "$n" -eq "$all" ]; then
	ok "docker exec web1: its $all events name web1, its id, docker, nstbox"
else
	not_ok "docker exec web1: its events name web1" "$n of $all; $(jq -c 'select(.comm == "xmark1") | .container' "$TMP/j" | head -n 3)"
fi
n=$(jq -c --arg id "$id1" 'select(.container.id == $id and .container.name != "web1" and .container.name != null)' "$TMP/j" | wc -l)
check "no event of web1's cgroup has another name (null: not known yet)" [ "$n" -eq 0 ]
echo "# web1's events: $(jq -c --arg id "$id1" 'select(.container.id == $id)' "$TMP/j" | wc -l) named by id," \
	"$(jq -c --arg id "$id1" 'select(.container.id == $id and .container.name == null)' "$TMP/j" | wc -l) before the name was known," \
	"$(jq -c --argjson p "$w1" 'select(.pid == $p and .container == null)' "$TMP/j" | wc -l) of its init before its cgroup was"
n=$(jq -c 'select(.comm == "nsenter" and .container == null and .pod == null)' "$TMP/j" | wc -l)
all=$(jq -c 'select(.comm == "nsenter")' "$TMP/j" | wc -l)
if [ "$all" -gt 0 ] && [ "$n" -eq "$all" ]; then
	ok "host events (nsenter, $all) carry container and pod null"
else
	not_ok "host events carry container and pod null" "$n of $all"
fi
sn=$(jq -c 'select(.comm == "nsenter" and .syscall == "setns")' "$TMP/j")
echo "# setns events of nsenter: $(echo "$sn" | jq -c '.target' | tr '\n' ' ')"
net1=$(stat -Lc %i "/proc/$w1/ns/net")
n=$(echo "$sn" | jq -c --arg id "$id1" --argjson net "$net1" \
	'select(.target.ns.net == $net and .target.container.id == $id and
	.target.container.name == "web1")' | wc -l)
check "nsenter -t <web1> -n and -t <web2> -n: target.container is web1 (twice)" [ "$n" -eq 2 ]
n=$(jq -c 'select(.syscall == "setns" and .target.container == null and
	(.target.ns | to_entries | all(.value == 4026531833 or .value < 4026531840)))' "$TMP/j" | wc -l)
echo "# setns events into host namespaces with target.container null: $n"

section "trace (text) with web1 running"
if start_tracer "$TMP/t" "$TMP/terr"; then
	mark xmark2 web1
	nsenter -t "$w1" -n true
	sleep 1
	kill -INT $TRACER
	wait $TRACER
	check "CONTAINER is a default column while containers run" \
		grep -q '^ *PID *PPID COMM *CONTAINER *SYSCALL' "$TMP/t"
	check "the docker exec's rows show web1" grep -qE ' xmark2 +web1 ' "$TMP/t"
	check "nsenter's setns DETAIL says (container web1)" \
		grep -qE "nsenter .*setns .*target net:\[$net1\] \(container web1\)" "$TMP/t"
	check "nsenter's rows have an empty CONTAINER" grep -qE ' nsenter +setns ' "$TMP/t"
else
	not_ok "nstrace starts" "$(cat "$TMP/terr")"
fi

section "clean-up"
docker_stop_checked
done_testing

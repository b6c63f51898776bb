#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The filters that follow a container, against a real Docker Engine that
# this test starts (tests/docker.sh): --container, --ns-of, --pod and --wait.
# web1 runs with --uts=host, web2 joins its network (--network=container:web1
# --uts=host), "other" is unrelated, and a pod-like pair sits under
# --cgroup-parent kubepods/besteffort/pod<uid> with the kubelet's labels. A
# docker exec is no descendant of the container's init: only the namespace
# part of the filter can catch it. The containers get CAP_SYS_ADMIN and no
# seccomp profile: Docker's refuses unshare before the syscall tracepoint
# sees it (and --privileged asks for capabilities this sandbox lacks).
# Every expected value comes from docker inspect and /proc/PID/ns, never
# from nstrace.
. "$(dirname "$0")/lib.sh"
needs test docker
. "$(dirname "$0")/docker.sh"
docker_setup
ok "dockerd started"
check "image imported from a busybox-static root" docker_image nstbox
export DOCKER_HOST=unix://$DK_SOCK

# ino PID TYPE: the inode of a namespace of a process, from /proc
ino() {
	readlink "/proc/$1/ns/$2" | tr -dc 0-9
}

pid_of() {
	dk inspect -f '{{.State.Pid}}' "$1"
}

section "containers"
caps="--cap-add SYS_ADMIN --security-opt seccomp=unconfined"
# shellcheck disable=SC2086
check "web1 runs (--uts=host)" dk run -d --name web1 --uts=host $caps nstbox httpd -f -p 8080
# shellcheck disable=SC2086
check "web2 runs (--network=container:web1 --uts=host)" \
	dk run -d --name web2 --network=container:web1 --uts=host $caps nstbox sleep 3600
# shellcheck disable=SC2086
check "other runs (unrelated)" dk run -d --name other --network=none $caps nstbox sleep 3600
docker_pod_env
# shellcheck disable=SC2086
check "the pod's pause container runs under $pod_parent" \
	dk run -d --name web-0-pause --network=none --ipc=shareable --cgroup-parent="$pod_parent" \
	$pod_labels nstbox sleep 3600
# shellcheck disable=SC2086
check "the pod's app joins its net and ipc" \
	dk run -d --name web-0-app --network=container:web-0-pause --ipc=container:web-0-pause \
	--cgroup-parent="$pod_parent" $pod_labels $caps nstbox sleep 3600
w1=$(pid_of web1) w2=$(pid_of web2) wo=$(pid_of other) pa=$(pid_of web-0-app)
host_mnt=$(ino $$ mnt) w1_mnt=$(ino "$w1" mnt) w2_mnt=$(ino "$w2" mnt)
o_mnt=$(ino "$wo" mnt) pa_mnt=$(ino "$pa" mnt)
echo "# mnt: host $host_mnt web1 $w1_mnt web2 $w2_mnt other $o_mnt web-0-app $pa_mnt"
if [ "$(ino "$w1" net)" = "$(ino "$w2" net)" ] && [ "$(ino "$w1" uts)" = "$(ino $$ uts)" ]; then
	ok "web2 shares web1's net; web1 has the host's uts"
else
	not_ok "web2 shares web1's net; web1 has the host's uts"
fi

# trace_during OUT ARGS... -- the tracer runs while the caller's commands run;
# stop_tracer ends it
trace_start() {
	out=$1
	shift
	if start_tracer "$out" "$out.err" --json "$@"; then
		return 0
	fi
	not_ok "nstrace $* attaches" "$(cat "$out.err")"
	return 1
}

stop_tracer() {
	sleep 0.3
	kill -INT "$TRACER" 2>/dev/null
	wait "$TRACER" 2>/dev/null
}

# has OUT JQ NAME: ok when some event satisfies JQ (a select condition)
has() {
	if jq -e "select($2)" "$1" 2>/dev/null | grep -q .; then
		ok "$3"
	else
		not_ok "$3" "events: $(jq -c '[.pid,.comm,.syscall,.before.mnt,.after.mnt]' "$1" 2>/dev/null | tr '\n' ' ' | cut -c1-1500)"
	fi
}

# has_not OUT JQ NAME: ok when no event satisfies JQ
has_not() {
	n=$(jq -c "select($2)" "$1" 2>/dev/null | wc -l)
	if [ "$n" -eq 0 ] && [ -s "$1.err" ]; then
		ok "$3"
	else
		not_ok "$3" "$n such events: $(jq -c "select($2) | [.pid,.comm,.syscall]" "$1" | head -n 5 | tr '\n' ' ')"
	fi
}

section "--container web1"
if trace_start "$TMP/c1" --container web1; then
	dk exec web1 unshare -u true
	nsenter -t "$w1" -m -u unshare -i true
	unshare -u true
	dk exec other unshare -u true
	stop_tracer
	has "$TMP/c1" ".syscall == \"unshare\" and .comm == \"unshare\" and .before.mnt == $w1_mnt and .flags == \"CLONE_NEWUTS\"" \
		"catches docker exec web1 unshare -u (no descendant of web1's init)"
	has "$TMP/c1" ".syscall == \"setns\" and .comm == \"nsenter\" and .target.ns.mnt == $w1_mnt" \
		"catches nsenter -t web1's setns into its mnt namespace, from the host"
	has "$TMP/c1" ".syscall == \"unshare\" and .before.mnt == $w1_mnt and .flags == \"CLONE_NEWIPC\"" \
		"catches what nsenter runs there (unshare -i)"
	has_not "$TMP/c1" ".syscall == \"unshare\" and .before.mnt == $host_mnt" \
		"not a host unshare -u"
	has_not "$TMP/c1" ".before.mnt == $o_mnt or .after.mnt == $o_mnt or .target.ns.mnt == $o_mnt" \
		"not a docker exec into the unrelated container"
fi

section "--ns-of web1's pid"
if trace_start "$TMP/n1" --ns-of "$w1"; then
	dk exec web1 unshare -u true
	unshare -u true
	stop_tracer
	has "$TMP/n1" ".syscall == \"unshare\" and .comm == \"unshare\" and .before.mnt == $w1_mnt" \
		"catches docker exec web1 unshare -u"
	has_not "$TMP/n1" ".syscall == \"unshare\" and .before.mnt == $host_mnt" \
		"not a host unshare -u"
fi

section "--ns-of web2's pid, mnt only"
if trace_start "$TMP/n2" --ns-of "$w2" --ns mnt; then
	# web1 shares web2's net, but not its mnt
	dk exec web1 unshare -m true
	dk exec web2 unshare -m true
	stop_tracer
	has_not "$TMP/n2" ".before.mnt == $w1_mnt or .after.mnt == $w1_mnt or .target.ns.mnt == $w1_mnt" \
		"not an exec into web1, which touches only web1's mnt namespace"
	has "$TMP/n2" ".syscall == \"unshare\" and .before.mnt == $w2_mnt" \
		"catches the same exec into web2"
fi

section "a container by id, from the cgroup paths alone"
w1_id=$(dk inspect -f '{{.Id}}' web1)
if DOCKER_HOST=unix://$TMP/none.sock trace_start "$TMP/i1" --container "${w1_id:0:12}"; then
	dk exec web1 unshare -u true
	stop_tracer
	has "$TMP/i1" ".syscall == \"unshare\" and .before.mnt == $w1_mnt" \
		"--container <12 hex> without a runtime catches docker exec web1"
fi

section "bad input"
expect_usage "--container nosuch: exit 2 listing the running ones" \
	"failed to find container 'nosuch': no such running container \(running: .*web1, web2" \
	"$NSTRACE" --container nosuch
expect_usage "a name with bad characters: exit 2" "invalid container name 'web 1'" \
	"$NSTRACE" --container 'web 1'
expect_usage "a name without a runtime, which only an id resolves: exit 2" \
	"no container runtime answered.*1 to 64 hex digits" \
	env DOCKER_HOST=unix://$TMP/none.sock "$NSTRACE" --container web1
# a hex digit that begins two running containers' ids is an ambiguous
# prefix; more containers until two share one (16 digits: at most 17)
shared_digit() {
	dk ps -q --no-trunc | cut -c1 | sort | uniq -d | head -n 1
}
for i in $(seq 1 17); do
	[ -n "$(shared_digit)" ] && break
	dk run -d --name "filler$i" --network=none nstbox sleep 3600 >/dev/null
done
shared=$(shared_digit)
expect_usage "an ambiguous id prefix '$shared': exit 2 naming the candidates" \
	"failed to find container '$shared': the id prefix matches several containers: .*\(${shared}" \
	"$NSTRACE" --container "$shared"
expect_usage "--pod nosuch: exit 2" "failed to find pod 'nosuch'" "$NSTRACE" --pod nosuch
expect_usage "--container with the kmod backend: exit 2" "need the bpf backend" \
	"$NSTRACE" --backend kmod --container web1
expect_usage "--pid with --container: exit 2" "cannot be combined" \
	"$NSTRACE" --pid $$ --container web1
expect_usage "--wait alone: exit 2" "[-]-wait needs --container or --pod" "$NSTRACE" --wait

section "--pod"
for key in shop/web-0 "$pod_uid"; do
	if NSTRACE_PODS_LOG_DIR=$TMP/nopods trace_start "$TMP/p1" --pod "$key"; then
		dk exec web-0-app unshare -u true
		dk exec web1 unshare -u true
		stop_tracer
		has "$TMP/p1" ".syscall == \"unshare\" and .before.mnt == $pa_mnt" \
			"--pod $key catches docker exec web-0-app"
		has_not "$TMP/p1" ".before.mnt == $w1_mnt or .target.ns.mnt == $w1_mnt" \
			"--pod $key: not an exec into web1"
	fi
done

section "--wait"
"$NSTRACE" --json --container web3 --wait >"$TMP/w1" 2>"$TMP/w1.err" &
TRACER=$!
if wait_for "$TMP/w1.err" "Waiting for container 'web3'"; then
	ok "--wait waits for web3"
	sleep 0.5
	check "web3 starts after nstrace" dk run -d --name web3 --network=none nstbox sleep 3600
	wait_for "$TMP/w1.err" "^Tracing" || not_ok "nstrace traces once web3 started" "$(cat "$TMP/w1.err")"
	sleep 0.5
	stop_tracer
	w3=$(pid_of web3)
	w3_mnt=$(ino "$w3" mnt)
	has "$TMP/w1" ".pid == $w3 or .child_pid == $w3" "the output has web3's init ($w3) from its start"
	has "$TMP/w1" ".after.mnt == $w3_mnt and .before.mnt != $w3_mnt" \
		"the call that made web3's mnt namespace is in the output (its first namespace calls)"
else
	not_ok "--wait waits for web3" "$(cat "$TMP/w1.err")"
	kill "$TRACER" 2>/dev/null
fi

section "recordings say what was followed"
if "$NSTRACE" record -o "$TMP/r.nst" --container web1 -d 500ms >/dev/null 2>"$TMP/r.err" &&
	grep -aq "container=web1" "$TMP/r.nst"; then
	ok "record --container web1 writes container=web1 in the header's filters"
else
	not_ok "record --container web1 writes the filter" "$(cat "$TMP/r.err")"
fi

section "clean-up"
docker_stop
echo "$TMP/docker" >"$TMP/pattern"
left=$(grep -lFf "$TMP/pattern" /proc/[0-9]*/cmdline 2>/dev/null | wc -l)
if [ "$left" -eq 0 ] && [ ! -e "$TMP/docker" ]; then
	ok "engine stopped: nothing of it left"
else
	not_ok "engine stopped: nothing left" "$left processes"
fi
done_testing

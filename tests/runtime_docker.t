#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Container identity and names against a real Docker Engine that this test
# starts (tests/docker.sh): the two-container scenario of the blog posts
# (web1 --uts=host; web2 --network=container:web1 --uts=host), a
# Kubernetes-style pod without Kubernetes (a pause container and two that
# join its net and ipc, under --cgroup-parent kubepods/besteffort/pod<uid>,
# labelled as the kubelet does, with a /var/log/pods look-alike; Docker
# shares no uts namespace but the host's), a
# container started after the listing, and sockets that are no Docker
# Engine. tests/runtime_test.c checks user/identity.c and user/runtime*.c
# against what `docker inspect` and /proc/PID/cgroup say; this script sets
# the scene and checks the namespaces themselves in /proc/PID/ns.
. "$(dirname "$0")/lib.sh"
needs test docker
. "$(dirname "$0")/docker.sh"
RT_TEST=${OUTPUT:-$(dirname "$NSTRACE")}/tests/runtime_test
if [ ! -x "$RT_TEST" ]; then
	not_ok "runtime_test is built (make tests)" "none at $RT_TEST"
	done_testing
	exit
fi

docker_setup
ok "dockerd $(dk version --format '{{.Server.Version}} (API {{.Server.APIVersion}})') started"
echo "# $(dk info --format 'cgroup driver {{.CgroupDriver}}, cgroup v{{.CgroupVersion}}, storage {{.Driver}}')"
check "image imported from a busybox-static root" docker_image nstbox

# ns PID TYPE: the namespace a process is in
ns() {
	readlink "/proc/$1/ns/$2"
}

pid_of() {
	dk inspect -f '{{.State.Pid}}' "$1"
}

section "web1 and web2"
check "web1 runs (--uts=host)" dk run -d --name web1 --uts=host nstbox httpd -f -p 8080
check "web2 runs (--network=container:web1 --uts=host)" \
	dk run -d --name web2 --network=container:web1 --uts=host nstbox sleep 3600
w1=$(pid_of web1) w2=$(pid_of web2)
if [ "$(ns "$w1" net)" = "$(ns "$w2" net)" ] && [ "$(ns "$w1" uts)" = "$(ns $$ uts)" ] &&
	[ "$(ns "$w2" uts)" = "$(ns $$ uts)" ] && [ "$(ns "$w1" pid)" != "$(ns "$w2" pid)" ]; then
	ok "web2 shares web1's net, both the host's uts, each its own pid"
else
	not_ok "web2 shares web1's net, both the host's uts" \
		"web1 $(ns "$w1" net) $(ns "$w1" uts); web2 $(ns "$w2" net) $(ns "$w2" uts)"
fi
echo "# web1's cgroup: $(grep '^0::' "/proc/$w1/cgroup")"

section "a pod without Kubernetes"
docker_pod_env
# shellcheck disable=SC2086
check "the pause container runs under $pod_parent" \
	dk run -d --name web-0-pause --network=none --ipc=shareable --cgroup-parent="$pod_parent" \
	$pod_labels --label io.kubernetes.container.name=POD nstbox sleep 3600
for c in app log; do
	# shellcheck disable=SC2086
	check "web-0-$c joins its net and ipc" \
		dk run -d --name "web-0-$c" --network=container:web-0-pause \
		--ipc=container:web-0-pause --cgroup-parent="$pod_parent" \
		$pod_labels --label io.kubernetes.container.name=$c nstbox sleep 3600
done
pp=$(pid_of web-0-pause) pa=$(pid_of web-0-app) pl=$(pid_of web-0-log)
same=yes
for t in net ipc; do
	[ "$(ns "$pp" $t)" = "$(ns "$pa" $t)" ] && [ "$(ns "$pp" $t)" = "$(ns "$pl" $t)" ] || same=no
done
if [ $same = yes ] && [ "$(ns "$pp" pid)" != "$(ns "$pa" pid)" ]; then
	ok "app and log share the pause container's net and ipc, not its pid"
else
	not_ok "app and log share the pause container's net and ipc" \
		"pause $(ns "$pp" net) $(ns "$pp" ipc); app $(ns "$pa" net) $(ns "$pa" ipc)"
fi
# Docker has no --uts=container: a --network=container: container gets a
# uts namespace of its own, with the other's hostname copied into it
if [ "$(ns "$pp" uts)" != "$(ns "$pa" uts)" ] &&
	[ "$(dk exec web-0-app hostname)" = "$(dk exec web-0-pause hostname)" ]; then
	ok "app has a uts namespace of its own, with the pause container's hostname"
else
	not_ok "app has a uts namespace of its own, with the pause container's hostname" \
		"pause $(ns "$pp" uts) $(dk exec web-0-pause hostname); app $(ns "$pa" uts) $(dk exec web-0-app hostname)"
fi
echo "# web-0-app's cgroup: $(grep '^0::' "/proc/$pa/cgroup")"
# the kubelet's log directories: <namespace>_<pod>_<uid>/<container>/0.log
mkdir -p "$TMP/pods/shop_web-0_$pod_uid/app" "$TMP/pods/shop_web-0_$pod_uid/log" \
	"$TMP/pods/kube-system_coredns-5d78c9869d-x7k2p_$(cat /proc/sys/kernel/random/uuid)"

section "what docker inspect says"
fmt='{{.Name}} {{.Id}} {{.Config.Image}} {{.State.Pid}} {{.HostConfig.NetworkMode}}'
fmt="$fmt {{.HostConfig.IpcMode}} {{or .HostConfig.UTSMode \"-\"}}"
for l in uid name namespace; do
	fmt="$fmt {{or (index .Config.Labels \"io.kubernetes.pod.$l\") \"-\"}}"
done
dk inspect -f "$fmt" web1 web2 web-0-pause web-0-app web-0-log | sed 's|^/||' >"$TMP/expect"
sed 's/^/#   /' "$TMP/expect"
[ "$(wc -l <"$TMP/expect")" -eq 5 ] && ok "five containers inspected" ||
	not_ok "five containers inspected" "$(cat "$TMP/expect")"

section "sockets that are no Docker Engine"
# garbage on connect, and an HTTP server that is not Docker's; one that never answers
bad_server() {
	python3 - "$1" "$2" <<'EOF' &
import socket, sys, time
path, kind = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(8)
held = []
while True:
    c, _ = s.accept()
    if kind == "hang":
        held.append(c)
        continue
    try:
        c.recv(4096)
        if kind == "garbage":
            c.sendall(b"\x00\xffSSH-2.0-nothing-like-http\r\n")
        else:
            c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>it works</html>\n")
    except OSError:
        pass  # a client that has gone already
    c.close()
EOF
	for _ in $(seq 1 50); do
		[ -S "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
bad_socks=
for kind in garbage html hang; do
	if bad_server "$TMP/$kind.sock" $kind; then
		bad_socks="$bad_socks${bad_socks:+:}$TMP/$kind.sock"
	else
		not_ok "python3 $kind server listens"
	fi
done

section "runtime_test against the engine"
NSTRACE_DOCKER_SOCK=$DK_SOCK NSTRACE_DOCKER_EXPECT=$TMP/expect NSTRACE_DOCKER_LATE=late1 \
	NSTRACE_PODS_LOG_DIR=$TMP/pods NSTRACE_BAD_SOCKS=$bad_socks \
	"$RT_TEST" >"$TMP/rt.out" 2>&1 &
rt=$!
for _ in $(seq 1 600); do
	grep -q "waiting for late1" "$TMP/rt.out" && break
	kill -0 $rt 2>/dev/null || break
	sleep 0.1
done
if grep -q "waiting for late1" "$TMP/rt.out"; then
	check "late1 starts after the listing" dk run -d --name late1 nstbox sleep 3600
else
	not_ok "runtime_test reaches the late start" "$(tail -n 20 "$TMP/rt.out")"
fi
wait $rt
st=$?
grep -E '^# (/|late1|#  +FAIL|.*Expected)' "$TMP/rt.out"
# its results as ours; with a Docker Engine given, none of them may skip
while read -r res rest; do
	name=${rest#* }
	case "$res $rest" in
	"ok "*"# SKIP"*) not_ok "runtime_test: $name" "skipped with a Docker Engine given" ;;
	"ok "*) ok "runtime_test: $name" ;;
	"not ok "*) not_ok "runtime_test: ${name#* }" "$(grep -A8 "RUN.*${name#* } " "$TMP/rt.out" | head -n 20)" ;;
	esac
done < <(grep -E '^(not )?ok ' "$TMP/rt.out")
[ $st -eq 0 ] && ok "runtime_test exits 0" || not_ok "runtime_test exits 0" "exit $st"

section "clean-up"
docker_stop_checked
done_testing

#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# nstrace ls in containers' words, against a real Docker Engine this test
# starts (tests/docker.sh): the blog posts' two containers (web1 with
# --uts=host; web2 with --network=container:web1 --uts=host) and a
# Kubernetes-style pod without Kubernetes (a pause container and two that
# join its net and ipc under --cgroup-parent kubepods/besteffort/pod<uid>,
# with the kubelet's labels and a /var/log/pods look-alike). Every expected
# value comes from docker inspect and /proc/PID/ns, never from nstrace.
. "$(dirname "$0")/lib.sh"
needs test docker
. "$(dirname "$0")/docker.sh"
docker_setup
ok "dockerd $(dk version --format '{{.Server.Version}}') started"
check "image imported from a busybox-static root" docker_image nstbox
export DOCKER_HOST=unix://$DK_SOCK

# ino PID TYPE: the inode of a process's namespace, as the kernel says
ino() {
	stat -L -c %i "/proc/$1/ns/$2"
}

pid_of() {
	dk inspect -f '{{.State.Pid}}' "$1"
}

# The test runs in the initial namespaces: "host" is what this shell is in.
# inspect_all: one line per container, "name id pid net ipc uts pid-mode",
# read once (the docker client takes a tenth of a second a call)
inspect_all() {
	dk ps -q | xargs "$DOCKER_CLI" -H "unix://$DK_SOCK" inspect -f \
		'{{.Name}} {{.Id}} {{.State.Pid}} {{.HostConfig.NetworkMode}} {{.HostConfig.IpcMode}} {{or .HostConfig.UTSMode "-"}} {{or .HostConfig.PidMode "-"}}' |
		sed 's|^/||' >"$TMP/inspect"
}

# field CONTAINER N: the Nth field of its line (1 name, 2 id, 3 pid, 4-7 modes)
field() {
	awk -v c="$1" -v n="$2" '$1 == c || $2 == c { print $n }' "$TMP/inspect"
}

# expect_word CONTAINER TYPE: own, host or the container it joined, from
# docker inspect (HostConfig's mode, for the types Docker can share),
# checked against /proc: a join the kernel does not show is no join
expect_word() {
	p=$(field "$1" 3) m=-
	case $2 in
	net) m=$(field "$1" 4) ;;
	ipc) m=$(field "$1" 5) ;;
	uts) m=$(field "$1" 6) ;;
	pid) m=$(field "$1" 7) ;;
	esac
	o=$(field "${m#container:}" 1)
	if [ "$(ino "$p" "$2")" = "$(ino $$ "$2")" ]; then
		echo host
	elif [ "${m#container:}" != "$m" ] && [ "$(ino "$p" "$2")" = "$(ino "$(field "$o" 3)" "$2")" ]; then
		echo "$o"
	else
		echo own
	fi
}

section "web1 and web2"
check "web1 runs (--uts=host)" dk run -d --name web1 --uts=host nstbox httpd -f -p 8080
check "web2 runs (--network=container:web1 --uts=host)" \
	dk run -d --name web2 --network=container:web1 --uts=host nstbox sleep 3600
w1=$(pid_of web1) w2=$(pid_of web2)

section "a pod without Kubernetes"
pod_uid=$(cat /proc/sys/kernel/random/uuid)
pod_parent=/kubepods/besteffort/pod$pod_uid
# the pause container has the kubelet's name labels; app and log only the
# uid, so that their pod's name comes from the log directories
check "the pause container runs under $pod_parent" \
	dk run -d --name web-0-pause --network=none --ipc=shareable --cgroup-parent="$pod_parent" \
	--label io.kubernetes.pod.name=web-0 --label io.kubernetes.pod.namespace=shop \
	--label io.kubernetes.pod.uid="$pod_uid" nstbox sleep 3600
for c in app log; do
	check "web-0-$c joins its net and ipc" \
		dk run -d --name "web-0-$c" --network=container:web-0-pause \
		--ipc=container:web-0-pause --cgroup-parent="$pod_parent" \
		--label io.kubernetes.pod.uid="$pod_uid" nstbox sleep 3600
done
mkdir -p "$TMP/pods/shop_web-0_$pod_uid/app" \
	"$TMP/pods/kube-system_coredns-5d78c9869d-x7k2p_$(cat /proc/sys/kernel/random/uuid)"
export NSTRACE_PODS_LOG_DIR=$TMP/pods

section "ls --containers"
inspect_all
sed 's/^/#   /' "$TMP/inspect"
"$NSTRACE" ls --containers -J >"$TMP/ctrs.json" 2>"$TMP/ctrs.err"
check "ls --containers -J exits 0" [ $? -eq 0 ]
"$NSTRACE" ls --containers >"$TMP/ctrs.txt" 2>&1
sed 's/^/#   /' "$TMP/ctrs.txt"
# word NAME TYPECOLUMN / inode NAME TYPE: what nstrace says
word() {
	jq -r --arg n "$1" --arg k "$2" '.containers[] | select(.name == $n) | .[$k] // ""' \
		"$TMP/ctrs.json"
}
bad=
for c in web1 web2 web-0-pause web-0-app web-0-log; do
	for t in mnt uts ipc pid net user cgroup time; do
		k=$t
		[ $t = pid ] && k=pidns
		want=$(expect_word $c $t) got=$(word $c $k)
		[ "$want" = "$got" ] || bad="$bad $c/$t: want $want, got $got;"
		want=$(ino "$(field $c 3)" $t) got=$(word $c ${k}_ino)
		[ "$want" = "$got" ] || bad="$bad $c/${t}_ino: want $want, got $got;"
	done
	want="$(field $c 2) $(field $c 3)"
	got="$(word $c id) $(word $c pid)"
	[ "$want" = "$got" ] || bad="$bad $c id/pid: want $want, got $got;"
done
if [ -z "$bad" ]; then
	ok "every namespace of five containers: own/host/joined as docker inspect and /proc say"
else
	not_ok "every namespace of five containers as docker inspect and /proc say" "$bad"
fi
# the scenario in plain words, so that a wrong rule above cannot hide it
got="$(word web1 net) $(word web2 net) $(word web1 uts) $(word web2 uts) $(word web2 mnt)"
[ "$got" = "own web1 host host own" ] && ok "web1 net own, web2 net web1, both uts host, web2 mnt own" ||
	not_ok "web1 net own, web2 net web1, both uts host, web2 mnt own" "got: $got"
got="$(word web-0-app net) $(word web-0-log ipc) $(word web-0-pause net)"
[ "$got" = "web-0-pause web-0-pause own" ] && ok "the pod's containers share the pause container's net and ipc" ||
	not_ok "the pod's containers share the pause container's net and ipc" "got: $got"
got="$(word web-0-pause pod) $(word web-0-app pod) $(word web1 pod)"
[ "$got" = "shop/web-0 shop/web-0 " ] && ok "POD: shop/web-0 from the labels and from the log directories; none for web1" ||
	not_ok "POD from the labels and the log directories" "got: $got"
[ "$(word web1 runtime)" = docker ] && ok "RUNTIME docker" || not_ok "RUNTIME docker" "$(word web1 runtime)"
"$NSTRACE" ls --containers --list-columns | grep -q '^ *NET_INO ' &&
	ok "--containers --list-columns lists its own columns" ||
	not_ok "--containers --list-columns lists its own columns"
"$NSTRACE" ls --containers -o NAME,NET -r -n | grep -qx 'web2 web1' &&
	ok "--containers -o NAME,NET -r -n: web2 web1" ||
	not_ok "--containers -o NAME,NET -r -n" "$("$NSTRACE" ls --containers -o NAME,NET -r -n 2>&1)"

section "ls --compare"
# same A B TYPE...: the SAME column of those types, as yes/no words
compare_same() {
	"$NSTRACE" ls --compare "$1" "$2" -J |
		jq -r --arg ts "$3" '[.compare[] | select(.type as $t | $ts | split(" ") | index($t)) | .same] | map(tostring) | join(" ")'
}
compare_ok() {
	a=$1 b=$2 pa=$3 pb=$4
	"$NSTRACE" ls --compare "$a" "$b" -J >"$TMP/cmp.json" || {
		not_ok "--compare $a $b exits 0"
		return
	}
	bad=
	for t in mnt uts ipc pid net user cgroup time; do
		want="$(ino "$pa" $t) $(ino "$pb" $t)"
		[ "$(ino "$pa" $t)" = "$(ino "$pb" $t)" ] && want="$want true" || want="$want false"
		got=$(jq -r --arg t $t '.compare[] | select(.type == $t) | "\(.a) \(.b) \(.same)"' "$TMP/cmp.json")
		[ "$want" = "$got" ] || bad="$bad $t: want $want, got $got;"
	done
	[ -z "$bad" ] && ok "--compare $a $b: every type as /proc says" ||
		not_ok "--compare $a $b: every type as /proc says" "$bad"
}
compare_ok web1 web2 "$w1" "$w2"
compare_ok "$w1" "$w2" "$w1" "$w2"
compare_ok web-0-app $$ "$(pid_of web-0-app)" $$
got="$(compare_same web1 web2 "net uts") / $(compare_same web1 web2 "mnt pid ipc")"
[ "$got" = "true true / false false false" ] && ok "web1 and web2: the same net and uts; not mnt, pid, ipc" ||
	not_ok "web1 and web2: the same net and uts; not mnt, pid, ipc" "got: $got"
"$NSTRACE" ls --compare web1 web2 >"$TMP/cmp.txt"
sed 's/^/#   /' "$TMP/cmp.txt"
grep -q "^A: web1 (pid $w1), B: web2 (pid $w2)" "$TMP/cmp.txt" && grep -qE '^net +[0-9]+ +[0-9]+ +yes$' "$TMP/cmp.txt" &&
	ok "--compare's table says which is A and B, and yes/no" ||
	not_ok "--compare's table says which is A and B, and yes/no"

section "ls: CONTAINER, CONTAINERS, POD, --container"
"$NSTRACE" ls -J -o NS,TYPE,PID,CONTAINER,CONTAINERS,POD >"$TMP/ls.json"
# row TYPE INO KEY: a column of one namespace's row
row() {
	jq -r --arg t "$1" --argjson n "$2" --arg k "$3" \
		'.namespaces[] | select(.type == $t and .ns == $n) | .[$k] // ""' "$TMP/ls.json"
}
members=$(row uts "$(ino $$ uts)" containers)
case ",$members," in
*,web1,*web2,*) ok "CONTAINERS of the host's uts namespace: web1 and web2 ($members)" ;;
*) not_ok "CONTAINERS of the host's uts namespace lists web1 and web2" "got: $members" ;;
esac
got="$(row net "$(ino "$w1" net)" containers) / $(row net "$(ino "$(pid_of web-0-pause)" net)" containers)"
[ "$got" = "web1,web2 / web-0-app,web-0-log,web-0-pause" ] &&
	ok "CONTAINERS of web1's net and of the pod's net" || not_ok "CONTAINERS of web1's net and the pod's net" "got: $got"
got="$(row mnt "$(ino "$w1" mnt)" container) $(row mnt "$(ino "$w2" mnt)" container) $(row mnt "$(ino "$w2" mnt)" pid)"
[ "$got" = "web1 web2 $w2" ] && ok "CONTAINER shows names (web1, web2)" || not_ok "CONTAINER shows names" "got: $got"
got=$(row net "$(ino "$(pid_of web-0-app)" net)" pod)
[ "$got" = shop/web-0 ] && ok "POD of the pod's net namespace: shop/web-0" || not_ok "POD of the pod's net namespace" "got: $got"
want=$(for t in mnt uts ipc pid net user cgroup time; do echo "$t $(ino "$w1" $t)"; done | sort)
got=$("$NSTRACE" ls --container web1 -J -o TYPE,NS | jq -r '.namespaces[] | "\(.type) \(.ns)"' | sort)
[ "$want" = "$got" ] && ok "--container web1 lists exactly web1's eight namespaces" ||
	not_ok "--container web1 lists exactly web1's namespaces" "want: $want" "got: $got"
id=$(dk inspect -f '{{.Id}}' web2)
want=$(for t in mnt uts ipc pid net user cgroup time; do echo "$t $(ino "$w2" $t)"; done | sort)
got=$("$NSTRACE" ls --container "${id:0:10}" -J -o TYPE,NS | jq -r '.namespaces[] | "\(.type) \(.ns)"' | sort)
[ "$want" = "$got" ] && ok "--container with an id prefix (web2's)" ||
	not_ok "--container with an id prefix (web2's)" "want: $want" "got: $got"

section "without the runtime: ids from the cgroups"
DOCKER_HOST= "$NSTRACE" ls --containers -J >"$TMP/noname.json" 2>"$TMP/noname.err"
got=$(jq -r --arg id "$(dk inspect -f '{{.Id}}' web2)" '.containers[] | select(.id == $id) | "\(.name // "")/\(.net)"' "$TMP/noname.json")
[ "$got" = "/$(dk inspect -f '{{.Id}}' web1 | cut -c1-12)" ] && [ ! -s "$TMP/noname.err" ] &&
	ok "no runtime socket: ids stand in for names, quietly" ||
	not_ok "no runtime socket: ids stand in for names, quietly" "got: $got" "$(cat "$TMP/noname.err")"
DOCKER_HOST= "$NSTRACE" ls --containers -v 2>&1 >/dev/null | grep -q '^note: no container runtime' &&
	ok "-v says why there are no names" || not_ok "-v says why there are no names"

section "bad input"
expect_usage "--container nosuch: exit 2, the running ones listed" \
	"^nstrace: failed to find container 'nosuch': no such running container \(running: .*web-0-pause, web1, web2\)$" \
	"$NSTRACE" ls --container nosuch
expect_usage "--compare 1: B is missing" "^nstrace: --compare needs two PIDs or containers: --compare A B \(B is missing\)" \
	"$NSTRACE" ls --compare 1
expect_usage "--compare x y: no such container" "^nstrace: failed to find container 'x': no such running container" \
	"$NSTRACE" ls --compare x y
expect_usage "--compare with a pid that does not run" "failed to find process 2147483647: no such process" \
	"$NSTRACE" ls --compare web1 2147483647
expect_usage "--container nosuch -J: a JSON error" '^\{"error":"failed to find container' \
	"$NSTRACE" ls --container nosuch -J
# an id prefix that two containers share: start more until two do
for i in $(seq 1 12); do
	pre=$(dk ps -q --no-trunc | cut -c1 | sort | uniq -d | head -n 1)
	[ -n "$pre" ] && break
	dk run -d --name "extra$i" --network=none nstbox sleep 3600 >/dev/null
done
if [ -n "$pre" ]; then
	expect_usage "--container $pre: an ambiguous id prefix names the candidates" \
		"failed to find container '$pre': ambiguous id prefix \(.+, .+\)" "$NSTRACE" ls --container "$pre"
else
	not_ok "two container ids that share a first character"
fi

section "clean-up"
docker_stop_checked
done_testing

#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# serve's container and pod labels, scraped by a real Prometheus, against
# a Docker Engine of the test's own (tests/docker.sh): three containers
# (web2 in a pod-like cgroup with the kubelet's labels) each unshare a uts
# namespace a known number of times; with --max-label-values 2 the third
# container to do so counts as container="other". /api/namespaces names
# the containers of each namespace. What is expected comes from what the
# test did and from `docker inspect`, never from nstrace.
. "$(dirname "$0")/lib.sh"
needs test docker serve
. "$(dirname "$0")/docker.sh"
docker_ready nstbox
docker_pod_env

# unshare(CLONE_NEWUTS) needs CAP_SYS_ADMIN in the container, and no seccomp filter
caps="--cap-add SYS_ADMIN --security-opt seccomp=unconfined --security-opt apparmor=unconfined"
check "web1 runs" dk run -d --name web1 --network=none $caps nstbox sleep 3600
check "web2 runs in pod shop/web-0" dk run -d --name web2 --network=none $caps \
	--cgroup-parent="$pod_parent" $pod_labels nstbox sleep 3600
check "web3 runs" dk run -d --name web3 --network=none $caps nstbox sleep 3600

PORT=$(free_port)
URL=http://127.0.0.1:$PORT
"$NSTRACE" serve --listen 127.0.0.1:$PORT --max-label-values 2 \
	--container web1,web2,web3 2>"$TMP/serve.err" &
SERVE=$!
for _ in $(seq 1 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
if ! curl -sf "$URL/healthz" >/dev/null; then
	not_ok "serve --max-label-values 2 --container web1,web2,web3 answers" "$(cat "$TMP/serve.err")"
	done_testing
	exit
fi
ok "serve --max-label-values 2 --container web1,web2,web3 answers"

prom_start "$PORT"
# until Prometheus has q's answer $2 (at most 20 s)
q_until() { for _ in $(seq 1 100); do [ "$(q "$1")" = "$2" ] && return 0; sleep 0.2; done; return 1; }
check "Prometheus scrapes nstrace (up == 1)" q_until 'up{job="nstrace"}' 1

# n unshares of a uts namespace in container c
work() { for _ in $(seq 1 "$2"); do dk exec "$1" unshare -u true || return 1; done; }
uts() { echo "nstrace_namespaces_created_total{type=\"uts\",container=\"$1\",pod=\"$2\"}"; }

section "labels, one container after the other"
check "web1 unshares 2 uts namespaces" work web1 2
check "Prometheus: web1 created 2 uts namespaces" q_until "$(uts web1 '')" 2
check "web2 unshares 3" work web2 3
check "Prometheus: web2 in pod shop/web-0 created 3" q_until "$(uts web2 shop/web-0)" 3
check "web3 unshares 4" work web3 4
check "Prometheus: the third container, over the cap of 2, is other: 4" \
	q_until "$(uts other other)" 4
check "no series names web3" [ "$(q 'count(nstrace_namespaces_created_total{container="web3"})')" = none ]
check "nstrace_container_label_values is 2" [ "$(q nstrace_container_label_values)" = 2 ]
check "unshare outcomes: web1 2 successes" \
	[ "$(q 'nstrace_namespace_operations_total{type="uts",syscall="unshare",outcome="success",container="web1"}')" = 2 ]
check "the latency histogram has web2's 3" \
	[ "$(q 'nstrace_namespace_creation_latency_seconds_count{type="uts",container="web2",pod="shop/web-0"}')" = 3 ]
curl -sf "$URL/metrics" >"$TMP/m.txt"
check "promtool check metrics passes" promtool check metrics <"$TMP/m.txt"
check "HELP says the cap" grep -q "at most 2 distinct values, the rest count as other" "$TMP/m.txt"

section "/api/namespaces: CONTAINERS"
w1=$(dk inspect -f '{{.State.Pid}}' web1)
w2=$(dk inspect -f '{{.State.Pid}}' web2)
curl -sf "$URL/api/namespaces" >"$TMP/inv.json"
for c in web1:$w1 web2:$w2; do
	IFS=: read -r cname pid <<<"$c"
	for t in net mnt pid; do
		ino=$(stat -Lc %i "/proc/$pid/ns/$t")
		check "$cname's $t namespace ($ino) lists $cname in containers" \
			jq -e --argjson i "$ino" --arg n "$cname" '.namespaces | any(.ns == $i and
			(.containers // "" | split(",") | index($n)))' "$TMP/inv.json"
	done
done
ino=$(stat -Lc %i "/proc/$w1/ns/net")
check "web1's net namespace does not list web2" \
	jq -e --argjson i "$ino" '.namespaces | any(.ns == $i and
	(.containers // "" | split(",") | index("web2") | not))' "$TMP/inv.json"

kill $PROM
wait $PROM 2>/dev/null
kill $SERVE
wait $SERVE
check "serve exits 0 on SIGTERM" [ $? -eq 0 ]
docker_stop_checked
done_testing

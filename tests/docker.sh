# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# A Docker Engine of the test's own, sourced by .t tests after lib.sh:
#   docker_setup          docker_need and docker_start, or end the test failed
#   docker_ready NAME     docker_setup, image NAME imported, DOCKER_HOST exported (TAP lines)
#   docker_start          start dockerd (Debian's docker.io) in $TMP/docker
#   docker_image NAME     import a busybox-static root file system as NAME
#   docker_pod_env        pod_uid, pod_parent and pod_labels for a pod-like group
#   dk ARGS...            the docker client, pointed at that engine
#   docker_stop           stop it and remove everything (also run on EXIT)
#   docker_stop_checked   docker_stop, then a TAP line: nothing of it is left
#
# The engine runs beside nothing else: its own --data-root, --exec-root,
# --pidfile and socket, no bridge and no iptables rules, and the containerd
# that dockerd starts itself (its socket under the exec root). Containers
# get --network=none or join another container's namespaces.
#
# What this host (a VM, kernel 6.18, cgroup v1 hybrid with the unified
# hierarchy at /sys/fs/cgroup/unified, PID 1 not systemd) does with
# docker.io 20.10: dockerd picks the cgroupfs driver by itself (there is no
# systemd to ask), and a container's cgroup is /docker/<id> in every v1
# hierarchy and in the unified one, or <parent>/<id> with --cgroup-parent.
# /usr/local/bin/docker is a newer client: the tests use /usr/bin/docker.
DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
DOCKER_CLI=${DOCKER_CLI:-/usr/bin/docker}
DK_DIR=$TMP/docker
DK_SOCK=$DK_DIR/docker.sock

dk() {
	"$DOCKER_CLI" -H "unix://$DK_SOCK" "$@"
}

# docker_need: skip the test when the engine is not installed (a failure
# with CI=true, where these tests may not skip)
docker_need() {
	need_root
	[ -x "$DOCKERD" ] && [ -x "$DOCKER_CLI" ] && [ -x /bin/busybox ] && return 0
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - Docker Engine installed (scripts/deps.sh docker)"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP no Docker Engine (scripts/deps.sh docker installs docker.io)"
	exit 0
}

# docker_setup: docker_need, then the engine started, or the test ends
# with a failure that shows its log
docker_setup() {
	docker_need
	section "engine"
	if ! docker_start; then
		not_ok "dockerd starts" "see its log above"
		done_testing
		exit
	fi
}

# docker_ready NAME: the engine started and image NAME imported, each a
# TAP line, and DOCKER_HOST pointing nstrace (and docker) at the engine
docker_ready() {
	docker_setup
	ok "dockerd started"
	check "image $1 imported from a busybox-static root file system" docker_image "$1"
	export DOCKER_HOST=unix://$DK_SOCK
}

docker_start() {
	mkdir -p "$DK_DIR/data" "$DK_DIR/exec"
	trap 'docker_stop; kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
	# setsid: Ctrl-C on the test must not reach dockerd before docker_stop
	setsid "$DOCKERD" --data-root "$DK_DIR/data" --exec-root "$DK_DIR/exec" \
		--pidfile "$DK_DIR/docker.pid" -H "unix://$DK_SOCK" \
		--bridge=none --iptables=false --ip6tables=false --ip-masq=false \
		--userland-proxy=false --storage-driver=overlay2 --log-level=warn \
		>"$DK_DIR/dockerd.log" 2>&1 </dev/null &
	DK_PID=$!
	for _ in $(seq 1 300); do
		dk version >/dev/null 2>&1 && return 0
		kill -0 "$DK_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# dockerd did not start; its log:"
	sed 's/^/#   /' "$DK_DIR/dockerd.log" | tail -n 40
	return 1
}

# docker_image NAME: an image whose root is busybox-static and its applets
docker_image() {
	root=$DK_DIR/rootfs
	mkdir -p "$root/bin" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/etc"
	cp /bin/busybox "$root/bin/busybox"
	# inside the root, so that the links say /bin/busybox
	chroot "$root" /bin/busybox --install -s /bin
	echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
	tar -C "$root" -c . | dk import --change 'ENV PATH=/bin' - "$1" >/dev/null
}

# docker_pod_env: a fresh pod uid, and what a kubelet would give the pod's
# containers: pod_parent (--cgroup-parent, the cgroupfs kubepods layout) and
# pod_labels (io.kubernetes.pod.*: pod web-0 in namespace shop)
docker_pod_env() {
	pod_uid=$(cat /proc/sys/kernel/random/uuid)
	pod_parent=/kubepods/besteffort/pod$pod_uid
	pod_labels="--label io.kubernetes.pod.name=web-0 --label io.kubernetes.pod.namespace=shop
	--label io.kubernetes.pod.uid=$pod_uid"
}

docker_stop() {
	[ -n "${DK_PID:-}" ] || return 0
	if kill -0 "$DK_PID" 2>/dev/null; then
		# containers first, so that no shim outlives the engine
		ids=$(dk ps -aq 2>/dev/null)
		[ -z "$ids" ] || dk rm -f $ids >/dev/null 2>&1
		kill -TERM "$DK_PID"
		for _ in $(seq 1 100); do
			kill -0 "$DK_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$DK_PID" 2>/dev/null
	fi
	DK_PID=
	# overlay mounts, the netns and shm mounts it may have left
	grep -F " $DK_DIR/" /proc/self/mounts | awk '{ print $2 }' | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$DK_DIR"
}

# docker_stop_checked: the last test of a script: no process, mount or file of the engine left
docker_stop_checked() {
	docker_stop
	# the path from a file, so that this grep's own command line does not match
	echo "$DK_DIR" >"$TMP/dk.pattern"
	left=$(grep -lFf "$TMP/dk.pattern" /proc/[0-9]*/cmdline 2>/dev/null | wc -l)
	mounts=$(grep -cF "$DK_DIR" /proc/self/mounts)
	if [ "$left" -eq 0 ] && [ "$mounts" -eq 0 ] && [ ! -e "$DK_DIR" ]; then
		ok "engine stopped: no process, mount or file of it left"
	else
		not_ok "engine stopped: nothing left" "$left processes, $mounts mounts"
	fi
}

#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# nstrace ls against util-linux lsns, field by field, on a few hundred
# namespaces; holders, tree, JSON types and bad input.
. "$(dirname "$0")/lib.sh"
needs test
need_root
N=${LS_GROUPS:-100}
COLS=NS,TYPE,NPROCS,PID,PPID,USER,COMMAND

# N groups of two processes sharing new net, uts and ipc namespaces: 3N
# namespaces. Each group is its own session, so that teardown kills exactly
# what the test started.
leaders=()
# a name of its own, so that two runs at once (or a leftover) do not collide
NETNS=nstrace-ls-test-$$
teardown() {
	for p in "${leaders[@]}"; do
		kill -- -"$p" 2>/dev/null
	done
	kill $(jobs -p) 2>/dev/null
	ip netns delete "$NETNS" 2>/dev/null
	rm -rf "$TMP"
}
trap teardown EXIT
for i in $(seq 1 "$N"); do
	setsid unshare -n -u -i sh -c 'sleep 300 & exec sleep 300' </dev/null &
	leaders+=($!)
done
ip netns add "$NETNS"
# a namespace only an fd keeps: open it from a short-lived member, which then exits
unshare -n sleep 2 &
member=$!
sleep 0.3
exec 8</proc/$member/ns/net
fdheld=$(stat -L -c %i /proc/$member/ns/net)
kill $member
wait $member 2>/dev/null
sleep 1
group_pids() { for p in "${leaders[@]}"; do pgrep -s "$p"; done; }
created=$(for p in $(group_pids); do for t in net uts ipc; do
	stat -L -c %i /proc/$p/ns/$t; done; done | sort -u)
check "the test created $N x 3 namespaces ($(echo "$created" | wc -l))" \
	[ "$(echo "$created" | wc -l)" -ge $((N * 3)) ]

pick() { jq -c --argjson want "[$(echo "$created" | paste -sd,)]" \
	'[.namespaces[] | select(.ns as $n | $want | index($n))] | sort_by(.ns, .type)' "$1"; }
for mode in "" --proc; do
	lsns -l -J -o $COLS >"$TMP/lsns.json"
	"$NSTRACE" ls $mode -J -o $COLS >"$TMP/nst.json"
	a=$(pick "$TMP/lsns.json")
	b=$(pick "$TMP/nst.json")
	check "ls ${mode:-(BPF iterators)} matches lsns field by field on $(echo "$a" | jq length) namespaces" \
		[ "$a" = "$b" ]
done

# PARENT and OWNER come from the iterator, --proc asks the nsfs ioctls:
# both must agree, as must HOLDERS and CONTAINER/POD (from the cgroup path)
XCOLS=NS,TYPE,NPROCS,PID,HOLDERS,PARENT,OWNER,CONTAINER,POD
"$NSTRACE" ls -J -o $XCOLS >"$TMP/x-bpf.json"
"$NSTRACE" ls --proc -J -o $XCOLS >"$TMP/x-proc.json"
check "PARENT, OWNER, HOLDERS, CONTAINER, POD: the iterators agree with the ioctls" \
	[ "$(pick "$TMP/x-bpf.json")" = "$(pick "$TMP/x-proc.json")" ]

# a net namespace inside a new user namespace is owned by it; its user
# namespace's parent is ours
setsid unshare -U -r unshare -n sleep 300 </dev/null &
leaders+=($!)
sleep 0.3
inner=$(pgrep -s "${leaders[-1]}" -x sleep)
inner_user=$(stat -L -c %i /proc/$inner/ns/user)
inner_net=$(stat -L -c %i /proc/$inner/ns/net)
for mode in "" --proc; do
	"$NSTRACE" ls $mode -J -o NS,TYPE,PARENT,OWNER >"$TMP/own.json"
	check "OWNER of a net namespace made in a new user namespace ${mode:-(BPF)}" \
		jq -e --argjson n "$inner_net" --argjson u "$inner_user" \
		'.namespaces | any(.ns == $n and .type == "net" and .owner == $u)' "$TMP/own.json"
	check "PARENT of that user namespace is ours ${mode:-(BPF)}" \
		jq -e --argjson u "$inner_user" --argjson p "$(stat -L -c %i /proc/self/ns/user)" \
		'.namespaces | any(.ns == $u and .type == "user" and .parent == $p)' "$TMP/own.json"
done

# unshare -p without a fork: a pid namespace only the process's
# pid_for_children holds (lsns cannot see it: the link stays unreadable
# until its init exists)
setsid unshare -p sleep 300 </dev/null &
leaders+=($!)
sleep 0.3
check "a pid namespace held only as pid_for_children is listed, with the process" \
	sh -c "'$NSTRACE' ls -t pid -J -o NS,NPROCS,HOLDERS | jq -e --arg h \
	'pid_for_children:${leaders[-1]}' '.namespaces | any(.nprocs == 0 and .holders == \$h)'"

# The two collectors give the same inventory: the namespaces of every type
# the test made (by unshare and by nstrace run, processes in new user, time
# and pid namespaces, a pid namespace only pid_for_children holds), row for
# row with the default columns. The test's own namespaces are left out:
# other processes come and go in them between the two runs.
setsid "$NSTRACE" run -n net,pid,mnt,uts,ipc,cgroup -H nst-ls -- sleep 300 </dev/null \
	>/dev/null 2>&1 &
leaders+=($!)
setsid unshare -U -r -C --time -m sh -c 'sleep 300 & exec sleep 300' </dev/null &
leaders+=($!)
sleep 0.5
ours=$(for t in mnt pid net uts ipc user cgroup time; do stat -L -c %i /proc/self/ns/$t; done)
theirs=$(for p in $(group_pids); do for t in mnt pid pid_for_children net uts ipc user cgroup \
	time time_for_children; do stat -L -c %i /proc/$p/ns/$t 2>/dev/null; done; done |
	sort -u | grep -vxF "$ours" | paste -sd,)
pick_theirs() { jq -c --argjson want "[$theirs]" \
	'[.namespaces[] | select(.ns as $n | $want | index($n))] | sort_by(.ns, .type)' "$1"; }
"$NSTRACE" ls -J >"$TMP/both-bpf.json"
"$NSTRACE" ls --proc -J >"$TMP/both-proc.json"
a=$(pick_theirs "$TMP/both-bpf.json")
b=$(pick_theirs "$TMP/both-proc.json")
check "ls and ls --proc agree on the $(echo "$a" | jq length) namespaces the test made, \
$(echo "$a" | jq -r '[.[].type] | unique | join(",")')" \
	[ "$a" = "$b" -a "$(echo "$a" | jq '[.[].type] | unique | length')" -eq 8 ]

"$NSTRACE" ls -t net -o NS,NPROCS,HOLDERS,OWNER -J >"$TMP/net.json"
check "HOLDERS names the ip netns bind mount" \
	jq -e --arg h "mount:/run/netns/$NETNS" '.namespaces | any(.holders == $h)' "$TMP/net.json"
check "a namespace only an fd holds is listed, with the fd" \
	jq -e --argjson i "$fdheld" --arg h "fd:$$/8" \
	'.namespaces | any(.ns == $i and .nprocs == 0 and (.holders | contains($h)))' "$TMP/net.json"
check "OWNER of the namespaces the test created is our user namespace" \
	jq -e --argjson u "$(stat -L -c %i /proc/self/ns/user)" --argjson want \
	"[$(echo "$created" | paste -sd,)]" \
	'[.namespaces[] | select(.ns as $n | $want | index($n))] | length > 0 and
	 all(.owner == $u)' "$TMP/net.json"
check "JSON numbers are numbers, as in lsns -J" \
	jq -e '.namespaces | all((.ns | type) == "number" and (.nprocs | type) == "number")' "$TMP/nst.json"
"$NSTRACE" ls --tree -o NS,TYPE,PARENT,OWNER >"$TMP/tree.txt"
init_user=$(stat -L -c %i /proc/self/ns/user)
check "--tree: the initial user namespace is a root line" grep -qE "^$init_user +user" "$TMP/tree.txt"
check "--tree: our net namespace hangs under it" \
	grep -qE "^[|\` ]+-+ *$(stat -L -c %i /proc/self/ns/net) +net" "$TMP/tree.txt"
check "-p PID lists that process's 8 namespaces" \
	[ "$("$NSTRACE" ls -n -p $$ | wc -l)" -eq 8 ]

# CREATED from a recording that saw the creation
# (the recorder flushes every second: the namespace is on disk while it lives)
"$NSTRACE" record -o "$TMP/c.nst" -- unshare -u sleep 4 2>/dev/null &
rec=$!
sleep 2.5
holder=$(pgrep -P $rec -x sleep)
uts=$(stat -L -c %i /proc/$holder/ns/uts)
"$NSTRACE" ls -t uts -o NS,CREATED -J --from "$TMP/c.nst" >"$TMP/created.json" 2>/dev/null
check "CREATED is filled from --from RECORDING" \
	jq -e --argjson i "$uts" '.namespaces | any(.ns == $i and (.created | test("^20[0-9-]+T")))' \
	"$TMP/created.json"
wait $rec

expect_usage "bad column" "unknown column: FOO" "$NSTRACE" ls -o NS,FOO
expect_usage "bad type" "unknown namespace type 'nett' \(valid: mnt," "$NSTRACE" ls -t nett

# The light skeleton's loader relocates in the kernel, which searches all of
# vmlinux's BTF for every cache miss (docs/ls.md): a new type sharing a
# cache slot with another would cost every run a search again.
obj=${OUTPUT:-$(cd "$(dirname "$0")/.." && pwd)/.output}/nsiter.bpf.o
cc=$("$(dirname "$0")/../bench/core-cache.py" "$obj" 2>&1)
warm=$(echo "$cc" | sed -n 's/.*each later run \([0-9]*\)$/\1/p')
check "the iterators' CO-RE relocations miss the kernel's cache at most 8 times a run (${warm:-$cc})" \
	[ "${warm:-99}" -le 8 ]

exec 8<&-
done_testing

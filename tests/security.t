#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Privileges and exposure: which capability is missing, what a running
# command keeps, set-uid refused, no fd or environment added to a command,
# and what serve lets in (SECURITY.md).
. "$(dirname "$0")/lib.sh"
needs test serve
need_root

capmask() { printf '%d' "0x$(sed -n "s/^$2:\t//p" "/proc/$1/status")"; }
has_bounding() { [ $(($(capmask self CapBnd) >> $1 & 1)) -eq 1 ]; }

# ---- the missing capability is named
for drop in bpf perfmon; do
	capsh --drop=cap_sys_admin,cap_$drop -- -c "exec '$NSTRACE' -d 1" >/dev/null 2>"$TMP/e"
	st=$?
	up=$(echo "$drop" | tr a-z A-Z)
	other=$([ $drop = bpf ] && echo PERFMON || echo BPF)
	check "without CAP_SYS_ADMIN and CAP_$up: exit 2 naming CAP_$up only (exit $st: $(cat "$TMP/e"))" \
		sh -c "[ $st -eq 2 ] && grep -q 'missing CAP_$up ' '$TMP/e' && ! grep -q 'CAP_$other' '$TMP/e'"
done
capsh --drop=cap_sys_admin,cap_bpf,cap_perfmon -- -c "exec '$NSTRACE' record -o '$TMP/x.nst'" \
	>/dev/null 2>"$TMP/e"
check "record without both: names both" grep -q 'missing CAP_BPF and CAP_PERFMON' "$TMP/e"

# ---- CAP_BPF and CAP_PERFMON are enough (root's other capabilities gone)
setpriv --bounding-set=-all,+bpf,+perfmon "$NSTRACE" record -o "$TMP/min.nst" -- \
	unshare -U true >/dev/null 2>"$TMP/min.err"
st=$?
check "only CAP_BPF and CAP_PERFMON: record works (exit $st: $(tail -1 "$TMP/min.err"))" [ $st -eq 0 ]
check "... and saw the command's unshare" sh -c "'$NSTRACE' report '$TMP/min.nst' --format json |
	jq -e -s 'any(.[]; .syscall == \"unshare\" and .flags == \"CLONE_NEWUSER\")' >/dev/null"

# ---- what a running command keeps
ours=$(capmask self CapEff)
"$NSTRACE" --comm nstrace-none >/dev/null 2>"$TMP/t.err" &
T=$!
wait_for "$TMP/t.err" '^Tracing'
check "trace, attached: CapEff and CapPrm are 0 ($(capmask $T CapEff), $(capmask $T CapPrm))" \
	sh -c '[ "$1" -eq 0 ] && [ "$2" -eq 0 ]' - "$(capmask $T CapEff)" "$(capmask $T CapPrm)"
# capabilities are per thread: the container resolver's keeps CAP_SYS_PTRACE (19) alone
other=0
for task in /proc/$T/task/*; do
	m=$(($(capmask "$T/task/${task##*/}" CapEff) | $(capmask "$T/task/${task##*/}" CapPrm)))
	other=$((other | m))
done
check "trace, attached: no thread keeps more than CAP_SYS_PTRACE ($other)" \
	[ $((other & ~(1 << 19))) -eq 0 ]
kill -INT $T
wait $T
check "trace still ends cleanly without them" [ $? -eq 0 ]

"$NSTRACE" record -o "$TMP/c.nst" -- sh -c "grep CapEff /proc/self/status >'$TMP/child.caps';
	sleep 3" 2>"$TMP/r.err" &
R=$!
wait_for "$TMP/r.err" '^Recording'
sleep 0.5
check "record, attached: CapEff and CapPrm are 0 ($(capmask $R CapEff), $(capmask $R CapPrm))" \
	sh -c '[ "$1" -eq 0 ] && [ "$2" -eq 0 ]' - "$(capmask $R CapEff)" "$(capmask $R CapPrm)"
wait $R
check "record's command keeps the caller's capabilities ($(cat "$TMP/child.caps"))" \
	[ "$(printf '%d' "0x$(cut -f2 "$TMP/child.caps")")" -eq "$ours" ]

out=$("$NSTRACE" run --trace -o "$TMP/run.ev" -- sh -c 'sleep 0.5; grep CapEff /proc/$PPID/status /proc/self/status')
parent=$(echo "$out" | sed -n 's/^[^:]*\/[0-9]*\/status:CapEff:\t//p')
child=$(echo "$out" | sed -n 's/^\/proc\/self\/status:CapEff:\t//p')
check "run: nstrace itself keeps nothing (CapEff $parent)" [ "$((0x${parent:-1}))" -eq 0 ]
check "run: the command has the caller's capabilities (CapEff $child)" [ "$((0x${child:-0}))" -eq "$ours" ]

PORT=$(free_port)
URL=http://127.0.0.1:$PORT
"$NSTRACE" serve --listen 127.0.0.1:$PORT --comm nstrace-none 2>"$TMP/s.err" &
S=$!
wait_for "$TMP/s.err" '^Serving'
# CAP_BPF, CAP_PERFMON, CAP_SYS_RESOURCE, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, as far as we have them
want=$(((1 << 39 | 1 << 38 | 1 << 24 | 1 << 19 | 1 << 2) & ours))
check "serve keeps only what the inventory needs ($(capmask $S CapEff) == $want)" \
	sh -c '[ "$1" -eq "$3" ] && [ "$2" -eq "$3" ]' - "$(capmask $S CapEff)" "$(capmask $S CapPrm)" "$want"
check "... and /api/namespaces still lists every namespace ls does" \
	[ "$(curl -sf "$URL/api/namespaces" | jq '.namespaces | length')" -ge \
	  "$("$NSTRACE" ls -n -o NS | grep -c .)" ]

# ---- serve: nothing changes state, requests are limited
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
for m in POST PUT DELETE PATCH OPTIONS; do
	check "$m /metrics: 405" [ "$(code -X $m --data x "$URL/metrics")" = 405 ]
done
check "HEAD /metrics: 200" [ "$(code -I "$URL/metrics")" = 200 ]
check "GET with a body: 400" [ "$(code -X GET --data x "$URL/healthz")" = 400 ]
check "a URL of 20,000 bytes: refused (414 or 431)" sh -c "c=\$(curl -s -o /dev/null -w '%{http_code}' \
	'$URL/$(head -c 20000 /dev/zero | tr '\0' a)'); [ \$c = 414 ] || [ \$c = 431 ]"
python3 - "$PORT" "$S" >"$TMP/idle.out" <<'EOP'
import os, socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
# an idle client is dropped by the 10 s timeout
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(30)
t = time.monotonic()
try:
    s.recv(1)
    print("idle closed" if time.monotonic() - t < 30 else "idle kept")
except socket.timeout:
    print("idle kept")
# 200 clients at once: the server takes no more than its limit
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]
time.sleep(1)
fds = os.listdir("/proc/%s/fd" % pid)
print("sockets %d" % sum(os.readlink("/proc/%s/fd/%s" % (pid, f)).startswith("socket:")
                         for f in fds))
for c in held:
    c.close()
EOP
check "an idle connection is closed by the server's timeout ($(head -1 "$TMP/idle.out"))" \
	grep -qx 'idle closed' "$TMP/idle.out"
n=$(sed -n 's/^sockets //p' "$TMP/idle.out")
check "200 clients at once: serve holds at most its limit of 128 (${n:-?} sockets)" \
	sh -c '[ "$1" -ge 128 ] && [ "$1" -le 132 ]' - "${n:-999}"
for _ in $(seq 1 50); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
check "serve answers again once they are gone" curl -sf "$URL/healthz"
kill $S
wait $S

# ---- set-uid and set-gid copies refuse to run
mkdir -p "$TMP/suid"
chmod 755 "$TMP" "$TMP/suid"
cp "$NSTRACE" "$TMP/suid/nstrace-u"
cp "$NSTRACE" "$TMP/suid/nstrace-g"
cp "$(command -v id)" "$TMP/suid/id-u"
chgrp root "$TMP/suid/nstrace-g" # before chmod: a chown clears the set-id bits
chmod 4755 "$TMP/suid/nstrace-u" "$TMP/suid/id-u"
chmod 2755 "$TMP/suid/nstrace-g"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
if [ "$(nobody "$TMP/suid/id-u" -u)" = 0 ]; then
	for bin in nstrace-u nstrace-g; do
		for args in "run -- id -u" "ls" "--comm x -d 1"; do
			nobody "$TMP/suid/$bin" $args >"$TMP/o" 2>"$TMP/e"
			st=$?
			check "$bin $args as nobody: refused, exit 2, nothing run (exit $st)" \
				sh -c "[ $st -eq 2 ] && grep -q 'refusing to run set-uid or set-gid' '$TMP/e' &&
					[ ! -s '$TMP/o' ]"
		done
	done
else
	not_ok "set-uid works in $TMP (a set-uid id gives euid 0)" "mounted nosuid?"
fi

# ---- a command gets exactly the caller's environment and no fd of ours
expect_env=$(printf 'FOO=bar baz\nPATH=/usr/bin:/bin')
for args in "run" "run --ns user,mnt --map-root" "run --trace -o $TMP/ev" "record -o $TMP/env.nst"; do
	got=$(env -i 'FOO=bar baz' PATH=/usr/bin:/bin "$NSTRACE" $args -- /usr/bin/env 2>/dev/null | sort)
	check "$args: the command's environment is the caller's, nothing added" \
		[ "$got" = "$expect_env" ]
done
exec 7</dev/null
fds=$("$NSTRACE" record -o "$TMP/fd.nst" -- sh -c 'ls /proc/$$/fd' 2>/dev/null | tr '\n' ' ')
exec 7<&-
check "record: no fd leaks into the command, also inherited ones (got: $fds)" [ "$fds" = "0 1 2 " ]

done_testing

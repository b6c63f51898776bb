#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tests/vm/kernels.conf, the kernel matrix and its expectations, and
# tests/vm/kconf.sh that reads it: every kernel says where it comes from
# and what it should give, with values the scripts accept; kconf.sh finds
# values, exports the guest's, and refuses a kernel it does not know.
. "$(dirname "$0")/lib.sh"
needs test
here=$(cd "$(dirname "$0")" && pwd)
KCONF=$here/vm/kconf.sh

names=$("$KCONF" names)
check "the matrix names kernels, 6.1 among them (check-vm's default)" \
	sh -c "echo '$names' | grep -qx 6.1"
check "[host] is not a kernel of the matrix" sh -c "! echo '$names' | grep -qx host"
check "no kernel is named twice" sh -c "[ $(echo "$names" | sort | uniq -d | wc -l) -eq 0 ]"

for k in $names; do
	bad=
	for key in apt image timeout kmod_cc tier; do
		"$KCONF" get "$k" "$key" >/dev/null || bad="$bad $key"
	done
	case "$("$KCONF" get "$k" tier)" in fentry | tracepoint) ;; *) bad="$bad tier=?" ;; esac
	case "$("$KCONF" get "$k" timeout)" in *[!0-9]* | "") bad="$bad timeout=?" ;; esac
	case "$("$KCONF" get "$k" image)" in linux-image-*) ;; *) bad="$bad image=?" ;; esac
	f=$("$KCONF" get "$k" foreign 2>/dev/null) &&
		{ echo "$names" | grep -qx "$f" && [ "$f" != "$k" ]; } || [ -z "$f" ] || bad="$bad foreign=$f"
	if [ -z "$bad" ]; then
		ok "kernel $k: apt, image, timeout, kmod_cc and tier set and valid"
	else
		not_ok "kernel $k: apt, image, timeout, kmod_cc and tier set and valid" "bad:$bad"
	fi
done

# kconf.sh itself, on a file of this test's own
cat >"$TMP/k.conf" <<'EOF'
# a comment
[host]
tier tracepoint

[a]
apt s1 s2
tier fentry
na x_test the reason, with words
na y.t another one
weird-key it's here
EOF
export KERNELS_CONF=$TMP/k.conf
check "get: the value, all of it" sh -c "[ \"\$('$KCONF' get a apt)\" = 's1 s2' ]"
check "get: a key the kernel lacks fails" sh -c "! '$KCONF' get a image"
check "all: every na line, in order" \
	sh -c "[ \"\$('$KCONF' all a na | cut -d' ' -f1 | tr '\n' ,)\" = 'x_test,y.t,' ]"
"$KCONF" env a >"$TMP/env"
check "env: NST_EXPECT_TIER for the guest" grep -qx "NST_EXPECT_TIER='fentry'" "$TMP/env"
check "env: a key of any spelling becomes a shell name, quotes dropped" \
	grep -qx "NST_EXPECT_WEIRD_KEY='its here'" "$TMP/env"
check "env: na is the init's, not exported" sh -c "! grep -q NA= '$TMP/env'"
check "env: the output is valid shell" sh -c ". '$TMP/env' && [ \"\$NST_EXPECT_APT\" = 's1 s2' ]"
check "names: [host] left out" sh -c "[ \"\$('$KCONF' names)\" = a ]"
"$KCONF" get nosuch tier >/dev/null 2>"$TMP/err"
st=$?
if [ $st -eq 2 ] && grep -q "no kernel 'nosuch' in .* (kernels: a )" "$TMP/err"; then
	ok "an unknown kernel: exit 2 and the names it knows"
else
	not_ok "an unknown kernel: exit 2 and the names it knows" "exit $st: $(cat "$TMP/err")"
fi

done_testing

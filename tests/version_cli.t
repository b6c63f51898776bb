#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# nstrace --version: the commit against git, the libbpf version against the
# development package it was built with (pkg-config) and its linkage against
# what the link used (nstrace.link), and each tier's answer against what
# happens when trace is asked for that tier.
. "$(dirname "$0")/lib.sh"
needs build test
need_root
SRC=$(cd "$(dirname "$0")/.." && pwd)
LINK=${OUTPUT:-$SRC/.output}/nstrace.link

"$NSTRACE" --version >"$TMP/v" 2>"$TMP/v.err"
check "--version: exit 0" [ $? -eq 0 ]
"$NSTRACE" version -J >"$TMP/j" 2>"$TMP/j.err"
check "version -J: exit 0" [ $? -eq 0 ]
check "version -J: one JSON object" jq -e 'type == "object"' "$TMP/j"
check "version and --version say the same" bash -c \
	"[ \"\$(cut -d' ' -f1-2 '$TMP/v' | head -n 3)\" = \"\$('$NSTRACE' version | cut -d' ' -f1-2 | head -n 3)\" ]"

section "commit"
if git -C "$SRC" rev-parse HEAD >/dev/null 2>&1; then
	head=$(git -C "$SRC" rev-parse HEAD)
	check "commit line is git's HEAD ($head)" grep -qx "commit $head" "$TMP/v"
	check "JSON commit is git's HEAD" jq -e --arg h "$head" '.commit == $h' "$TMP/j"
	short=$(git -C "$SRC" rev-parse --short HEAD)
	check "version names the commit ($short)" grep -q "^nstrace $short" "$TMP/v"
else
	check "outside git: commit unknown" grep -qx "commit unknown" "$TMP/v"
fi

section "libbpf"
want=$(pkg-config --modversion libbpf | cut -d. -f1-2)
check "libbpf $want, as pkg-config says" grep -q "^libbpf $want " "$TMP/v"
check "JSON libbpf $want" jq -e --arg v "$want" '.libbpf == $v' "$TMP/j"
if [ -e "$LINK" ]; then
	if grep -q '/libbpf\.a$' "$LINK"; then link=static; else link=shared; fi
	check "libbpf linkage is $link, as nstrace.link says" grep -q "^libbpf $want ($link)" "$TMP/v"
fi
if [ -x "${OUTPUT:-$SRC/.output}/nstrace-dynamic" ]; then
	check "nstrace-dynamic: libbpf shared" bash -c \
		"'${OUTPUT:-$SRC/.output}/nstrace-dynamic' version | grep -q '^libbpf $want (shared)'"
fi

section "tiers"
for tier in fentry tracepoint; do
	allowed=$(jq -r --arg t $tier '.tiers[$t].allowed' "$TMP/j")
	"$NSTRACE" trace --tier $tier -d 100ms --no-summary >/dev/null 2>"$TMP/t.err"
	st=$?
	if [ $st -eq 0 ]; then really=true; else really=false; fi
	check "tier $tier: allowed=$allowed, and trace --tier $tier exits $st" [ "$allowed" = $really ]
	if [ "$allowed" = true ]; then
		check "tier $tier: text says allowed" grep -qE "^tier $tier +allowed$" "$TMP/v"
	else
		check "tier $tier: text gives trace's reason" grep -qF \
			"$(head -n 1 "$TMP/t.err" | sed -E 's/^nstrace( trace)?: //' | cut -c1-40)" "$TMP/v"
	fi
done
if [ -e /dev/nstrace ]; then
	"$NSTRACE" trace --tier kprobe -d 100ms --no-summary >/dev/null 2>&1
	st=$?
	check "tier kprobe: JSON agrees with trace --tier kprobe (exit $st)" \
		jq -e --argjson ok "$([ $st -eq 0 ] && echo true || echo false)" \
		'.tiers.kprobe.allowed == $ok' "$TMP/j"
else
	check "tier kprobe: refused, the module is not loaded" \
		grep -qE '^tier kprobe +refused: the kernel module is not loaded' "$TMP/v"
	check "tier kprobe: nothing was loaded to ask" [ ! -e /dev/nstrace ]
fi

section "without privileges"
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$NSTRACE" version -J >"$TMP/u" 2>/dev/null
check "nobody: exit 0" [ $? -eq 0 ]
check "nobody: no bpf tier allowed, each names CAP_BPF" jq -e \
	'[.tiers.fentry, .tiers.tracepoint] | all(.allowed == false and (.reason | test("CAP_BPF")))' \
	"$TMP/u"

section "bad input"
expect_usage "version with an argument" "unexpected argument 'x'" "$NSTRACE" version x
expect_usage "version with an unknown option" "unrecognized option" "$NSTRACE" version --bogus
done_testing

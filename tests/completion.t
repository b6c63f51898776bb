#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The bash completion (completion/nstrace.bash), driven as bash drives it:
# COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT set, _nstrace called,
# COMPREPLY read. The expected candidates are written here by hand (the
# commands, known options and columns, the report formats) or come from
# elsewhere (the test's own PID, the namespace types of /proc/self/ns, a
# container this test starts in its own Docker Engine).
. "$(dirname "$0")/lib.sh"
needs build docs docker
SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/docker.sh"

. /usr/share/bash-completion/bash_completion
. "$SRC/completion/nstrace.bash"

# candidates WORD...: what TAB offers after these words (the last one is
# the word being completed), one a line, sorted
candidates() {
	COMP_WORDS=("$NSTRACE" "$@")
	COMP_CWORD=$#
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_nstrace nstrace "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort
}

# offers NAME "WORDS" WANT...: every WANT is among the candidates
offers() {
	local name=$1 words=$2 w miss=
	shift 2
	# a trailing space: the word being completed is empty
	# shellcheck disable=SC2086
	if [ "${words: -1}" = " " ]; then candidates $words "" >"$TMP/c"; else
		candidates $words >"$TMP/c"; fi
	for w in "$@"; do grep -qxF -- "$w" "$TMP/c" || miss="$miss $w"; done
	if [ -z "$miss" ]; then ok "$name"; else
		not_ok "$name" "missing:$miss" "offered: $(tr '\n' ' ' <"$TMP/c")"; fi
}

# exactly NAME WANT_FILE WORDS...: the candidates are WANT_FILE's lines
exactly() {
	local name=$1 want=$2
	shift 2
	candidates "$@" >"$TMP/c"
	if sort "$want" | diff - "$TMP/c" >"$TMP/d"; then ok "$name"; else
		not_ok "$name" "$(tr '\n' ' ' <"$TMP/d")"; fi
}

section "commands"
printf '%s\n' trace run bench record report ls serve demo help version >"$TMP/want"
exactly "nstrace TAB: the ten commands" "$TMP/want" ""
echo trace >"$TMP/want"
exactly "nstrace tr TAB: trace" "$TMP/want" tr
printf '%s\n' record report >"$TMP/want"
exactly "nstrace re TAB: record, report" "$TMP/want" re

section "options"
offers "trace -: -p --pid --container --no-summary --list-columns" "trace -" \
	-p --pid --container --no-summary --list-columns
printf '%s\n' --pid --pod >"$TMP/want"
exactly "nstrace --p TAB (trace by default): --pid --pod" "$TMP/want" --p
offers "ls --: --containers --compare --tree --output-all --noheadings" "ls --" \
	--containers --compare --tree --output-all --noheadings
candidates ls -- >"$TMP/c"
check "ls --: no trace option (--pid)" bash -c "! grep -qx -- --pid '$TMP/c'"
offers "rec (a prefix) -: --output --duration --wait" "rec -" --output --duration --wait
offers "version -: -J --json" "version -" -J --json
printf '%s\n' --verbose --version >"$TMP/want"
exactly "nstrace --ver TAB: --verbose (trace's) and --version" "$TMP/want" --ver
candidates trace --ver >"$TMP/c"
check "trace --ver TAB: not --version" bash -c "! grep -qx -- --version '$TMP/c'"

section "columns"
offers "trace -o: TIME PID COMM SYSCALL CONTAINER DETAIL" "trace -o " \
	TIME PID COMM SYSCALL CONTAINER DETAIL
candidates -o "" >"$TMP/c"
check "-o: as many as --list-columns prints ($(wc -l <"$TMP/c"))" \
	[ "$(wc -l <"$TMP/c")" -eq "$("$NSTRACE" trace --list-columns | wc -l)" ]
printf '%s\n' PID,COMM PID,CONTAINER >"$TMP/want"
exactly "-o PID,CO: PID,COMM PID,CONTAINER" "$TMP/want" -o PID,CO
printf '%s\n' +CHANGES +CHILD >"$TMP/want"
exactly "-o +CH: +CHANGES +CHILD" "$TMP/want" -o +CH
offers "ls -o: NS TYPE HOLDERS CONTAINERS" "ls -o " NS TYPE HOLDERS CONTAINERS
offers "ls --containers -o: NAME MNT_INO PIDNS" "ls --containers -o " NAME MNT_INO PIDNS
candidates ls --containers -o "" >"$TMP/c"
check "ls --containers -o: not the namespace table's HOLDERS" \
	bash -c "! grep -qx HOLDERS '$TMP/c'"
candidates record -o "" >"$TMP/c"
check "record -o is a file: no column offered" bash -c "! grep -qx PID '$TMP/c'"

section "namespace types"
for f in /proc/self/ns/*; do
	t=${f##*/}
	case $t in *_for_children) ;; *) echo "$t" ;; esac
done >"$TMP/kernel"
check "this kernel has mnt net pid user" bash -c \
	"for t in mnt net pid user; do grep -qx \$t '$TMP/kernel' || exit 1; done"
{ cat "$TMP/kernel"; echo all; } >"$TMP/want"
exactly "--ns: /proc/self/ns's types and all" "$TMP/want" --ns ""
printf '%s\n' net,user net,uts >"$TMP/want"
exactly "--ns net,u: net,user net,uts" "$TMP/want" --ns net,u
printf '%s\n' mnt >"$TMP/want"
exactly "ls -t m: mnt" "$TMP/want" ls -t m
exactly "bench -t m (its --ns): mnt" "$TMP/want" bench -t m
printf '%s\n' 1:net >"$TMP/want"
exactly "run --join 1:ne: 1:net" "$TMP/want" run --join 1:ne

section "values"
offers "--pid: this test's PID ($$) and 1" "--pid " "$$" 1
offers "ls --task: this test's PID" "ls --task " "$$"
printf '%s\n' auto bpf kmod >"$TMP/want"
exactly "--backend: auto bpf kmod" "$TMP/want" --backend ""
printf '%s\n' auto fentry tracepoint kprobe >"$TMP/want"
exactly "serve --tier: the four tiers" "$TMP/want" serve --tier ""
printf '%s\n' text json csv chrome svg >"$TMP/want"
exactly "report -f: its five formats" "$TMP/want" report web.nst -f ""
echo nstcomp-web >"$TMP/want"

section "containers"
docker_setup
check "image imported" docker_image nstbox
export DOCKER_HOST=unix://$DK_SOCK
check "a container runs" dk run -d --name nstcomp-web --network=none nstbox sleep 600
exactly "--container nstc: nstcomp-web" "$TMP/want" --container nstc
offers "ls --compare: the container and PIDs" "ls --compare " nstcomp-web 1
offers "ls --compare A: the container again" "ls --compare 1 " nstcomp-web "$$"
dk rm -f nstcomp-web >/dev/null
candidates --container "" >"$TMP/c"
check "--container, none running: nothing offered" [ ! -s "$TMP/c" ]
docker_stop_checked
done_testing

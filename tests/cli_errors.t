#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Every subcommand with malformed arguments: the exit status (2 for bad
# input, 1 for a failure once running) and a message that says what is wrong.
. "$(dirname "$0")/lib.sh"
needs test
need_root

many_pids=$(seq -s, 1 65)
cd "$TMP" || exit 1
cp /etc/hostname not-a-recording

# run_rows JUDGE [LABEL]: for each row of stdin, STATUS | EXPECTED | ARGUMENTS
# (shell words), run nstrace with ARGUMENTS: ok when it exits with STATUS and
# JUDGE EXPECTED finds its stderr ($TMP/err) right
run_rows() {
	judge=$1 label=${2:-}
	while IFS='|' read -r want expect args; do
		case $want in '' | \#*) continue ;; esac
		want=${want// /}
		expect=$(sed 's/^ *//; s/ *$//' <<<"$expect")
		eval "set -- $args"
		timeout 30 "$NSTRACE" "$@" >/dev/null 2>"$TMP/err" </dev/null
		st=$?
		if [ "$st" -eq "$want" ] && "$judge" "$expect"; then
			ok "nstrace$args: exit $want, $label$expect"
		else
			not_ok "nstrace$args: exit $want, $label$expect" \
				"exit $st, stderr: $(head -3 "$TMP/err")"
		fi
	done
}

# text_error PATTERN: stderr matches the extended regex
text_error() {
	grep -qE -- "$1" "$TMP/err"
}

# json_error TEXT: stderr is one JSON object, {"error": "..."}, whose message holds TEXT
json_error() {
	[ "$(wc -l <"$TMP/err")" -eq 1 ] &&
		jq -e --arg t "$1" 'keys == ["error"] and (.error | type == "string") and
			(.error | contains($t))' "$TMP/err" >/dev/null 2>&1
}

# STATUS | MESSAGE (extended regex, on stderr) | ARGUMENTS (shell words)
run_rows text_error <<'EOT'
# the default command and trace
2 | invalid pid 'abc'                              | --pid abc
2 | invalid pid list '1,'                          | --pid 1,
2 | invalid pid '0': expected a whole number from 1 | trace -p 0
2 | too many pid values: at most 64                | --pid $many_pids
2 | unknown namespace type 'foo' \(valid: mnt, uts | --ns net,foo
2 | empty namespace type list                      | trace --ns ''
2 | unknown column: NOPE                           | -o PID,NOPE
2 | invalid duration 'soon'                        | -d soon
2 | invalid duration '-1s'                         | trace -d -1s
2 | invalid duration 'nan'                         | trace -d nan
2 | invalid size '0x1000'                          | trace -b 0x1000 -d 1
2 | invalid size '8Q'                              | -b 8Q -d 1
2 | invalid size '1e3'                             | -b 1e3 -d 1
2 | invalid ring buffer size 3072: use a power of two from 4K to 1G | -b 3K -d 1
2 | invalid ring buffer size 2147483648             | trace -b 2G -d 1
2 | unknown tier 'uprobe' \(valid: auto, fentry, tracepoint, kprobe\) | --tier uprobe -d 1
2 | nstrace trace: unrecognized option '--bogus'   | trace --bogus
2 | nstrace: unrecognized option '--bogus'         | --bogus
2 | option '--pid' requires an argument            | trace --pid
2 | unexpected argument 'extra'                    | trace extra
2 | invalid --comm '.*': the kernel keeps at most 15 characters | --comm abcdefghijklmnopq -d 1
2 | failed to open cgroup '/nonexistent'           | -g /nonexistent -d 1
2 | failed to trace pid 999999999: no such process | --pid 999999999
2 | unknown or ambiguous command 'frobnicate'      | frobnicate
2 | unknown or ambiguous command 're'              | re
# run
2 | invalid --join 'x': expected PID:TYPES         | run --join x -- true
2 | invalid pid '0'                                | run --join 0:net -- true
2 | unknown namespace type 'nett'                  | run --join 1:nett -- true
2 | unknown namespace type 'nett'                  | run --ns nett -- true
2 | no command given                               | run --ns net
2 | --mount-proc needs new pid and mnt             | run --mount-proc -- true
2 | --hostname needs a new uts namespace           | run --hostname web1 -- true
2 | --map-root needs a new user namespace          | run --map-root -- true
2 | failed to join pid 999999999: no such process  | run --join 999999999:net -- true
2 | nstrace run: unrecognized option '--bogus'     | run --bogus -- true
1 | failed to execute /nonexistent: No such file   | run -- /nonexistent
# bench
2 | invalid iteration count \(-n\) '0'             | bench -n 0
2 | invalid job count 'x'                          | bench -j 1,x
2 | invalid job count list ''                      | bench -j ''
2 | too many job count values                      | bench -j 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17
2 | unknown mode 'fork' \(valid: unshare, clone\)  | bench -m fork
2 | invalid duration 'never'                       | bench -d never
2 | invalid --hold count '0'                       | bench --hold 0
2 | unknown namespace type 'xyz'                   | bench --ns xyz
2 | unexpected argument 'extra'                    | bench extra
# record
2 | no output file: give one with -o FILE          | record --comm x
2 | give either --pid or a command, not both       | record -o f.nst --pid 1 -- true
2 | invalid pid 'x'                                | record -o f.nst --pid x
2 | invalid duration '0'                           | record -o f.nst -d 0
2 | invalid ring buffer size                       | record -o f.nst -b 1000
2 | failed to create /nonexistent/d/f.nst: No such file | record -o /nonexistent/d/f.nst -d 1
2 | nstrace record: unrecognized option '--bogus'  | record --bogus
# report
2 | unknown --group-by 'what' \(valid: container, pod\) | report --group-by what x.nst
2 | give exactly one recording file                | report
2 | give exactly one recording file                | report a.nst b.nst
2 | unknown format 'xml' \(valid: text, json, csv, chrome, svg\) | report -f xml a.nst
2 | failed to open /nonexistent.nst: No such file  | report /nonexistent.nst
2 | not an nstrace recording                       | report not-a-recording
# ls
2 | unknown namespace type 'nett' \(valid: mnt     | ls -t nett
2 | invalid pid 'x'                                | ls -p x
2 | unknown column: NOPE                           | ls -o NOPE
2 | unexpected argument 'extra'                    | ls extra
1 | failed to open /nonexistent.nst                | ls --from /nonexistent.nst
# serve
2 | invalid --listen '127.0.0.1': expected IP:PORT | serve --listen 127.0.0.1
2 | invalid --listen 'localhost:80'                | serve --listen localhost:80
2 | invalid port '0'                               | serve --listen 127.0.0.1:0
2 | invalid port '99999'                           | serve --listen '[::1]:99999'
2 | invalid --top '100'                            | serve --top 100
2 | invalid --max-label-values '20000'             | serve --max-label-values 20000
2 | invalid --max-label-values 'lots'              | serve --max-label-values lots
2 | unknown namespace type 'foo'                   | serve --ns foo
2 | nstrace serve: unrecognized option '--bogus'   | serve --bogus
# demo
2 | nstrace demo: unrecognized option '--bogus'    | demo --bogus
EOT

# Under -J an error is one JSON object on stderr, {"error": "..."}, from the
# moment the option is read (docs/events.md, "Errors").
# STATUS | TEXT the error names | ARGUMENTS (shell words)
run_rows json_error "one JSON error naming: " <<'EOT'
2 | invalid pid 'notanumber'                       | trace -J --pid notanumber
2 | invalid pid 'notanumber'                       | --json --pid notanumber
2 | unknown namespace type 'foo'                   | trace -J --ns net,foo
2 | unknown column: NOPE                           | -J -o PID,NOPE
2 | invalid --comm 'a"b\cdefghijklmnop': the kernel keeps at most 15 characters | -J --comm 'a"b\cdefghijklmnop'
2 | failed to trace pid 999999999: no such process | -J --pid 999999999
2 | invalid pid 'x'                                | record -J -o f.nst --pid x
2 | no output file: give one with -o FILE          | record --json --comm x
2 | --mount-proc needs new pid and mnt             | run -J --mount-proc -- true
2 | unknown tier 'uprobe'                          | demo -J --tier uprobe
2 | invalid pid 'x'                                | ls -J -p x
2 | unknown mode 'fork'                            | bench -J -m fork
EOT

# before -J is read, an error is still text
expect_usage "nstrace trace --pid notanumber -J: a text error (-J not read yet)" \
	"^nstrace: invalid pid 'notanumber'" "$NSTRACE" trace --pid notanumber -J

done_testing

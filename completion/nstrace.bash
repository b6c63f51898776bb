# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# bash completion for nstrace (installed as
# share/bash-completion/completions/nstrace; needs bash-completion).
#
# What can change is asked of nstrace itself when TAB is pressed, so that
# the completion never disagrees with the binary: the commands
# ('nstrace help'), each command's options (its --help), the columns of -o
# (--list-columns of that command and view) and the running containers and
# pods ('nstrace ls --containers'). Namespace types are the ones this
# kernel has (/proc/self/ns); PIDs are the running processes.

# the words of a command's --help that are options: "-p", "--pid", ...
_nstrace_options()
{
	"$1" "$2" --help 2>/dev/null |
		sed -nE 's/^  (-([A-Za-z0-9]), |    )(--[a-z][a-z-]*)( .*)?$/-\2 \3/p' |
		sed 's/^- //'
}

# complete the last element of a comma-separated list from candidates "$@";
# a leading + (-o +COLS) is kept
_nstrace_list()
{
	local cur=$1 head last
	shift
	case $cur in
	*,*)
		head=${cur%,*},
		last=${cur##*,}
		;;
	+*)
		head=+
		last=${cur#+}
		;;
	*)
		head=
		last=$cur
		;;
	esac
	local IFS=$'\n'
	COMPREPLY=($(compgen -P "$head" -W "$*" -- "$last"))
	# a list goes on: no space after an element
	compopt -o nospace 2>/dev/null
}

# the namespace types this kernel has
_nstrace_nstypes()
{
	local f
	for f in /proc/self/ns/*; do
		f=${f##*/}
		case $f in *_for_children) continue ;; esac
		echo "$f"
	done
}

# running containers' names (ids when a runtime gave no name), or pods
_nstrace_containers()
{
	"$1" ls --containers -o "$2" --noheadings --raw 2>/dev/null | awk 'NF && !seen[$0]++'
}

_nstrace()
{
	local cur prev words cword split
	_init_completion -s || return

	local bin=${words[0]} cmd= i cmdidx=0
	local commands
	commands=$("$bin" help 2>/dev/null | sed -nE 's/^  ([a-z]+) .*/\1/p')

	# the command: the first word after nstrace, unless it is an option
	# (then trace, as nstrace itself does); a unique prefix counts
	if [[ $cword -gt 1 && ${words[1]} != -* ]]; then
		for i in $commands; do
			if [[ $i == "${words[1]}"* ]]; then
				[[ -n $cmd ]] && { cmd=; break; }
				cmd=$i
				[[ $i == "${words[1]}" ]] && break
			fi
		done
		[[ -z $cmd ]] && return
		cmdidx=1
	elif [[ $cword -eq 1 && $cur != -* ]]; then
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		return
	else
		cmd=trace
	fi

	# after "--", run and record start a command: complete it as bash would
	for ((i = cmdidx + 1; i < cword; i++)); do
		if [[ ${words[i]} == -- ]]; then
			[[ $cmd == run || $cmd == record ]] && _command_offset $((i + 1))
			return
		fi
	done

	# ls --compare A B: PIDs or containers, twice
	if [[ $cmd == ls && ($prev == --compare || ${words[cword - 2]} == --compare) ]]; then
		_pids
		local IFS=$'\n'
		COMPREPLY+=($(compgen -W "$(_nstrace_containers "$bin" NAME)" -- "$cur"))
		return
	fi

	# the value of an option
	case $cmd:$prev in
	*:--backend)
		COMPREPLY=($(compgen -W "auto bpf kmod" -- "$cur"))
		return
		;;
	*:--tier)
		COMPREPLY=($(compgen -W "auto fentry tracepoint kprobe" -- "$cur"))
		return
		;;
	trace:-o | trace:--output | ls:-o | ls:--output)
		local view=()
		[[ $cmd == ls && " ${words[*]} " == *" --containers "* ]] && view=(--containers)
		[[ $cmd == ls && " ${words[*]} " == *" --compare "* ]] && view=(--compare 1 1)
		local IFS=$'\n'
		_nstrace_list "$cur" $("$bin" "$cmd" "${view[@]}" --list-columns 2>/dev/null |
			awk '{ print $1 }')
		return
		;;
	trace:-n | trace:--ns | record:-n | record:--ns | serve:-n | serve:--ns | run:-n | \
		run:--ns | bench:-t | bench:--ns)
		_nstrace_list "$cur" $(_nstrace_nstypes) all
		return
		;;
	ls:-t | ls:--type)
		COMPREPLY=($(compgen -W "$(_nstrace_nstypes)" -- "$cur"))
		return
		;;
	*:--container)
		local IFS=$'\n'
		COMPREPLY=($(compgen -W "$(_nstrace_containers "$bin" NAME)" -- "$cur"))
		return
		;;
	*:--pod)
		local IFS=$'\n'
		COMPREPLY=($(compgen -W "$(_nstrace_containers "$bin" POD)" -- "$cur"))
		return
		;;
	trace:-p | trace:--pid | record:-p | record:--pid | serve:-p | serve:--pid | \
		*:--ns-of | ls:-p | ls:--task)
		_pids
		return
		;;
	run:-j | run:--join)
		if [[ $cur == *:* ]]; then
			local pid=${cur%%:*}
			_nstrace_list "${cur#*:}" $(_nstrace_nstypes)
			COMPREPLY=("${COMPREPLY[@]/#/$pid:}")
		else
			_pids
			compopt -o nospace 2>/dev/null
			COMPREPLY=("${COMPREPLY[@]/%/:}")
		fi
		return
		;;
	*:-g | *:--cgroup)
		[[ -z $cur ]] && cur=/sys/fs/cgroup/
		_filedir -d
		return
		;;
	report:-f | report:--format)
		COMPREPLY=($(compgen -W "text json csv chrome svg" -- "$cur"))
		return
		;;
	bench:-m | bench:--mode)
		COMPREPLY=($(compgen -W "unshare clone" -- "$cur"))
		return
		;;
	ls:--from)
		_filedir nst
		return
		;;
	record:-o | record:--output | run:-o | run:--output | bench:--svg)
		_filedir
		return
		;;
	*:-c | *:--comm)
		_pnames
		return
		;;
	*:-b | *:--buffer | *:-d | *:--duration | *:-l | *:--listen | *:-t | *:--top | \
		bench:-n | bench:--iterations | bench:-w | bench:--warmup | bench:-j | bench:--jobs | \
		bench:--hold | run:-H | run:--hostname)
		# a number, a size, an address or a name: nothing to offer
		return
		;;
	esac
	$split && return

	if [[ $cur == -* ]]; then
		local extra=
		# nstrace --version: only as the first word
		[[ $cword -eq 1 ]] && extra=--version
		COMPREPLY=($(compgen -W "$(_nstrace_options "$bin" "$cmd") $extra" -- "$cur"))
		return
	fi
	# report's recording
	[[ $cmd == report ]] && _filedir nst
}
complete -F _nstrace nstrace

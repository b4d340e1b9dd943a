#!/usr/bin/env bash
# stack.sh - start, stop or query the development/test stack: nginx in
# front of the Arbor FastCGI workers, all state under one folder.
#
#   nginx/stack.sh start|stop|status|restart
#
# Environment:
#   VAR         state folder (required): run/ (pid files, socket),
#               log/ (nginx-error.log, access.log, arbor-fcgi.log: the
#               workers' stderr), nginx/ (temp files), nginx.conf
#   PORT        port on 127.0.0.1 (default 8080)
#   ROOT        project folder (default: the parent of this script's)
#   BIN         folder holding arbor-fcgi (default $ROOT/bin)
#   ARBOR_CONF  configuration file the workers read (required by start)
#   WORKERS     number of workers under multiwatch (default: nproc), per
#               node
#   NODES       app nodes (default 1): separate worker pools on separate
#               sockets, as if on separate machines, behind one nginx
#               upstream (issue 19: two nodes on one PostgreSQL database)
#   WRAP        command prefix for the worker, e.g. "valgrind -q
#               --leak-check=full". With WRAP, exactly one worker runs,
#               without multiwatch: the wrapped process is the worker.
#   ASAN_OPTIONS, UBSAN_OPTIONS and the rest of the environment are
#               passed on to the workers.
#   START_TIMEOUT  seconds to wait for the stack to answer (default 10,
#               60 with WRAP)
#   STOP_TIMEOUT   seconds to wait for a graceful stop before KILL
#               (default 10, 60 with WRAP)
#
# Files: $VAR/run/nginx.pid (nginx master), $VAR/run/fcgi.pid (the worker
# process tree's top: multiwatch, or the single wrapped worker),
# $VAR/run/arbor.sock (the FastCGI socket), $VAR/log/arbor-fcgi.log (its
# stderr); node N from 2 on has fcgi-N.pid, arbor-N.sock and
# arbor-fcgi-N.log.
#
# Exit status of `status`: 0 running, 3 stopped, 1 partly running.

set -euo pipefail

prog=stack.sh
die() {
	echo "$prog: $*" >&2
	exit 1
}
say() {
	echo "$prog: $*"
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "${ROOT:-$(dirname "$here")}" && pwd)
PORT=${PORT:-8080}
BIN=${BIN:-$ROOT/bin}
WRAP=${WRAP:-}
WORKERS=${WORKERS:-$(nproc 2>/dev/null || echo 2)}
NODES=${NODES:-1}
if [ -n "$WRAP" ]; then
	START_TIMEOUT=${START_TIMEOUT:-60}
	STOP_TIMEOUT=${STOP_TIMEOUT:-60}
else
	START_TIMEOUT=${START_TIMEOUT:-10}
	STOP_TIMEOUT=${STOP_TIMEOUT:-10}
fi

[ -n "${VAR:-}" ] || die "VAR (the state folder) is not set"

find_prog() {
	local name=$1 p
	p=$(command -v "$name" 2>/dev/null) && { echo "$p"; return 0; }
	for p in /usr/sbin/$name /usr/bin/$name /sbin/$name; do
		[ -x "$p" ] && { echo "$p"; return 0; }
	done
	return 1
}

# node_suffix N: "" for node 1 (the names of a one-node stack), "-N" on
node_suffix() { [ "$1" = 1 ] || echo "-$1"; }
sock_path() { echo "$VAR/run/arbor$(node_suffix "$1").sock"; }
nginx_pidfile() { echo "$VAR/run/nginx.pid"; }
fcgi_pidfile() { echo "$VAR/run/fcgi$(node_suffix "$1").pid"; }
fcgi_idfile() { echo "$VAR/run/fcgi$(node_suffix "$1").id"; }
fcgi_log() { echo "$VAR/log/arbor-fcgi$(node_suffix "$1").log"; }

# The nodes with a pid file, started by this or an earlier start
# (whatever NODES is now).
started_nodes() {
	local f n
	for f in "$VAR"/run/fcgi.pid "$VAR"/run/fcgi-*.pid; do
		[ -e "$f" ] || continue
		n=${f##*/fcgi}
		n=${n%.pid}
		n=${n#-}
		echo "${n:-1}"
	done
}

# Process start time (field 22 of /proc/PID/stat), to tell a process from
# a later one that reuses its pid.
proc_start() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	set -- $stat
	echo "${20}"
}

# True when PID runs (a zombie counts as gone: nobody may reap it).
alive() {
	local pid=$1 stat
	[ -n "$pid" ] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	[ "${stat:0:1}" != Z ]
}

read_pid() {
	local f=$1 pid
	[ -f "$f" ] || return 1
	read -r pid <"$f" 2>/dev/null || return 1
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	echo "$pid"
}

# The nginx master of this stack, if it runs.
nginx_pid() {
	local pid comm
	pid=$(read_pid "$(nginx_pidfile)") || return 1
	[ "$pid" -gt 1 ] && [ "$pid" != $$ ] || return 1
	alive "$pid" || return 1
	comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
	[ "$comm" = nginx ] || return 1
	echo "$pid"
}

# The top of node N's worker tree (multiwatch or the single wrapped
# worker), if it runs.
fcgi_pid() {
	local pid id
	pid=$(read_pid "$(fcgi_pidfile "$1")") || return 1
	[ "$pid" -gt 1 ] && [ "$pid" != $$ ] || return 1
	alive "$pid" || return 1
	# Only the very process started (same start time), never another
	# that got the pid later.
	read -r id <"$(fcgi_idfile "$1")" 2>/dev/null || return 1
	[[ $id =~ ^[0-9]+$ ]] || return 1
	[ "$(proc_start "$pid" || true)" = "$id" ] || return 1
	echo "$pid"
}

children() {
	local pid=$1
	if command -v pgrep >/dev/null 2>&1; then
		pgrep -P "$pid" 2>/dev/null || true
	else
		local f
		for f in /proc/[0-9]*/stat; do
			local s
			s=$(cat "$f" 2>/dev/null) || continue
			s=${s##*) }
			set -- $s
			[ "$2" = "$pid" ] && { f=${f#/proc/}; echo "${f%/stat}"; }
		done
		true
	fi
}

# wait_gone SECONDS PID...: true when all are gone in time.
wait_gone() {
	local secs=$1 deadline p left
	shift
	deadline=$((SECONDS + secs))
	while :; do
		left=
		for p in "$@"; do
			alive "$p" && left="$left $p"
		done
		[ -z "$left" ] && return 0
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

kill_hard() {
	local p
	for p in "$@"; do
		if alive "$p"; then kill -KILL "$p" 2>/dev/null || true; fi
	done
	wait_gone 5 "$@" || true
}

stop_nginx() {
	local pid kids
	pid=$(nginx_pid) || { rm -f "$(nginx_pidfile)"; return 1; }
	kids=$(children "$pid")
	kill -QUIT "$pid" 2>/dev/null || true
	# shellcheck disable=SC2086
	if ! wait_gone "$STOP_TIMEOUT" "$pid" $kids; then
		echo "$prog: nginx ($pid) did not quit in ${STOP_TIMEOUT}s: killing it" >&2
		kill -TERM "$pid" 2>/dev/null || true
		# shellcheck disable=SC2086
		wait_gone 3 "$pid" $kids || kill_hard "$pid" $kids
	fi
	rm -f "$(nginx_pidfile)"
	return 0
}

# stop_fcgi N: stop node N's workers.
stop_fcgi() {
	local pid kids
	pid=$(fcgi_pid "$1") || {
		rm -f "$(fcgi_pidfile "$1")" "$(fcgi_idfile "$1")" "$(sock_path "$1")"
		return 1
	}
	kids=$(children "$pid")
	# SIGTERM: arbor-fcgi finishes the current request, frees everything
	# and exits through main (so valgrind sees a normal exit). multiwatch
	# (started with -s TERM) passes it on to each worker and exits when
	# they have.
	kill -TERM "$pid" 2>/dev/null || true
	# shellcheck disable=SC2086
	if ! wait_gone "$STOP_TIMEOUT" "$pid" $kids; then
		echo "$prog: workers ($pid $kids) did not stop in ${STOP_TIMEOUT}s: killing them" >&2
		# shellcheck disable=SC2086
		kill_hard "$pid" $kids
	fi
	rm -f "$(fcgi_pidfile "$1")" "$(fcgi_idfile "$1")" "$(sock_path "$1")"
	return 0
}

cmd_stop() {
	local stopped= n
	if [ ! -d "$VAR/run" ]; then
		return 0
	fi
	stop_nginx && stopped="$stopped nginx"
	for n in $(started_nodes); do
		if stop_fcgi "$n"; then
			[ "$n" = 1 ] && stopped="$stopped workers" ||
				stopped="$stopped node-$n"
		fi
	done
	if [ -n "$stopped" ]; then
		say "stopped$stopped ($VAR)"
	fi
	return 0
}

cmd_status() {
	local n f node up=0 down=0
	n=$(nginx_pid) && echo "nginx: running (pid $n)" || echo "nginx: stopped"
	for node in $(started_nodes); do
		if f=$(fcgi_pid "$node"); then
			echo "workers$(node_suffix "$node"): running (pid $f)"
			up=$((up + 1))
		else
			echo "workers$(node_suffix "$node"): stopped"
			down=$((down + 1))
		fi
	done
	[ $((up + down)) -gt 0 ] || { echo "workers: stopped"; down=1; }
	if [ -n "$n" ] && [ "$down" = 0 ]; then
		return 0
	elif [ -z "$n" ] && [ "$up" = 0 ]; then
		return 3
	fi
	return 1
}

# Prints the status code of GET / (empty when nothing answers).
http_status() (
	exec 3<>"/dev/tcp/127.0.0.1/$PORT" || exit 1
	printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1:%s\r\nUser-Agent: stack.sh\r\n\r\n' "$PORT" >&3
	IFS=' ' read -r -t 5 proto code _ <&3 || exit 1
	case $proto in HTTP/*) echo "$code" ;; *) exit 1 ;; esac
)

# VALUE quoted for the replacement side of s|...|VALUE|.
sed_quote() {
	printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

show_logs() {
	local f
	for f in "$VAR/log/nginx-error.log" "$VAR"/log/arbor-fcgi*.log; do
		if [ -s "$f" ]; then
			echo "--- last lines of $f:" >&2
			tail -n 20 "$f" >&2
		fi
	done
}

start_failed() {
	echo "$prog: $*" >&2
	show_logs
	cmd_stop >/dev/null 2>&1 || true
	exit 1
}

# The nodes whose workers run.
running_nodes() {
	local n
	for n in $(started_nodes); do
		fcgi_pid "$n" >/dev/null && echo "$n"
	done
	true
}

# start_node N WORKER SOCKMODE SOCKGROUP: node N's workers on their own
# socket, until that socket is there (or START_TIMEOUT, from deadline).
# spawn-fcgi -n: it binds the socket and execs the program in place, so
# the workers' stderr goes to the node's log and the pid of the
# background job is the pid of the program.
start_node() {
	local node=$1 worker=$2 sockmode=$3 sockgroup=$4 pid log
	local -a cmd=("$spawn" -n -s "$(sock_path "$node")" -M "$sockmode")
	[ -n "$sockgroup" ] && cmd+=(-G "$sockgroup")
	cmd+=(--)
	if [ -n "$WRAP" ]; then
		local -a wrap
		read -r -a wrap <<<"$WRAP"
		# spawn-fcgi execs without a PATH search.
		case ${wrap[0]} in
		*/*) ;;
		*) wrap[0]=$(command -v "${wrap[0]}") || die "WRAP: ${wrap[0]} not found" ;;
		esac
		cmd+=("${wrap[@]}" "$worker")
	else
		cmd+=("$multiwatch" -f "$WORKERS" -s TERM -- "$worker")
	fi
	log=$(fcgi_log "$node")
	echo "=== $(date '+%Y-%m-%d %H:%M:%S') start: ${cmd[*]}" >>"$log"
	(cd "$ROOT" && exec setsid "${cmd[@]}" </dev/null >>"$log" 2>&1) &
	pid=$!
	echo "$pid" >"$(fcgi_pidfile "$node")"
	# Its start time tells it from a later process with the same pid.
	proc_start "$pid" >"$(fcgi_idfile "$node")" 2>/dev/null || true
	while [ ! -S "$(sock_path "$node")" ]; do
		alive "$pid" || start_failed "the workers exited at once (see $log)"
		[ "$SECONDS" -lt "$deadline" ] ||
			start_failed "no socket $(sock_path "$node") after ${START_TIMEOUT}s"
		sleep 0.05
	done
}

cmd_start() {
	local nginx worker sockmode=0600 sockgroup=""
	local user_line="" out pid code deadline

	[ -n "${ARBOR_CONF:-}" ] || die "ARBOR_CONF is not set"
	[[ $PORT =~ ^[0-9]+$ ]] || die "PORT must be a number, not '$PORT'"
	[[ $WORKERS =~ ^[1-9][0-9]*$ ]] || die "WORKERS must be a positive number"
	[[ $NODES =~ ^[1-9]$ ]] || die "NODES must be a number from 1 to 9"
	nginx=$(find_prog nginx) || die "nginx not found (make deps installs nginx-light)"
	spawn=$(find_prog spawn-fcgi) || die "spawn-fcgi not found (make deps)"
	worker=$BIN/arbor-fcgi
	[ -x "$worker" ] || die "$worker is missing or not executable (make all)"
	[ -f "$here/arbor.conf.in" ] || die "$here/arbor.conf.in is missing"
	if [ -z "$WRAP" ]; then
		multiwatch=$(find_prog multiwatch) || die "multiwatch not found (make deps)"
	fi

	mkdir -p "$VAR"
	VAR=$(cd "$VAR" && pwd)
	case $ARBOR_CONF in
	/*) ;;
	*) ARBOR_CONF=$PWD/$ARBOR_CONF ;;
	esac
	export ARBOR_CONF

	if nginx_pid >/dev/null || [ -n "$(running_nodes)" ]; then
		cmd_status >&2 || true
		die "already running in $VAR: run '$0 stop' first"
	fi
	if port_in_use; then
		die "port $PORT on 127.0.0.1 is already in use (set PORT=...)"
	fi

	mkdir -p "$VAR/run" "$VAR/log" "$VAR/nginx"
	rm -f "$(nginx_pidfile)" "$VAR"/run/fcgi*.pid "$VAR"/run/fcgi*.id \
		"$VAR"/run/arbor*.sock

	# As root, nginx's workers run as www-data: they must reach the
	# socket, but nobody else need.
	if [ "$(id -u)" = 0 ] && id -u www-data >/dev/null 2>&1; then
		user_line="user www-data;"
		chgrp www-data "$VAR/run"
		chmod 0750 "$VAR/run"
		chmod o+x "$VAR"
		sockmode=0660
		sockgroup=www-data
		# A parent folder closed to others (mktemp -d makes 0700 ones)
		# would make every request a 502 or 403: then nginx's workers
		# stay root, as the rest of the stack is.
		if command -v runuser >/dev/null 2>&1 &&
			! runuser -u www-data -- test -x "$VAR/run" -a -x "$ROOT/static" \
				2>/dev/null; then
			echo "$prog: note: www-data cannot reach $VAR/run or $ROOT/static; nginx workers run as root" >&2
			user_line="user root;"
		fi
	else
		chmod 0700 "$VAR/run"
	fi

	# nginx.conf from the template; its upstream has a server per node.
	local servers= node
	for node in $(seq "$NODES"); do
		servers="${servers}server unix:$(sock_path "$node") max_fails=0; "
	done
	sed -e "s|@PORT@|$PORT|g" -e "s|@VAR@|$(sed_quote "$VAR")|g" \
		-e "s|@ROOT@|$(sed_quote "$ROOT")|g" \
		-e "s|@UPSTREAM_SERVERS@|$(sed_quote "$servers")|g" \
		-e "s|@USER_LINE@|$user_line|g" "$here/arbor.conf.in" >"$VAR/nginx.conf.tmp"
	mv -f "$VAR/nginx.conf.tmp" "$VAR/nginx.conf"
	if ! out=$("$nginx" -t -q -p "$VAR/nginx/" -e "$VAR/log/nginx-error.log" \
		-c "$VAR/nginx.conf" 2>&1); then
		echo "$out" >&2
		die "nginx rejects $VAR/nginx.conf"
	fi

	deadline=$((SECONDS + START_TIMEOUT))
	for node in $(seq "$NODES"); do
		start_node "$node" "$worker" "$sockmode" "$sockgroup"
	done

	if ! out=$("$nginx" -p "$VAR/nginx/" -e "$VAR/log/nginx-error.log" \
		-c "$VAR/nginx.conf" 2>&1); then
		echo "$out" >&2
		start_failed "nginx did not start"
	fi

	# Wait until a request goes through nginx to a worker.
	while :; do
		code=$(http_status 2>/dev/null || true)
		case $code in
		'' | 502 | 503 | 504) ;;
		*) break ;;
		esac
		for node in $(seq "$NODES"); do
			fcgi_pid "$node" >/dev/null ||
				start_failed "the workers exited (see $(fcgi_log "$node"))"
		done
		nginx_pid >/dev/null || start_failed "nginx exited"
		[ "$SECONDS" -lt "$deadline" ] ||
			start_failed "http://127.0.0.1:$PORT/ does not answer after ${START_TIMEOUT}s (last status: ${code:-none})"
		sleep 0.2
	done
	pid=
	for node in $(seq "$NODES"); do
		pid="$pid${pid:+, }$(fcgi_pid "$node")"
	done
	say "running on http://127.0.0.1:$PORT/ (nginx $(nginx_pid), workers $pid; state in $VAR)"
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
restart)
	cmd_stop
	cmd_start
	;;
*)
	echo "usage: VAR=DIR [PORT=N] [BIN=DIR] [ARBOR_CONF=FILE] $0 start|stop|status|restart" >&2
	exit 2
	;;
esac

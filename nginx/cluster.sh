#!/usr/bin/env bash
# cluster.sh - `make run-cluster` and its part of `make stop`: Arbor as it
# grows past one machine (issue 19), all on this one. A throwaway
# PostgreSQL cluster (tests/pg/cluster.sh: initdb and pg_ctl as an
# unprivileged user, no system service), two app nodes (separate worker
# pools on separate sockets, as if on two machines) behind one nginx
# upstream, and a mail sender beside each node (they claim messages in the
# database, so none is sent twice).
#
#   nginx/cluster.sh start|stop
#
# Environment: VAR (state folder, required: pg/ the cluster, arbor.conf,
# arbor.keys, mail/, run/, log/), PORT (default 8080), ROOT, BIN.
# The database is made with demo data on the first start and kept until
# VAR is removed.
set -euo pipefail

prog=cluster.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "${ROOT:-$(dirname "$here")}" && pwd)
BIN=${BIN:-$ROOT/bin}
PORT=${PORT:-8080}
NODES=2
[ -n "${VAR:-}" ] || { echo "$prog: VAR is not set" >&2; exit 1; }
mkdir -p "$VAR"
VAR=$(cd "$VAR" && pwd)
export ARBOR_CONF=$VAR/arbor.conf VAR PORT ROOT BIN NODES

# A sender's pid file holds its pid and start time (field 22 of
# /proc/PID/stat), which tells it from a later process with the same pid.
start_time() { awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null; }

stop_senders() {
	local f pid id
	for f in "$VAR"/run/mail-*.pid; do
		[ -e "$f" ] || continue
		read -r pid id <"$f" || true
		if [[ ${pid:-} =~ ^[0-9]+$ ]] && [ "$(start_time "$pid")" = "${id:-}" ]; then
			kill -TERM "$pid" 2>/dev/null || true
			echo "$prog: stopped the mail sender $pid"
		fi
		rm -f "$f"
	done
}

cmd_stop() {
	[ -d "$VAR" ] || return 0
	stop_senders
	bash "$here/stack.sh" stop
	if [ -d "$VAR/pg" ]; then
		bash "$ROOT/tests/pg/cluster.sh" stop "$VAR/pg"
	fi
}

# VALUE quoted for the replacement side of s|...|VALUE|.
sed_quote() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

# arbor.conf for both nodes, from the example: PostgreSQL at url.
write_conf() {
	sed -e "s|^engine *=.*|engine = postgresql|" \
		-e "s|^url *=.*|url = $(sed_quote "$1")|" \
		-e "s|^path *=.*|path = $(sed_quote "$VAR")/unused.db|" \
		-e "s|^keys *=.*|keys = $(sed_quote "$VAR")/arbor.keys|" \
		-e "s|^templates *=.*|templates = $(sed_quote "$ROOT")/templates|" \
		-e "s|^base_url *=.*|base_url = http://127.0.0.1:$PORT|" \
		-e "s|^spool *=.*|spool = $(sed_quote "$VAR")/mail|" \
		"$ROOT/deploy/arbor.conf.example" >"$ARBOR_CONF.tmp"
	mv -f "$ARBOR_CONF.tmp" "$ARBOR_CONF"
}

cmd_start() {
	local new=true url node pid
	[ -d "$VAR/pg/data" ] && new=false
	mkdir -p "$VAR/mail" "$VAR/run" "$VAR/log"
	url=$(bash "$ROOT/tests/pg/cluster.sh" start "$VAR/pg")
	# whatever fails from here stops what started
	trap 'echo "$prog: start failed: stopping" >&2; cmd_stop' ERR
	write_conf "$url"
	"$BIN/arborctl" init
	if $new; then
		"$BIN/arborctl" demo >/dev/null
		echo "$prog: demo data in the new database"
	fi
	stop_senders
	bash "$here/stack.sh" stop
	bash "$here/stack.sh" start
	for node in $(seq "$NODES"); do
		setsid "$BIN/arborctl" mail send --loop </dev/null \
			>>"$VAR/log/mail-$node.log" 2>&1 &
		pid=$!
		echo "$pid $(start_time "$pid")" >"$VAR/run/mail-$node.pid"
	done
	trap - ERR
	echo "$prog: PostgreSQL: $url"
	echo "$prog: two app nodes ($VAR/run/arbor.sock, $VAR/run/arbor-2.sock), two mail senders"
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
*)
	echo "usage: VAR=DIR [PORT=N] $0 start|stop" >&2
	exit 2
	;;
esac

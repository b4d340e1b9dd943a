#!/usr/bin/env bash
# cluster.sh - a throwaway PostgreSQL 15 cluster for the tests, all of it
# in one directory: DIR/data (the cluster), DIR/socket (its only way in: a
# unix socket, no TCP) and DIR/log (the server's log).
#
#   tests/pg/cluster.sh start DIR    start it, made first when DIR has none;
#                                    prints the libpq connection string
#   tests/pg/cluster.sh stop DIR     stop it (fast: rolls back open work);
#                                    DIR stays as it is
#   tests/pg/cluster.sh status DIR   exit 0 when it runs
#
# The database arbor (UTF8, locale C: schema-pg.sql's header says why) and
# the superuser role arbor, trusted on the socket without a password:
# nothing but the processes of this machine that may open DIR reach it.
set -eu

me=${0##*/}
usage() {
	echo "usage: $me start|stop|status DIR" >&2
	exit 2
}
[ $# -eq 2 ] || usage
command=$1

# the server's own binaries: pg_config --bindir may be another version's
bin=/usr/lib/postgresql/15/bin
if [ ! -x "$bin/initdb" ]; then
	echo "$me: no $bin/initdb: apt-get install postgresql-15" >&2
	exit 1
fi

# initdb and pg_ctl refuse to run as root: root runs them as the Debian
# postgres user (the postgresql package makes it), who then owns DIR
if [ "$(id -u)" -eq 0 ]; then
	if ! id postgres >/dev/null 2>&1; then
		echo "$me: running as root needs the postgres system user" \
		    "(apt-get install postgresql-15)" >&2
		exit 1
	fi
	as_owner() { runuser -u postgres -- "$@"; }
else
	as_owner() { "$@"; }
fi

# The cluster trusts whoever reaches its socket: DIR and the socket are
# its owner's alone (root passes anyway), not every local user's.
if [ "$command" = start ]; then
	mkdir -p "$2"
	chmod 700 "$2"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$2"
	fi
fi
if [ ! -d "$2" ]; then
	echo "$me: no directory $2" >&2
	exit 1
fi
dir=$(cd "$2" && pwd -P)
data=$dir/data
socket=$dir/socket
# the postgres user's own start directory may be one it cannot read
cd "$dir"

running() {
	[ -f "$data/PG_VERSION" ] &&
	    as_owner "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1
}

case $command in
start)
	conninfo="host=$socket dbname=arbor user=arbor"
	if running; then
		echo "$me: $dir is a running cluster already" >&2
		echo "$conninfo"
		exit 0
	fi
	# a unix socket's path has at most 107 bytes (.s.PGSQL.5432 and /
	# take 14 of them)
	if [ ${#socket} -gt 94 ]; then
		echo "$me: $socket/.s.PGSQL.5432 is too long for a unix" \
		    "socket: choose a shorter DIR" >&2
		exit 1
	fi
	if [ ! -f "$data/PG_VERSION" ]; then
		if [ -e "$data" ]; then
			echo "$me: $data is in the way and holds no cluster" >&2
			exit 1
		fi
		# DIR/log is written by the server, so its user makes it;
		# initdb's words go there first
		as_owner mkdir -p "$socket"
		as_owner touch "$dir/log"
		if ! as_owner "$bin/initdb" -D "$data" -U arbor -E UTF8 \
		    --locale=C --auth-local=trust --auth-host=reject \
		    >>"$dir/log" 2>&1; then
			echo "$me: initdb failed (as $(as_owner id -un));" \
			    "the end of $dir/log:" >&2
			tail -n 20 "$dir/log" >&2
			exit 1
		fi
		# a test server on a small shared machine; fsync stays on,
		# as the crash tests need writes that outlive a crash
		cat >>"$data/postgresql.conf" <<-CONF

		# tests/pg/cluster.sh
		listen_addresses = ''
		unix_socket_directories = '$socket'
		unix_socket_permissions = 0700
		max_connections = 100
		shared_buffers = 64MB
		fsync = on
		CONF
	fi
	if ! as_owner "$bin/pg_ctl" start -D "$data" -l "$dir/log" -w \
	    >/dev/null; then
		echo "$me: the server did not start; the end of $dir/log:" >&2
		tail -n 20 "$dir/log" >&2
		exit 1
	fi
	# made from template0: a copy of template1 may not change the locale
	if [ -z "$(as_owner "$bin/psql" -X -At -h "$socket" -U arbor \
	    -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'arbor'")" ]; then
		as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$socket" \
		    -U arbor -d postgres -c "CREATE DATABASE arbor \
		    TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'"
	fi
	echo "$conninfo"
	;;
stop)
	if ! running; then
		echo "$me: $dir has no running cluster" >&2
		exit 0
	fi
	as_owner "$bin/pg_ctl" stop -D "$data" -m fast -w >/dev/null
	;;
status)
	running
	;;
*)
	usage
	;;
esac

#!/usr/bin/env bash
# tests/fresh-debian.sh - `make test` on a fresh Debian 12, as a new user
# would run it.
#
# Builds a minimal Debian 12 (bookworm) root with debootstrap that holds
# only build-essential, git and ca-certificates, clones this repository's
# committed HEAD into it and runs `make test` there as root, so that the
# project's own files must install and start everything else from Debian
# (and axe-core from npm) on Debian's own versions - Node 18, not whatever
# the host has. Not part of `make test`: run it by hand, as root, after a
# change to packages, the Makefile or the test harness.
#
# Usage: tests/fresh-debian.sh [DIR]
#   DIR      where the root goes (default: a new folder in /var/tmp); it is
#            removed at the end unless KEEP=1
# Environment:
#   MIRROR           Debian mirror (default http://deb.debian.org/debian)
#   SECURITY_MIRROR  (default http://deb.debian.org/debian-security)
#   KEEP=1           keep DIR (to look around: chroot DIR)
#   TARGETS          the make targets to run there (default: test; CI's
#                    .ci/run also runs test-pg, PostgreSQL with two nodes)
#
# The host's resolver and local CA certificates (/usr/local/share/
# ca-certificates, /etc/npmrc) are copied in, so that a host behind a
# TLS-inspecting proxy reaches the registries from the root as it does
# itself; nothing else of the host's is.
set -euo pipefail

die() { echo "fresh-debian.sh: $*" >&2; exit 1; }
say() { printf '[%4ds] %s\n' "$SECONDS" "$*"; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap and chroot need it)"
command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
repo=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}
root=${1:-$(mktemp -d /var/tmp/arbor-fresh-debian.XXXXXX)}
mkdir -p "$root"
# a new system's / is 0755; mktemp's 0700 would keep every user but root
# (postgres, www-data) from everything in the root
chmod 755 "$root"
root=$(cd "$root" && pwd)
[ "$root" != / ] || die "DIR must not be /"

mounts=()
cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount -l "${mounts[i]}" 2>/dev/null || true
	done
	if [ "${KEEP:-}" = 1 ]; then
		echo "fresh-debian.sh: kept $root"
	elif findmnt -rn -o TARGET | grep -q "^$root/"; then
		echo "fresh-debian.sh: $root still has mounts; not removed" >&2
	else
		# --one-file-system: never into a mount that failed to go away
		rm -rf --one-file-system "$root"
	fi
}
trap cleanup EXIT
mount_in() { # mount_in TARGET MOUNT-ARGS...
	mkdir -p "$root$1"
	mount "${@:2}" "$root$1"
	mounts+=("$root$1")
}

say "debootstrap bookworm (minbase + build-essential, git, ca-certificates) into $root"
debootstrap --variant=minbase --include=build-essential,git,ca-certificates \
	bookworm "$root" "$MIRROR" >"$root.debootstrap.log" 2>&1 ||
	die "debootstrap failed; see $root.debootstrap.log"
rm -f "$root.debootstrap.log"

cat >"$root/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $SECURITY_MIRROR bookworm-security main
EOF
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
# what the Debian installer writes and debootstrap does not: without it
# "localhost" does not resolve (chromedriver is reached through it)
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
	>"$root/etc/hosts"
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
	cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
	chroot "$root" update-ca-certificates >/dev/null
fi
[ -f /etc/npmrc ] && cp /etc/npmrc "$root/etc/npmrc"

mount_in /proc -t proc proc
mount_in /sys -t sysfs sysfs
mount_in /dev --bind /dev
mount_in /dev/pts --bind /dev/pts
mount_in /dev/shm -t tmpfs tmpfs

say "clone $(git -C "$repo" rev-parse --short HEAD) into /root/arbor"
git clone --quiet --no-local "$repo" "$root/root/arbor"

TARGETS=${TARGETS:-test}
say "make $TARGETS (in the root, as root)"
status=0
for target in $TARGETS; do
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		bash -c "cd /root/arbor && make $target" || { status=$?; break; }
done
node=$(chroot "$root" node --version 2>/dev/null || echo none)
say "make $TARGETS exited $status (Node $node, Debian $(cat "$root/etc/debian_version"))"
exit "$status"

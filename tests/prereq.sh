#!/usr/bin/env bash
# tests/prereq.sh - what `make test` needs, checked before anything runs.
#
# `make test` runs this after its package step (which installs what is
# missing when run as root). Whatever is still missing is named here in one
# line with the way to get it, instead of a test failing midway.
#
# Usage: tests/prereq.sh PACKAGE...   (the Debian packages the tests need)
# Exit status 0 when everything is there, 1 otherwise.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
problems=()

# Debian packages, as dpkg knows them; nodejs and npm also count when the
# commands are there (a NodeSource nodejs bundles npm).
missing=()
for p in "$@"; do
	case $p in
	nodejs) command -v node >/dev/null 2>&1 && continue ;;
	npm) command -v npm >/dev/null 2>&1 && continue ;;
	esac
	case "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" in
	*" ok installed") ;;
	*) missing+=("$p") ;;
	esac
done
if [ ${#missing[@]} -gt 0 ]; then
	problems+=("Debian packages ${missing[*]} (as root: apt-get install ${missing[*]})")
fi

# Debian's python3 packages are for Debian's python, not a pyenv one.
if ! /usr/bin/python3 -c 'import selenium, aiosmtpd' 2>/dev/null; then
	problems+=("selenium or aiosmtpd for /usr/bin/python3 (apt-get install python3-selenium python3-aiosmtpd)")
fi

# chromedriver drives only the Chromium of its own version.
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
	browser=$(/usr/bin/chromium --version 2>/dev/null | grep -o '[0-9][0-9]*\.' | head -1)
	driver=$(/usr/bin/chromedriver --version 2>/dev/null | grep -o '[0-9][0-9]*\.' | head -1)
	if [ "$browser" != "$driver" ]; then
		problems+=("chromium and chromium-driver of one version (apt-get install chromium chromium-driver)")
	fi
fi

# The stack and chromedriver listen on the loopback and are reached by
# name; a root without /etc/hosts (debootstrap's) cannot resolve it.
if ! getent hosts localhost >/dev/null 2>&1; then
	problems+=("a localhost entry in /etc/hosts (add: 127.0.0.1 localhost)")
fi

# axe-core, the accessibility checker the browser tests inject, from the
# npm registry at the version package-lock.json pins.
if [ ! -f "$here/browser/node_modules/axe-core/axe.min.js" ] && command -v npm >/dev/null 2>&1; then
	(cd "$here/browser" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1) ||
		problems+=("axe-core in tests/browser/node_modules (npm ci in tests/browser failed: is the npm registry reachable?)")
fi

if [ ${#problems[@]} -gt 0 ]; then
	msg="make test: missing: ${problems[0]}"
	for p in "${problems[@]:1}"; do msg+="; ${p}"; done
	echo "$msg" >&2
	exit 1
fi

# Arbor - build, run and test.
#
#   make            build bin/arbor-fcgi, bin/arborctl, bin/trivial-fcgi
#   make run        install what is missing, build, start nginx + workers
#                   on http://127.0.0.1:$(PORT)/ (default 8080)
#   make run-cluster  the same on PostgreSQL: a throwaway cluster and two
#                   app nodes behind one nginx (docs/ARCHITECTURE.md)
#   make stop       stop what `make run` or `make run-cluster` started
#   make test       deps, build (plain and ASan/UBSan), then unit,
#                   fuzz-smoke, integration and browser tests
#   make test-pg    the integration and browser tests on PostgreSQL, two
#                   app nodes per stack
#   make bench      wrk against the real stack at scale (docs/PERFORMANCE.md)
#   make bench-pg   the same on PostgreSQL, with one app node and with two
#   make soak       a minute of mixed load: no errors, no worker deaths, flat
#                   memory (docs/RELIABILITY.md)
#   make install    install for a server (PREFIX, DESTDIR, SYSCONFDIR,
#                   LOCALSTATEDIR, SYSTEMDUNITDIR; see deploy/README.md)
#   make uninstall  remove what install put (not the config, not the data)
#   make unit | integration | browser | asan | deps | prereq | clean
#   make fuzz       each libFuzzer harness FUZZ_SECONDS (default 60)
#   make fuzz-smoke each harness for a few seconds (part of make test)
#
# GNU make; safe with -j.

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

PORT ?= 8080

# ---------------------------------------------------------------- flags

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wconversion -Wno-sign-conversion

# Header paths of the libraries that ship a pkg-config file (liboath's
# headers, for one, live in their own folder). Empty when not installed.
PKGS := sqlite3 libpq libsodium liboath libqrencode jansson inih libcurl
PKG_CFLAGS := $(foreach p,$(PKGS),$(shell pkg-config --cflags $(p) 2>/dev/null))
INIH_LIBS := $(shell pkg-config --libs inih 2>/dev/null || echo -linih)
INIH_LIBS := $(if $(strip $(INIH_LIBS)),$(INIH_LIBS),-linih)

CPPFLAGS_ALL := -Icgi -Ibuild $(PKG_CFLAGS) -MMD -MP

CFLAGS := -std=c11 -D_GNU_SOURCE $(WARNINGS) -O2 -g \
	-fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
LDFLAGS := -pie -Wl,-z,relro,-z,now

# -fno-sanitize-recover: a UBSan finding ends the program (non-zero exit)
# instead of printing and going on, so a test cannot pass over one.
ASAN_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARNINGS) -O1 -g \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
ASAN_LDFLAGS := -fsanitize=address,undefined

# The fuzz harnesses (tests/fuzz/): clang's libFuzzer over objects built
# with coverage and the same sanitizers, a finding ending the run.
FUZZ_CC := clang
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARNINGS) -O1 -g \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined

LIBS := -lfcgi -lsqlite3 -lpq -lsodium -loath -lqrencode -ljansson $(INIH_LIBS) \
	-lcurl -lcrack -lzxcvbn -lcsv -lm
TEST_LIBS := -lcmocka

# ---------------------------------------------------------------- sources

MAINS := cgi/arbor.c cgi/arborctl.c
CORE_SRC := $(filter-out $(MAINS),$(sort $(wildcard cgi/*.c)))
CORE_OBJ := $(patsubst cgi/%.c,build/%.o,$(CORE_SRC))
CORE_ASAN_OBJ := $(patsubst cgi/%.c,build/asan/%.o,$(CORE_SRC))

SCHEMA_OBJ := build/schema_sql.o build/schema_pg_sql.o
SCHEMA_ASAN_OBJ := build/asan/schema_sql.o build/asan/schema_pg_sql.o

PROGRAMS := bin/arbor-fcgi bin/arborctl bin/trivial-fcgi
ASAN_PROGRAMS := build/asan/bin/arbor-fcgi build/asan/bin/arborctl

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_ASAN := $(patsubst tests/unit/%.c,build/asan/tests/%,$(UNIT_SRC))
UNIT_PLAIN := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRC))

FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/fuzz/bin/%,$(FUZZ_SRC))
CORE_FUZZ_OBJ := $(patsubst cgi/%.c,build/fuzz/%.o,$(CORE_SRC)) \
	build/fuzz/tests/fuzz.o

# ---------------------------------------------------------------- packages

# What building and `make run` need.
DEPS_BUILD := build-essential pkg-config nginx-light libfcgi-dev spawn-fcgi \
	multiwatch libsqlite3-dev sqlite3 libpq-dev libsodium-dev liboath-dev \
	libqrencode-dev libjansson-dev libinih-dev libcurl4-openssl-dev \
	libcrack2-dev cracklib-runtime libzxcvbn-dev libcsv-dev iso-codes tzdata
# What `make test` needs on top.
# The browser tests drive Debian's chromium through chromium-driver and
# python3-selenium; npm only fetches axe-core (a plain script), so Debian
# 12's Node 18 is enough. The deployment checks (test_deploy) render the
# man pages with groff (groff-base), verify the units with systemd-analyze
# (systemd; it runs man, from man-db, for Documentation=) and make a
# throwaway certificate for nginx -t with openssl. libFuzzer (the fuzz
# harnesses) is in clang's runtime package, which clang only recommends.
DEPS_TEST := libcmocka-dev oathtool zbar-tools python3 python3-aiosmtpd \
	python3-selenium valgrind wrk curl chromium chromium-driver nodejs npm tidy \
	groff-base man-db systemd openssl clang libclang-rt-14-dev
DEPS := $(DEPS_BUILD) $(DEPS_TEST)
# What `make run-cluster` and `make test-pg` need on top: Debian 12's
# PostgreSQL 15 server (its contrib extensions citext and pg_trgm come
# with it) and client (pg_dump for arborctl backup), and psycopg2 for the
# tests' own reads of the database.
DEPS_PG := postgresql-15 postgresql-client-15 python3-psycopg2

# $(call install_missing,PACKAGES): install those of PACKAGES dpkg does
# not report installed. nodejs and npm also count as present when the
# command is there (a NodeSource nodejs package bundles npm, and
# Debian's npm package would fight it).
define install_missing
	@missing=; \
	for p in $(1); do \
		case $$p in \
		nodejs) command -v node >/dev/null 2>&1 && continue ;; \
		npm) command -v npm >/dev/null 2>&1 && continue ;; \
		esac; \
		case "$$(dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null)" in \
		*" ok installed") ;; \
		*) missing="$$missing $$p" ;; \
		esac; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "Missing Debian packages:$$missing (as root: apt-get install$$missing)" >&2; \
		exit 1; \
	fi; \
	echo "Installing:$$missing"; \
	apt-get update -q && \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends $$missing
endef

# ---------------------------------------------------------------- build

.PHONY: all asan
all: $(PROGRAMS)
asan: $(ASAN_PROGRAMS)

bin/arbor-fcgi: build/arbor.o $(CORE_OBJ) | bin
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

bin/arborctl: build/arborctl.o $(CORE_OBJ) $(SCHEMA_OBJ) | bin
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

bin/trivial-fcgi: build/bench/trivial-fcgi.o | bin
	$(CC) $(LDFLAGS) -o $@ $^ -lfcgi

build/asan/bin/arbor-fcgi: build/asan/arbor.o $(CORE_ASAN_OBJ) | build/asan/bin
	$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(LIBS)

build/asan/bin/arborctl: build/asan/arborctl.o $(CORE_ASAN_OBJ) $(SCHEMA_ASAN_OBJ) | build/asan/bin
	$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(LIBS)

build/%.o: cgi/%.c | build
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -c -o $@ $<

build/asan/%.o: cgi/%.c | build/asan
	$(CC) $(CPPFLAGS_ALL) $(ASAN_CFLAGS) -c -o $@ $<

build/bench/trivial-fcgi.o: tests/bench/trivial-fcgi.c | build/bench
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -c -o $@ $<

# schema.sql and schema-pg.sql as C strings (schema_sql, schema_pg_sql):
# each line becomes a literal with \ " and ? escaped (no trigraphs) and
# \n appended.
define SCHEMA_C
	@echo "GEN $@"
	@{ \
		echo '/* Generated from $< by the Makefile: do not edit. */'; \
		echo 'extern const char $(1)[];'; \
		echo 'const char $(1)[] ='; \
		echo '""'; \
		sed -e 's/\r$$//' -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
			-e 's/?/\\?/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
		echo ';'; \
	} > $@.tmp && mv -f $@.tmp $@
endef

build/schema_sql.c: schema.sql | build
	$(call SCHEMA_C,schema_sql)

build/schema_pg_sql.c: schema-pg.sql | build
	$(call SCHEMA_C,schema_pg_sql)

build/schema%.o: build/schema%.c
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -c -o $@ $<

build/asan/schema%.o: build/schema%.c | build/asan
	$(CC) $(CPPFLAGS_ALL) $(ASAN_CFLAGS) -c -o $@ $<

# ---------------------------------------------------------------- unit tests

build/asan/tests/%.o: tests/unit/%.c | build/asan/tests
	$(CC) $(CPPFLAGS_ALL) -Itests/unit $(ASAN_CFLAGS) -c -o $@ $<

$(UNIT_ASAN): build/asan/tests/%: build/asan/tests/%.o $(CORE_ASAN_OBJ) $(SCHEMA_ASAN_OBJ)
	$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(LIBS) $(TEST_LIBS)

build/tests/%.o: tests/unit/%.c | build/tests
	$(CC) $(CPPFLAGS_ALL) -Itests/unit $(CFLAGS) -c -o $@ $<

$(UNIT_PLAIN): build/tests/%: build/tests/%.o $(CORE_OBJ) $(SCHEMA_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(TEST_LIBS)

# The models' tests (test_model_*.c) run on the in-memory database of
# tests/unit/model_fixture.c, linked into each of them.
$(filter build/asan/tests/test_model_%,$(UNIT_ASAN)): build/asan/tests/model_fixture.o
$(filter build/tests/test_model_%,$(UNIT_PLAIN)): build/tests/model_fixture.o

.PRECIOUS: build/asan/tests/%.o build/tests/%.o

# ---------------------------------------------------------------- fuzzing

build/fuzz/%.o: cgi/%.c | build/fuzz
	$(FUZZ_CC) $(CPPFLAGS_ALL) $(FUZZ_CFLAGS) -c -o $@ $<

build/fuzz/tests/%.o: tests/fuzz/%.c | build/fuzz/tests
	$(FUZZ_CC) $(CPPFLAGS_ALL) -Itests/fuzz $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BIN): build/fuzz/bin/%: build/fuzz/tests/%.o $(CORE_FUZZ_OBJ) | build/fuzz/bin
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^ $(LIBS)

.PRECIOUS: build/fuzz/tests/%.o

bin build build/bench build/asan build/asan/bin build/asan/tests build/tests \
build/fuzz build/fuzz/bin build/fuzz/tests:
	mkdir -p $@

# ---------------------------------------------------------------- tests

TEST_ENV := MUSTACHE_SPEC_DIR=$(CURDIR)/tests/mustache-spec \
	ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
	UBSAN_OPTIONS=$${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

.PHONY: unit integration browser test fuzz fuzz-smoke
unit: $(UNIT_ASAN) $(UNIT_PLAIN)
	@cd $(CURDIR) && $(TEST_ENV) bash tests/unit/run.sh $(UNIT_ASAN) -- $(UNIT_PLAIN)

integration: all asan
	cd $(CURDIR) && $(TEST_ENV) BIN=$(CURDIR)/build/asan/bin \
		VALGRIND_BIN=$(CURDIR)/bin ROOT=$(CURDIR) \
		/usr/bin/python3 tests/integration/run.py

# Each harness in turn on its corpus under build/fuzz/corpus (seeded
# from tests/fuzz/corpus); fails on any crash, leak or UB finding.
FUZZ_SECONDS ?= 60
fuzz: $(FUZZ_BIN)
	cd $(CURDIR) && bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

fuzz-smoke: $(FUZZ_BIN)
	cd $(CURDIR) && FUZZ_JOBS=$(JOBS) bash tests/fuzz/run.sh 3 $(FUZZ_BIN)

browser: all prereq
	cd $(CURDIR) && BIN=$(CURDIR)/bin ROOT=$(CURDIR) /usr/bin/python3 tests/browser/run.py

# Not part of `make test` (it needs the PostgreSQL server): the schema
# check and every integration and browser test on PostgreSQL, each stack
# with two app nodes, on one throwaway cluster (tests/pg/run-tests.sh).
.PHONY: test-pg deps-pg
test-pg: deps deps-pg
	@$(MAKE) --no-print-directory prereq
	@$(MAKE) --no-print-directory -j$(JOBS) all asan
	@cd $(CURDIR) && $(TEST_ENV) BIN=$(CURDIR)/build/asan/bin \
		PLAIN_BIN=$(CURDIR)/bin ROOT=$(CURDIR) bash tests/pg/run-tests.sh

deps-pg:
	$(call install_missing,$(DEPS_PG))

# What the tests need beyond packages (see tests/prereq.sh), said in one
# line before anything is built.
.PHONY: prereq
prereq:
	@bash tests/prereq.sh $(DEPS)

# Everything is built first, JOBS at a time (default: the cores); then
# the tests in order, each phase spreading its runs over the cores. All
# phases run even when one fails, and make fails if any did.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test: deps
	@$(MAKE) --no-print-directory prereq
	@$(MAKE) --no-print-directory -j$(JOBS) all asan $(UNIT_ASAN) $(UNIT_PLAIN) \
		$(FUZZ_BIN)
	@fail=; \
	for t in unit fuzz-smoke integration browser; do \
		began=$$SECONDS; \
		$(MAKE) --no-print-directory $$t || fail="$$fail $$t"; \
		echo "make test: $$t took $$((SECONDS - began)) s"; \
	done; \
	if [ -n "$$fail" ]; then echo "make test: FAILED:$$fail" >&2; exit 1; fi; \
	echo "make test: all passed"

.PHONY: bench bench-pg soak
bench: all
	cd $(CURDIR) && BIN=$(CURDIR)/bin ROOT=$(CURDIR) bash tests/bench/run.sh

# The same rows on PostgreSQL, one app node and two (tests/bench/pg.sh).
bench-pg: deps-pg
	@$(MAKE) --no-print-directory all
	cd $(CURDIR) && bash tests/bench/pg.sh

# Not part of `make test`: a minute of mixed load (tests/soak/run.sh).
soak: all
	cd $(CURDIR) && bash tests/soak/run.sh

# ---------------------------------------------------------------- deps

.PHONY: deps deps-build
deps:
	$(call install_missing,$(DEPS))

deps-build:
	$(call install_missing,$(DEPS_BUILD))

# ---------------------------------------------------------------- run

STACK_ENV := VAR=$(CURDIR)/var PORT=$(PORT) BIN=$(CURDIR)/bin \
	ARBOR_CONF=$(CURDIR)/arbor.conf ROOT=$(CURDIR)

# The mail sender of `make run` (issue 4): `arborctl mail send --loop` in
# the background, its pid and start time (field 22 of /proc/PID/stat,
# which tells it from a later process with the same pid) under var/run/,
# its log in var/log/mail.log. MAIL_STOP stops exactly that process.
define MAIL_START
	@mkdir -p var/run var/log
	@ARBOR_CONF=$(CURDIR)/arbor.conf setsid bin/arborctl mail send --loop \
		</dev/null >>var/log/mail.log 2>&1 & \
	pid=$$!; echo "$$pid" >var/run/mail.pid; \
	awk '{ sub(/.*\) /, ""); print $$20 }' "/proc/$$pid/stat" \
		>var/run/mail.id 2>/dev/null || true; \
	echo "mail sender running (pid $$pid, log var/log/mail.log)"
endef
define MAIL_STOP
	@pid=$$(cat var/run/mail.pid 2>/dev/null || true); \
	id=$$(cat var/run/mail.id 2>/dev/null || true); \
	if [[ $$pid =~ ^[0-9]+$$ ]] && [ -n "$$id" ] && \
		[ "$$(cat /proc/$$pid/comm 2>/dev/null)" = arborctl ] && \
		[ "$$(awk '{ sub(/.*\) /, ""); print $$20 }' /proc/$$pid/stat \
			2>/dev/null)" = "$$id" ]; then \
		kill -TERM "$$pid"; \
		for i in $$(seq 50); do kill -0 "$$pid" 2>/dev/null || break; \
			sleep 0.1; done; \
		if kill -0 "$$pid" 2>/dev/null; then kill -KILL "$$pid"; fi; \
		echo "stopped the mail sender ($$pid)"; \
	fi; \
	rm -f var/run/mail.pid var/run/mail.id
endef

.PHONY: run run-cluster stop
run: deps-build
	@$(MAKE) --no-print-directory all
	@mkdir -p var var/mail
	@if [ ! -f arbor.conf ]; then \
		echo "Writing arbor.conf (from deploy/arbor.conf.example)"; \
		sed -e 's|^\([[:space:]]*path[[:space:]]*=\).*|\1 var/arbor.db|' \
			-e 's|^\([[:space:]]*keys[[:space:]]*=\).*|\1 var/arbor.keys|' \
			-e 's|^\([[:space:]]*templates[[:space:]]*=\).*|\1 templates|' \
			-e 's|^\([[:space:]]*base_url[[:space:]]*=\).*|\1 http://127.0.0.1:$(PORT)|' \
			-e 's|^\([[:space:]]*spool[[:space:]]*=\).*|\1 var/mail|' \
			deploy/arbor.conf.example > arbor.conf.tmp && \
		mv -f arbor.conf.tmp arbor.conf; \
	fi
	$(MAIL_STOP)
	@$(STACK_ENV) bash nginx/stack.sh stop
	@if [ ! -f var/arbor.db ]; then \
		echo "Creating var/arbor.db with demo data"; \
		ARBOR_CONF=$(CURDIR)/arbor.conf bin/arborctl init && \
		ARBOR_CONF=$(CURDIR)/arbor.conf bin/arborctl demo \
		|| { rm -f var/arbor.db var/arbor.db-wal var/arbor.db-shm; exit 1; }; \
	else \
		ARBOR_CONF=$(CURDIR)/arbor.conf bin/arborctl init; \
	fi
	@$(STACK_ENV) bash nginx/stack.sh start
	$(MAIL_START)
	@echo
	@echo "Arbor is running at http://127.0.0.1:$(PORT)/"
	@echo
	@echo "Demo logins (all share the password arbor-demo-password):"
	@echo "  operator       platform operator"
	@echo "  admin          Account Administrator of Northwind Fleet, all groups"
	@echo "  dk.admin       Account Administrator of Northwind Denmark"
	@echo "  driver         no groups, Aarhus"
	@echo "  contoso.admin  Account Administrator of another account (Contoso Charging)"
	@echo
	@echo "Mail goes to var/mail/ (or arbor.conf's smtp_url); logs are in var/log/. Stop with: make stop"

stop:
	$(MAIL_STOP)
	@VAR=$(CURDIR)/var bash nginx/stack.sh stop
	@if [ -d var/cluster ]; then \
		VAR=$(CURDIR)/var/cluster ROOT=$(CURDIR) bash nginx/cluster.sh stop; \
	fi

# `make run` on PostgreSQL with two app nodes (nginx/cluster.sh); its
# state, the cluster too, is in var/cluster. `make run` and this share
# PORT: stop one before starting the other.
run-cluster: deps-build deps-pg
	@$(MAKE) --no-print-directory all
	@VAR=$(CURDIR)/var/cluster PORT=$(PORT) ROOT=$(CURDIR) BIN=$(CURDIR)/bin \
		bash nginx/cluster.sh start
	@echo
	@echo "Arbor is running at http://127.0.0.1:$(PORT)/ on PostgreSQL, two app nodes"
	@echo
	@echo "Demo logins as for make run (password arbor-demo-password): operator,"
	@echo "admin, dk.admin, driver, contoso.admin."
	@echo
	@echo "Mail goes to var/cluster/mail/; logs are in var/cluster/log/. Stop with: make stop"

# ---------------------------------------------------------------- install

# FHS paths. The systemd units go to $(PREFIX)/lib/systemd/system, which
# systemd.unit(5) names for units "installed by the administrator" (on
# Debian /usr/local/lib/systemd/system is in the unit path); that leaves
# /etc/systemd/system to the administrator's own units and `systemctl
# edit` overrides, which a reinstall then never overwrites. A PREFIX whose
# lib/systemd/system systemd does not read (say /opt/arbor) needs
# SYSTEMDUNITDIR=/etc/systemd/system.
PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
BINDIR := $(PREFIX)/bin
DATADIR := $(PREFIX)/share/arbor
MANDIR := $(PREFIX)/share/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
CONFDIR := $(SYSCONFDIR)/arbor
STATEDIR := $(LOCALSTATEDIR)/lib/arbor
NGINXSITEDIR := $(SYSCONFDIR)/nginx/sites-available

UNITS := deploy/arbor-fcgi.socket deploy/arbor-fcgi.service \
	deploy/arbor-mail.service
MAN_PAGES := man/arborctl.8 man/arbor.conf.5
# templates/ and static/ as they are, every file (static/ has folders)
SHARED_FILES := $(sort $(shell find templates static -type f))

# The files in deploy/ and man/ name the default paths; these become the
# ones chosen. Longest first, so /usr/local/bin is not cut by a shorter
# rule.
INSTALL_SED := sed -e 's|/usr/local/share/arbor|$(DATADIR)|g' \
	-e 's|/usr/local/bin|$(BINDIR)|g' \
	-e 's|/etc/arbor|$(CONFDIR)|g' \
	-e 's|/var/lib/arbor|$(STATEDIR)|g'

# $(call install_edited,SRC,DEST,MODE): SRC through INSTALL_SED to DEST
# with MODE, written aside (unreadable to others until its mode is set)
# and moved into place, so DEST is never a half-written file.
define install_edited
(umask 077 && $(INSTALL_SED) $(1) >$(2).tmp) && chmod $(3) $(2).tmp && \
	mv -f $(2).tmp $(2)
endef

# As root without DESTDIR (a real install): the arbor system user and the
# owners of the config and the state folder. With DESTDIR (a staging tree,
# a package) or as another user, files are only laid out.
define INSTALL_OWNERS
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
		getent passwd arbor >/dev/null || \
			adduser --system --group --home $(STATEDIR) \
				--no-create-home arbor || exit 1; \
		chown root:arbor $(CONFDIR) $(CONFDIR)/arbor.conf && \
		chown arbor:arbor $(STATEDIR) $(STATEDIR)/mail; \
	fi
endef

.PHONY: install uninstall
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/nginx \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(NGINXSITEDIR)
	install -m 0755 bin/arbor-fcgi bin/arborctl $(DESTDIR)$(BINDIR)/
	@for f in $(SHARED_FILES); do \
		install -D -m 0644 $$f $(DESTDIR)$(DATADIR)/$$f || exit 1; \
	done
	install -m 0644 nginx/fastcgi.conf $(DESTDIR)$(DATADIR)/nginx/
	@for f in $(UNITS); do \
		$(call install_edited,$$f,$(DESTDIR)$(SYSTEMDUNITDIR)/$${f#deploy/},0644) \
			|| exit 1; \
	done
	@for f in $(MAN_PAGES); do \
		$(call install_edited,$$f,$(DESTDIR)$(MANDIR)/man$${f##*.}/$${f#man/},0644) \
			|| exit 1; \
	done
	install -d -m 0750 $(DESTDIR)$(CONFDIR)
	install -d -m 0750 $(DESTDIR)$(STATEDIR) $(DESTDIR)$(STATEDIR)/mail
	@# The config and the nginx site are the administrator's once
	@# written (server_name, certificates): never overwritten.
	@if [ -e $(DESTDIR)$(CONFDIR)/arbor.conf ]; then \
		echo "kept $(DESTDIR)$(CONFDIR)/arbor.conf"; \
	else \
		$(call install_edited,deploy/arbor.conf.example,$(DESTDIR)$(CONFDIR)/arbor.conf,0640) && \
		echo "wrote $(DESTDIR)$(CONFDIR)/arbor.conf: edit base_url and [mail]"; \
	fi
	@if [ -e $(DESTDIR)$(NGINXSITEDIR)/arbor ]; then \
		echo "kept $(DESTDIR)$(NGINXSITEDIR)/arbor (compare with deploy/nginx-arbor.conf)"; \
	else \
		$(call install_edited,deploy/nginx-arbor.conf,$(DESTDIR)$(NGINXSITEDIR)/arbor,0644) && \
		echo "wrote $(DESTDIR)$(NGINXSITEDIR)/arbor: edit server_name and the certificates"; \
	fi
	$(INSTALL_OWNERS)

# What install put, except the config, the nginx site (the
# administrator's edits) and the state folder (the data).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/arbor-fcgi $(DESTDIR)$(BINDIR)/arborctl \
		$(foreach u,$(UNITS),$(DESTDIR)$(SYSTEMDUNITDIR)/$(notdir $(u))) \
		$(DESTDIR)$(MANDIR)/man8/arborctl.8 $(DESTDIR)$(MANDIR)/man5/arbor.conf.5 \
		$(DESTDIR)$(DATADIR)/nginx/fastcgi.conf
	@for f in $(SHARED_FILES); do rm -f $(DESTDIR)$(DATADIR)/$$f; done
	@# the folders install made, when nothing else is in them
	@if [ -d $(DESTDIR)$(DATADIR) ]; then \
		find $(DESTDIR)$(DATADIR) -depth -type d -empty -delete; \
	fi
	@echo "kept $(DESTDIR)$(CONFDIR), $(DESTDIR)$(NGINXSITEDIR)/arbor and $(DESTDIR)$(STATEDIR)"

# ---------------------------------------------------------------- clean

.PHONY: clean
clean:
	rm -rf build bin

-include $(wildcard build/*.d build/*/*.d build/asan/tests/*.d \
	build/fuzz/tests/*.d)

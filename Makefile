# Arbor - build, run and test.
#
#   make            build bin/arbor-fcgi, bin/arborctl, bin/trivial-fcgi
#   make run        install what is missing, build, start nginx + workers
#                   on http://127.0.0.1:$(PORT)/ (default 8080)
#   make stop       stop what `make run` started
#   make test       deps, build (plain and ASan/UBSan), then unit,
#                   fuzz-smoke, integration and browser tests
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
PKGS := sqlite3 libsodium liboath libqrencode jansson inih libcurl
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

LIBS := -lfcgi -lsqlite3 -lsodium -loath -lqrencode -ljansson $(INIH_LIBS) \
	-lcurl -lcrack -lzxcvbn -lcsv -lm
TEST_LIBS := -lcmocka

# ---------------------------------------------------------------- sources

MAINS := cgi/arbor.c cgi/arborctl.c
CORE_SRC := $(filter-out $(MAINS),$(sort $(wildcard cgi/*.c)))
CORE_OBJ := $(patsubst cgi/%.c,build/%.o,$(CORE_SRC))
CORE_ASAN_OBJ := $(patsubst cgi/%.c,build/asan/%.o,$(CORE_SRC))

SCHEMA_OBJ := build/schema_sql.o
SCHEMA_ASAN_OBJ := build/asan/schema_sql.o

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
	multiwatch libsqlite3-dev sqlite3 libsodium-dev liboath-dev \
	libqrencode-dev libjansson-dev libinih-dev libcurl4-openssl-dev \
	libcrack2-dev cracklib-runtime libzxcvbn-dev libcsv-dev iso-codes tzdata
# What `make test` needs on top.
# The browser tests drive Debian's chromium through chromium-driver and
# python3-selenium; npm only fetches axe-core (a plain script), so Debian
# 12's Node 18 is enough. libFuzzer (the fuzz harnesses) is in clang's
# runtime package, which clang only recommends.
DEPS_TEST := libcmocka-dev oathtool zbar-tools python3 python3-aiosmtpd \
	python3-selenium valgrind wrk curl chromium chromium-driver nodejs npm tidy \
	clang libclang-rt-14-dev
DEPS := $(DEPS_BUILD) $(DEPS_TEST)

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

# schema.sql as one C string: each line becomes a literal with \ " and ?
# escaped (no trigraphs) and \n appended.
build/schema_sql.c: schema.sql | build
	@echo "GEN $@"
	@{ \
		echo '/* Generated from schema.sql by the Makefile: do not edit. */'; \
		echo 'extern const char schema_sql[];'; \
		echo 'const char schema_sql[] ='; \
		echo '""'; \
		sed -e 's/\r$$//' -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
			-e 's/?/\\?/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
		echo ';'; \
	} > $@.tmp && mv -f $@.tmp $@

build/schema_sql.o: build/schema_sql.c
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -c -o $@ $<

build/asan/schema_sql.o: build/schema_sql.c | build/asan
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

VALGRIND := valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1 \
	--track-origins=yes

.PHONY: unit integration browser test fuzz fuzz-smoke
unit: $(UNIT_ASAN) $(UNIT_PLAIN)
	@cd $(CURDIR) && fail=; n=0; \
	for t in $(UNIT_ASAN); do \
		n=$$((n + 1)); echo "== $$t"; \
		$(TEST_ENV) $$t || fail="$$fail $$t"; \
	done; \
	for t in $(UNIT_PLAIN); do \
		n=$$((n + 1)); echo "== valgrind $$t"; \
		MUSTACHE_SPEC_DIR=$(CURDIR)/tests/mustache-spec $(VALGRIND) $$t \
			|| fail="$$fail valgrind:$$t"; \
	done; \
	if [ -n "$$fail" ]; then echo "unit: FAILED:$$fail" >&2; exit 1; fi; \
	echo "unit: $$n runs passed"

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
	cd $(CURDIR) && bash tests/fuzz/run.sh 3 $(FUZZ_BIN)

browser: all prereq
	cd $(CURDIR) && BIN=$(CURDIR)/bin ROOT=$(CURDIR) /usr/bin/python3 tests/browser/run.py

# What the tests need beyond packages (see tests/prereq.sh), said in one
# line before anything is built.
.PHONY: prereq
prereq:
	@bash tests/prereq.sh $(DEPS)

# In order; all four run even when one fails, and make fails if any did.
test: deps
	@$(MAKE) --no-print-directory prereq
	@$(MAKE) --no-print-directory all asan
	@fail=; \
	for t in unit fuzz-smoke integration browser; do \
		$(MAKE) --no-print-directory $$t || fail="$$fail $$t"; \
	done; \
	if [ -n "$$fail" ]; then echo "make test: FAILED:$$fail" >&2; exit 1; fi; \
	echo "make test: all passed"

.PHONY: bench
bench: all
	cd $(CURDIR) && BIN=$(CURDIR)/bin ROOT=$(CURDIR) bash tests/bench/run.sh

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

.PHONY: run stop
run: deps-build
	@$(MAKE) --no-print-directory all
	@mkdir -p var var/mail
	@if [ ! -f arbor.conf ]; then \
		echo "Writing arbor.conf (from deploy/arbor.conf.example)"; \
		sed -e 's|^\([[:space:]]*database[[:space:]]*=\).*|\1 var/arbor.db|' \
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

# ---------------------------------------------------------------- clean

.PHONY: clean
clean:
	rm -rf build bin

-include $(wildcard build/*.d build/*/*.d build/asan/tests/*.d \
	build/fuzz/tests/*.d)

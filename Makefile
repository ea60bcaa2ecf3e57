# meshwalk -- plain Makefile.
#
#   make                      build bin/meshwalk
#   make test                 unit + end-to-end tests (prints "N passed, N failed")
#   make SANITIZER=address,undefined test     the same under ASan+UBSan
#   make SANITIZER=thread test                the same under TSan
#   make demo                 a small multi-node emulation on this machine, with a report
#   make bench                the benchmark table (bench/README.md)
#   make soak                 one node under hostile traffic for 10 minutes (bench/soak.sh)
#   make install              bin/meshwalk, man pages and bash completion under $(DESTDIR)$(PREFIX)
#   make deps                 install every Debian package meshwalk uses (scripts/deps.sh)
#   make image                the OCI image (podman, offline, FROM scratch): IMAGE=NAME:TAG

CC      ?= cc
STD     := -std=gnu11
WARN    := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wshadow \
           -Wformat=2 -Wnull-dereference -Wduplicated-cond -Wpointer-arith \
           -Werror=implicit-function-declaration -Wno-unused-parameter
OPT     ?= -O2
DEBUG   ?= -g
CPPFLAGS += -Isrc -D_GNU_SOURCE -MMD -MP
LDLIBS  := -lyaml -lyajl -lz -lssl -lcrypto -luring -lnghttp2 -lpthread -lm

ifdef WERROR
WARN += -Werror
endif

comma := ,

# Each sanitizer build lives in its own directory so objects never mix.
ifdef SANITIZER
BUILD   := build/san-$(subst $(comma),-,$(SANITIZER))
SANFLAGS := -fsanitize=$(SANITIZER) -fno-sanitize-recover=all -fno-omit-frame-pointer
# gcc leaves float-to-integer overflow out of "undefined" (clang does not);
# the parsers convert user numbers, so the gcc build checks it too.
ifneq (,$(findstring undefined,$(SANITIZER)))
SANFLAGS += -fsanitize=float-cast-overflow
endif
OPT     := -O1
else
BUILD   := build/default
SANFLAGS :=
endif

CFLAGS_ALL = $(STD) $(WARN) $(OPT) $(DEBUG) $(SANFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(SANFLAGS) $(LDFLAGS)

SRC      := $(shell find src -name '*.c' | sort)
LIB_SRC  := $(filter-out src/cli/%,$(SRC))
CLI_SRC  := $(filter src/cli/%,$(SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libmeshwalk.a
EXE      := $(BUILD)/meshwalk

UNIT_SRC := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)
UNIT_BIN := $(UNIT_SRC:%.c=$(BUILD)/%)

.PHONY: all test test-run unit e2e demo bench bench-bins bench-smoke soak check-size deps deps-check deps-demo \
	deps-test deps-fuzz man clean fuzz fuzz-build install image
all: bin/meshwalk

# bin/meshwalk is the binary of the build last asked for (default or a
# sanitizer's): copied whenever it differs, not only when older, so a plain
# make after `make SANITIZER=...` puts the default one back. Renamed into
# place, not written over: a node or client still running the old binary
# keeps it (cp onto a running binary fails with "Text file busy").
bin/meshwalk: $(EXE) FORCE
	@mkdir -p bin
	@cmp -s $(EXE) $@ || { echo "cp $(EXE) $@"; cp $(EXE) $@.tmp && mv -f $@.tmp $@; }

$(EXE): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c $(BUILD)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB) $(BUILD)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS_ALL) -o $@ $< $(LIB) $(LDFLAGS_ALL) -lcmocka $(LDLIBS)

# Rebuild everything when the compiler flags change.
$(BUILD)/.flags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(CPPFLAGS) $(CFLAGS_ALL) $(LDFLAGS_ALL)' | cmp -s - $@ || \
		echo '$(CC) $(CPPFLAGS) $(CFLAGS_ALL) $(LDFLAGS_ALL)' > $@
FORCE:

unit-bins: $(UNIT_BIN)

# test and demo first make sure the Debian packages each needs are there
# (installing them as root, else printing the apt-get line), then build.
test: deps-test
	@$(MAKE) --no-print-directory test-run

test-run: $(EXE) $(UNIT_BIN)
	MESHWALK=$(abspath $(EXE)) BUILD=$(BUILD) SANITIZER=$(SANITIZER) tests/run

unit: $(EXE) $(UNIT_BIN)
	MESHWALK=$(abspath $(EXE)) BUILD=$(BUILD) tests/run --unit

e2e: $(EXE)
	MESHWALK=$(abspath $(EXE)) BUILD=$(BUILD) tests/run --e2e

demo: deps-demo
	@$(MAKE) --no-print-directory bin/meshwalk
	scripts/demo.sh

# The man pages are generated from the same option tables as --help; a test
# (tests/e2e/11_docs.sh) fails when the committed pages are out of date.
MAN_PAGES := man/meshwalk-node.1 man/meshwalk-client.1 man/meshwalk-run.1 man/meshwalk-proxy.1 \
             man/meshwalk-report.1 man/meshwalk-compare.1 man/meshwalk-deploy.1 \
             man/meshwalk-import.1 man/meshwalk-validate.1
man: $(MAN_PAGES)
man/meshwalk-%.1: $(EXE)
	@mkdir -p man
	$(EXE) man $* > $@

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, the man pages and
# the bash completion (generated from the option tables by the binary itself).
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
install: $(EXE)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(EXE) $(DESTDIR)$(BINDIR)/meshwalk
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	$(EXE) completion bash > $(DESTDIR)$(BASHCOMPDIR)/meshwalk.tmp
	mv $(DESTDIR)$(BASHCOMPDIR)/meshwalk.tmp $(DESTDIR)$(BASHCOMPDIR)/meshwalk

BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:%.c=$(BUILD)/%)
$(BUILD)/bench/%: bench/%.c $(LIB) $(BUILD)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_ALL) -o $@ $< $(LIB) $(LDFLAGS_ALL) $(LDLIBS)
bench-bins: $(BENCH_BIN)

bench: bin/meshwalk bench-bins
	BUILD=$(BUILD) bench/run.sh

bench-smoke: bin/meshwalk bench-bins
	BUILD=$(BUILD) bench/run.sh --smoke
	bench/soak.sh --smoke
	bench/verdict.sh --smoke
	bench/instr.sh --requests 20 bin/meshwalk
	HOLDS_REQUESTS=20 bench/holds.sh bin/meshwalk

# Size rules of docs/architecture.md: files over 800 lines, functions over 120.
check-size:
	scripts/check-size.py

# One node under mixed valid and hostile traffic for SOAK_SECS (600).
soak: bin/meshwalk
	bench/soak.sh

# Fuzzing (libFuzzer, clang): every target in fuzz/ linked against the
# library (without main) built with clang under ASan+UBSan. `make fuzz` runs
# each for FUZZ_SECONDS from its seed corpus in fuzz/corpus/NAME (new inputs
# go to build/fuzz/work/NAME, never into the repository).
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -g -O1
FUZZ_LIB_OBJ := $(patsubst %.c,build/fuzz/%.o,$(filter-out src/cli/main.c,$(SRC)))
FUZZ_TARGETS := $(basename $(notdir $(wildcard fuzz/fuzz_*.c)))
FUZZ_BINS    := $(FUZZ_TARGETS:%=build/fuzz/%)

build/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -Isrc -D_GNU_SOURCE -MMD -MP -std=gnu11 $(FUZZ_FLAGS) -c -o $@ $< # .d: header deps

build/fuzz/fuzz_%: fuzz/fuzz_%.c $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) -Isrc -D_GNU_SOURCE -std=gnu11 -fsanitize=fuzzer,address,undefined -g -O1 \
		-o $@ $< $(FUZZ_LIB_OBJ) $(LDLIBS)

.SECONDARY: $(FUZZ_LIB_OBJ)

fuzz-build: $(FUZZ_BINS)

fuzz: deps-fuzz
	@$(MAKE) --no-print-directory fuzz-build
	@scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The image holds a static binary (libyaml, libcrypto and liburing have
# static archives in their Debian -dev packages), linked from the default
# build's objects (Debian ships yajl's static library as libyajl_s.a). ld warns that getaddrinfo() in a static binary needs
# glibc's NSS modules at run time: since glibc 2.34 the files and dns back
# ends are part of libc itself, which is all the image needs.
IMAGE ?= localhost/meshwalk:latest
STATIC_EXE := build/default/meshwalk-static
$(STATIC_EXE): FORCE
	@$(MAKE) --no-print-directory SANITIZER= build/default/meshwalk
	@rm -f $@
	$(CC) -static -o $@ $(patsubst %,build/default/%,$(CLI_SRC:.c=.o)) build/default/libmeshwalk.a \
		$(subst -lyajl,-l:libyajl_s.a,$(LDLIBS)) 2>&1 | grep -v 'statically linked applications requires at runtime' | \
		grep -v 'in function' || true
	@test -x $@

image: $(STATIC_EXE)
	@scripts/deps.sh check image
	scripts/image.sh $(STATIC_EXE) $(IMAGE)

deps:
	scripts/deps.sh install all

deps-demo deps-test deps-fuzz:
	@scripts/deps.sh install $(@:deps-%=%)

deps-check:
	@scripts/deps.sh check all

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)

# meshwalk -- plain Makefile.
#
#   make                      build bin/meshwalk
#   make test                 unit + end-to-end tests (prints "N passed, N failed")
#   make SANITIZER=address,undefined test     the same under ASan+UBSan
#   make SANITIZER=thread test                the same under TSan
#   make demo                 a small multi-node emulation on this machine, with a report
#   make bench                the benchmark table (bench/README.md)
#   make soak                 one node under hostile traffic for 10 minutes (bench/soak.sh)
#   make deps                 install the Debian packages the build and tests need

CC      ?= cc
STD     := -std=gnu11
WARN    := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wshadow \
           -Wformat=2 -Wnull-dereference -Wduplicated-cond -Wpointer-arith \
           -Werror=implicit-function-declaration -Wno-unused-parameter
OPT     ?= -O2
DEBUG   ?= -g
CPPFLAGS += -Isrc -D_GNU_SOURCE -MMD -MP
LDLIBS  := -lyaml -lyajl -lz -lcrypto -luring -lpthread -lm

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

.PHONY: all test test-run unit e2e demo bench bench-bins bench-smoke soak deps deps-check man clean \
	fuzz fuzz-build
all: bin/meshwalk

bin/meshwalk: $(EXE)
	@mkdir -p bin
	cp $(EXE) $@

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

# test and demo first make sure the Debian packages are there (installing
# them as root, else printing the apt-get line), then build.
test: deps-check
	@$(MAKE) --no-print-directory test-run

test-run: $(EXE) $(UNIT_BIN)
	MESHWALK=$(abspath $(EXE)) BUILD=$(BUILD) SANITIZER=$(SANITIZER) tests/run

unit: $(EXE) $(UNIT_BIN)
	MESHWALK=$(abspath $(EXE)) BUILD=$(BUILD) tests/run --unit

e2e: $(EXE)
	MESHWALK=$(abspath $(EXE)) BUILD=$(BUILD) tests/run --e2e

demo: deps-check
	@$(MAKE) --no-print-directory bin/meshwalk
	scripts/demo.sh

# The man pages are generated from the same option tables as --help; a test
# (tests/e2e/11_docs.sh) fails when the committed pages are out of date.
MAN_PAGES := man/meshwalk-node.1 man/meshwalk-client.1 man/meshwalk-run.1 man/meshwalk-proxy.1 \
             man/meshwalk-report.1 man/meshwalk-compare.1 man/meshwalk-import.1
man: $(MAN_PAGES)
man/meshwalk-%.1: $(EXE)
	@mkdir -p man
	$(EXE) man $* > $@

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

fuzz: fuzz-build
	@scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

deps:
	scripts/deps.sh install

deps-check:
	@scripts/deps.sh check

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)

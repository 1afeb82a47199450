# aioremap: build the harness, the guest workloads and the kernels; run
# the benchmark, the stress matrix and the tests.
#
#   make deps      install the Debian packages we need (idempotent)
#   make kernels   build every kernel variant (cached) [PATCH=x.patch]
#   make bench     deps + kernels + latency benchmark + report
#   make stress    correctness checks and edge cases on every kernel
#   make test      lint + unit tests + quick integration tests (boots UML)
#   make help      all targets and variables
#
# Exit status: the harness (build/bin/aioremap) exits 0 good, 1 a check
# failed or a regression, 2 usage or setup error; make prints that status
# on its last line (GNU make itself exits 2 for any failed recipe).

SHELL := /bin/bash
CC ?= gcc
BLD := build
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP
LDLIBS_HARNESS := -ljansson -lgsl -lgslcblas -lm

HARNESS_SRC := $(wildcard harness/*.c)
HARNESS_OBJ := $(HARNESS_SRC:%.c=$(BLD)/obj/%.o)
HARNESS_LIB_OBJ := $(filter-out $(BLD)/obj/harness/main.o,$(HARNESS_OBJ))
GUEST_LIB_SRC := $(wildcard workloads/lib/*.c)
GUEST_LIB_OBJ := $(GUEST_LIB_SRC:%.c=$(BLD)/obj/%.o)
GUEST_SRC := $(wildcard workloads/*.c)
GUEST_BIN := $(GUEST_SRC:workloads/%.c=$(BLD)/guest/%)
# Extra libraries of one guest program: GUEST_LDLIBS_<name>.
GUEST_LDLIBS_fiorun := -ljansson
SHIM_SRC := $(wildcard workloads/shim/*.c)
SHIM := $(if $(SHIM_SRC),$(BLD)/guest/libaioremap-shim.so)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BLD)/tests/%)
AIOREMAP := $(BLD)/bin/aioremap

# Debian packages the project needs, nothing more.
DEPS := build-essential pkg-config xz-utils user-mode-linux linux-source-6.1 \
	fio libaio-dev gnuplot-nox ccache bc flex bison libelf-dev libssl-dev \
	libjansson-dev libcmocka-dev libgsl-dev shellcheck hyperfine ministat clang-format

# User knobs, passed through to the harness when set.
KNOBS := $(if $(PATCH),--patch '$(PATCH)') $(if $(KERNEL),--kernel '$(KERNEL)') \
	$(if $(KERNELS),--kernels '$(KERNELS)') $(if $(BOOTS),--boots $(BOOTS)) \
	$(if $(SAMPLES),--samples $(SAMPLES)) $(if $(SEED),--seed $(SEED)) \
	$(if $(THRESHOLD_NS),--threshold-ns $(THRESHOLD_NS)) \
	$(if $(DURATION),--duration $(DURATION)) $(if $(filter 0,$(DEBUG)),--no-debug) \
	$(if $(filter 1,$(QUICK)),--quick) $(if $(NAME),--name '$(NAME)') \
	$(if $(REPEAT),--repeat $(REPEAT))

.PHONY: all deps kernels bench stress calibrate compare test unit integration \
	lint format clean distclean help
.DEFAULT_GOAL := all
.SECONDARY:

all: $(AIOREMAP) $(GUEST_BIN) $(SHIM)

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'
	@echo "Variables: PATCH= KERNEL= KERNELS= BOOTS= SAMPLES= SEED= THRESHOLD_NS="
	@echo "           DURATION= DEBUG=0 QUICK=1 NAME= A= B= (compare)"
	@echo "           REPEAT= (calibrate: repetitions, default 20, ~15 min; REPEAT=1 ~45 s)"

deps:
	@missing=$$(for p in $(DEPS); do \
		dpkg-query -W -f='$${db:Status-Status}\n' $$p 2>/dev/null | \
		grep -qx installed || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "deps: all packages present"; exit 0; fi; \
	echo "deps: installing:" $$missing; \
	if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
	$$SUDO apt-get update -qq || exit 2; \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing \
		|| { echo "deps: apt-get install failed" >&2; exit 2; }

# The harness also reads the shim's files with the guest's reader.
$(AIOREMAP): $(HARNESS_OBJ) $(BLD)/obj/workloads/lib/shimsum.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS_HARNESS)

$(BLD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BLD)/guest/%: workloads/%.c $(GUEST_LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iworkloads/lib -pthread -o $@ $< $(GUEST_LIB_OBJ) -lm $(GUEST_LDLIBS_$*)

$(BLD)/guest/libaioremap-shim.so: $(SHIM_SRC) $(GUEST_LIB_SRC) $(wildcard workloads/shim/*.h workloads/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iworkloads/lib -fPIC -shared -pthread -o $@ $(filter %.c,$^) -ldl

$(BLD)/tests/%: tests/unit/%.c $(HARNESS_LIB_OBJ) $(GUEST_LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iharness -Iworkloads/lib -pthread -o $@ $(filter %.c %.o,$^) -lcmocka $(LDLIBS_HARNESS)

# GNU make itself exits 2 whenever a recipe fails, so the harness's own
# status (1: a check failed or a regression, 2: usage/setup) is printed
# on the last line; build/bin/aioremap returns it directly.
RUN = rc=0; $(AIOREMAP) $(1) || rc=$$?; \
	if [ $$rc != 0 ]; then echo "make: aioremap $(firstword $(1)) exit status $$rc ($$( \
	[ $$rc = 1 ] && echo 'a check failed or a regression was found' || echo 'usage or setup error'))" >&2; fi; \
	exit $$rc

kernels: deps all
	@$(call RUN,build --all $(KNOBS))

bench: deps all
	@$(call RUN,bench $(KNOBS))

calibrate: deps all
	@$(call RUN,bench --calibrate $(KNOBS))

stress: deps all
	@$(call RUN,stress $(KNOBS))

compare: all
	@[ -n "$(A)" ] && [ -n "$(B)" ] || { echo "usage: make compare A=<run folder> B=<run folder>" >&2; exit 2; }
	@$(call RUN,compare $(A) $(B))

unit: all $(TEST_BIN)
	@fail=0; for t in $(TEST_BIN); do echo "== $$t"; \
		(cd tests && ../$$t) || fail=1; done; \
	if [ $$fail = 0 ]; then echo "unit: all passed"; else echo "unit: FAILED" >&2; exit 1; fi

integration: all
	bash tests/integration/run.sh

test: deps
	$(MAKE) all
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) integration

lint:
	shellcheck .ci/run tests/integration/*.sh
	clang-format --dry-run --Werror $(wildcard harness/*.[ch] workloads/*.c workloads/lib/*.[ch] workloads/shim/*.[ch] tests/unit/*.c tests/shim/*.c)

format:
	clang-format -i $(wildcard harness/*.[ch] workloads/*.c workloads/lib/*.[ch] workloads/shim/*.[ch] tests/unit/*.c tests/shim/*.c)

clean:
	rm -rf $(BLD)/obj $(BLD)/bin $(BLD)/guest $(BLD)/tests

# Also drops the unpacked source and every built kernel.
distclean:
	rm -rf $(BLD)

-include $(shell find $(BLD)/obj $(BLD)/tests $(BLD)/guest -name '*.d' 2>/dev/null)

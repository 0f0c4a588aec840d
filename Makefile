# attnkit: the one entry point. `make help` lists the targets.
# Build output goes to $(BUILD) (default build/); several builds can live side by side.

BUILD   ?= build
PREFIX  ?= /usr/local
OPT     ?= -O3
CC      := gcc
PYTHON  ?= python3

VERSION := $(shell sed -n 's/^\#define AK_VERSION "\(.*\)"/\1/p' refmodel/include/attnkit/version.h)
NUMERICS_VERSION := $(shell sed -n 's/^\#define AK_NUMERICS_VERSION \([0-9]*\).*/\1/p' \
                      refmodel/include/attnkit/numerics.h)

# pkg-config is only asked inside recipes, i.e. after `deps` has installed what is missing.
# OpenBLAS is Debian's serial build, found and loaded from its own directory (rpath) whatever
# the libopenblas.so.0 alternative says: the default pthread build starts a worker per CPU as
# it loads, which spins in sched_yield for ~0.1 s and takes the second core from the
# process's own threads (the TLM model's); nothing here calls BLAS on more than one thread.
OPENBLAS_DIR = /usr/lib/$(shell $(CC) -print-multiarch)/openblas-serial
PKG_CONFIG_OB = PKG_CONFIG_PATH=$(OPENBLAS_DIR)/pkgconfig pkg-config
PKG_CFLAGS = $(shell $(PKG_CONFIG_OB) --cflags openblas libcjson libcrypto)
PKG_LIBS   = $(shell $(PKG_CONFIG_OB) --libs openblas libcjson libcrypto) \
             -Wl,-rpath,$(OPENBLAS_DIR)
CUNIT_LIBS = $(shell pkg-config --libs cunit)

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
AK_CFLAGS  = -std=c11 $(OPT) -g -fPIC $(WARN) -D_POSIX_C_SOURCE=200809L \
             -Irefmodel/include -I$(BUILD)/gen $(PKG_CFLAGS) $(CFLAGS)
AK_LIBS    = $(PKG_LIBS) -lpthread -lm $(LDFLAGS)
# what the objects and the Verilated libraries are built with (below, after the includes)
FLAGS_STAMP := $(BUILD)/flags.txt

APT_PKGS  := build-essential pkg-config libopenblas-serial-dev libcunit1-dev libcjson-dev libssl-dev \
             verilator iverilog yosys libxml2-utils slurm-wlm munge lcov libsystemc-dev
PIP_REQS  := scripts/requirements.txt

.PHONY: all model sim help deps demo test check lint bench dse results realdata regress coverage golden fuzz regmap-docs synth \
        install uninstall clean run-tests run-check run-demo run-bench
.DEFAULT_GOAL := all


# One file of rules per folder, each for what its folder builds or runs. Order matters only
# where a rule's prerequisites name another file's products (they are read with the rule).
include rtl/rtl.mk
include refmodel/refmodel.mk
# attnkit (the model's CLI) and attnkit-sim (the program behind `attnkit sim`)
include host/host.mk
# Verilator harness, host driver and attnkit-sim's link
include sim/sim.mk
# The TLM-2.0 model of the accelerator and the driver's tlm backend
include sim/systemc/systemc.mk
# The Verilated RTL inside SystemC and the driver's sc-rtl backend
include sim/systemc/sc_rtl.mk
include sim/icarus/icarus.mk
include tests/tests.mk
include scripts/scripts.mk

# The objects and the Verilated libraries depend on $(FLAGS_STAMP), the compilers, flags and
# generator commands they are built with, not on the makefiles: editing a rule or a target
# then rebuilds nothing (a makefile prerequisite rebuilt every object and re-Verilated the
# RTL, 15+ min), changing OPT, CFLAGS, SIM_OPT, a flag's definition, ... rebuilds them. The
# stamp is rewritten while the makefiles are read (so `make -n` plans see it) only when its
# text differs; a build made before the stamp existed is taken as built with the current
# flags (a new stamp is dated 1970). Not written for help/clean/deps/lint alone.
FLAGS_TEXT = $(CC) $(CXX) | $(value AK_CFLAGS) | $(value AK_LIBS) | $(value PKG_CFLAGS) | \
             $(value PKG_LIBS) | OPT=$(OPT) WARN=$(WARN) CFLAGS=$(CFLAGS) LDFLAGS=$(LDFLAGS) | \
             $(value SC_CXXFLAGS) CXXFLAGS=$(CXXFLAGS) | $(SIM_VFLAGS) | $(SC_RTL_VFLAGS) | \
             $(value ERR_TEXT_SED)
ifneq ($(filter-out help clean deps lint,$(or $(MAKECMDGOALS),all)),)
ifneq ($(file <$(FLAGS_STAMP)),$(FLAGS_TEXT))
FLAGS_NEW := $(if $(wildcard $(FLAGS_STAMP)),,1)
$(shell mkdir -p $(BUILD))
$(file >$(FLAGS_STAMP),$(FLAGS_TEXT))
$(if $(FLAGS_NEW),$(shell touch -d @0 $(FLAGS_STAMP)))
endif
endif

# Two halves, git-style: `make model` is libattnkit and attnkit (estimate, vecgen, accuracy,
# ...; a minute from scratch, nothing Verilated, no SystemC); `make sim` is attnkit-sim, which
# `attnkit sim` runs, with the Verilated RTL and the SystemC models (15+ minutes from scratch
# on 2 cores). Targets that only estimate or generate vectors depend on the model alone.
all: model sim ## build everything: model and sim

model: $(LIBA) $(LIBSO) $(CLI) ## libattnkit and the attnkit CLI (estimate, vecgen, ...): no RTL, no SystemC

sim: $(SIM_CLI) ## attnkit-sim (`attnkit sim`): host library, Verilated RTL, SystemC models (15+ min from scratch)

install: $(LIBA) $(LIBSO) $(CLI) ## install library, headers, pkg-config file and CLI under PREFIX
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/attnkit $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(LIBSO) $(DESTDIR)$(PREFIX)/lib/libattnkit.so.$(VERSION)
	ln -sf libattnkit.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libattnkit.so
	install -m 644 $(HEADERS) $(DESTDIR)$(PREFIX)/include/attnkit/
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' refmodel/attnkit.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/attnkit.pc

uninstall: ## remove what `make install` put under PREFIX
	rm -f $(DESTDIR)$(PREFIX)/lib/libattnkit.a $(DESTDIR)$(PREFIX)/lib/libattnkit.so* \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/attnkit.pc $(DESTDIR)$(PREFIX)/bin/attnkit
	rm -rf $(DESTDIR)$(PREFIX)/include/attnkit

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

deps: ## install missing Debian (apt-get) and PyPI (pip) packages; idempotent
	@missing=""; for p in $(APT_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "deps: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "deps: missing Debian packages; run:  sudo apt-get install -y$$missing" >&2; exit 1; \
	  fi; \
	fi
	@if ! $(PYTHON) scripts/check_requirements.py $(PIP_REQS) 2>/dev/null; then \
	  echo "deps: installing Python packages from $(PIP_REQS)"; \
	  $(PYTHON) -m pip install -q --disable-pip-version-check -r $(PIP_REQS) || \
	  { echo "deps: pip failed; run:  $(PYTHON) -m pip install -r $(PIP_REQS)" >&2; exit 1; }; \
	fi

demo: deps ## the main job on the embedded default workload
	@$(MAKE) --no-print-directory run-demo

test: deps ## the full test tier (README, CI): lint and every test in full; under 10 min on 2 idle cores
	@$(MAKE) --no-print-directory run-tests

check: deps ## the fast tier (<3 min): lint, C unit tests, RTL unit benches, golden sets and random jobs on Verilator, a short regression
	@$(MAKE) --no-print-directory run-check

bench: deps ## benchmarks: reference model vs OpenBLAS float32, sparse vs dense, Verilator vs Icarus
	@$(MAKE) --no-print-directory run-bench

clean: ## remove $(BUILD)
	rm -rf $(BUILD)


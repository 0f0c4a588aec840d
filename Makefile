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
             verilator iverilog yosys libxml2-utils slurm-wlm munge lcov libsystemc-dev valgrind jq \
             clang libclang-rt-14-dev
PIP_REQS  := scripts/requirements.txt

.PHONY: all model sim help deps demo test check lint bench dse results realdata regress coverage golden fuzz fuzz-check fuzz-rtl plant-bugs regmap-docs synth \
        install install-model install-sim install-check uninstall clean run-tests run-check run-demo run-bench
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
include sim/desc_fuzz.mk
include sim/icarus/icarus.mk
include tests/tests.mk
# libFuzzer harnesses: make fuzz, make fuzz-check
include tests/fuzz/fuzz.mk
include scripts/scripts.mk

# The objects and the Verilated libraries depend on $(FLAGS_STAMP), the compilers, flags and
# generator commands they are built with, not on the makefiles: editing a rule or a target
# then rebuilds nothing (a makefile prerequisite rebuilt every object and re-Verilated the
# RTL, 15+ min), changing OPT, CFLAGS, SIM_OPT, a flag's definition, ... rebuilds them. The
# stamp is rewritten while the makefiles are read (so `make -n` plans see it) only when its
# text differs; a build made before the stamp existed is taken as built with the current
# flags (a new stamp is dated 1970). Not written for help/clean/deps/lint alone. The
# checkout's own path is left out of the text, so a build directory copied into another
# checkout (a git worktree) stays up to date there.
FLAGS_TEXT = $(subst $(CURDIR)/,,$(FLAGS_ALL))
FLAGS_ALL = $(CC) $(CXX) | $(value AK_CFLAGS) | $(value AK_LIBS) | $(value PKG_CFLAGS) | \
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

# Installed under PREFIX (docs/install.md): bin/attnkit, bin/attnkit-sim (attnkit runs the one
# beside it), lib/ (libattnkit.a and .so; libakhost.a, libaksim.a, libaktlm.a, libaksc_rtl.a),
# include/attnkit/ (the model's headers), include/attnkit-sim/ (the driver's, the harnesses'
# C APIs, the TLM model's classes and the generated register map), lib/pkgconfig/attnkit.pc
# and attnkit-sim.pc.
SIM_INSTALL_LIBS := $(HOST_LIB) $(AKSIM_LIB) $(TLM_LIB) $(SC_RTL_LIB)
# (the harness's header keeps its folder: backend_verilator.h includes "verilator/ak_sim.h")
SIM_INSTALL_HDRS := $(filter-out sim/verilator/ak_sim.h,$(SIM_HDRS)) $(HOST_HDRS) \
                    $(BUILD)/gen/attnkit_csr.h $(BUILD)/gen/attnkit_err.h $(BUILD)/gen/attnkit_desc.h
SIM_INSTALL_SC_HDRS := sim/systemc/ak_tlm_sim.h sim/systemc/ak_sc_rtl_sim.h sim/systemc/ak_tlm_accel.h \
                       sim/systemc/ak_tlm_memory.h

install: install-model install-sim ## install everything under PREFIX: install-model and install-sim (docs/install.md)

install-model: $(LIBA) $(LIBSO) $(CLI) ## install the library, its headers, attnkit.pc and the attnkit CLI under PREFIX (no simulator)
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/attnkit $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(LIBSO) $(DESTDIR)$(PREFIX)/lib/libattnkit.so.$(VERSION)
	ln -sf libattnkit.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libattnkit.so
	install -m 644 $(HEADERS) $(DESTDIR)$(PREFIX)/include/attnkit/
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' refmodel/attnkit.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/attnkit.pc

# attnkit-sim.pc: the driver and every backend; the archives in link order (the driver's
# backends before the simulators), then attnkit's and SystemC's libraries (Requires).
install-sim: $(SIM_CLI) $(SIM_INSTALL_LIBS) $(SIM_INSTALL_HDRS) ## install attnkit-sim, the driver and harness libraries and headers, attnkit-sim.pc under PREFIX
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/attnkit-sim/systemc \
	  $(DESTDIR)$(PREFIX)/include/attnkit-sim/verilator $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(SIM_CLI) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(SIM_INSTALL_LIBS) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 $(SIM_INSTALL_HDRS) $(DESTDIR)$(PREFIX)/include/attnkit-sim/
	install -m 644 sim/verilator/ak_sim.h $(DESTDIR)$(PREFIX)/include/attnkit-sim/verilator/
	install -m 644 $(SIM_INSTALL_SC_HDRS) $(DESTDIR)$(PREFIX)/include/attnkit-sim/systemc/
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	  'Name: attnkit-sim' \
	  'Description: attnkit host driver on the Verilated RTL, the SystemC TLM-2.0 model and the RTL in SystemC' \
	  'Version: $(VERSION)' 'Requires: attnkit systemc zlib' \
	  'Libs: -L$${libdir} -lakhost -laksc_rtl -laktlm -laksim -lstdc++ -lpthread -lm' \
	  'Cflags: -I$${includedir}/attnkit-sim' > $(DESTDIR)$(PREFIX)/lib/pkgconfig/attnkit-sim.pc

uninstall: ## remove what `make install` (or install-model) put under PREFIX
	rm -f $(DESTDIR)$(PREFIX)/lib/libattnkit.a $(DESTDIR)$(PREFIX)/lib/libattnkit.so* \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/attnkit.pc $(DESTDIR)$(PREFIX)/bin/attnkit \
	  $(DESTDIR)$(PREFIX)/bin/attnkit-sim $(DESTDIR)$(PREFIX)/lib/pkgconfig/attnkit-sim.pc \
	  $(addprefix $(DESTDIR)$(PREFIX)/lib/,$(notdir $(SIM_INSTALL_LIBS)))
	rm -rf $(DESTDIR)$(PREFIX)/include/attnkit $(DESTDIR)$(PREFIX)/include/attnkit-sim

# install-check: `make install` into a temporary PREFIX, docs/install.md's two programs built
# with nothing but the install's pkg-config files (-Wl,-rpath for libattnkit.so) and run: an
# estimate with libattnkit (attnkit.pc), the driver opening the Verilated RTL and reading
# VERSION and CAPS (attnkit-sim.pc); every installed driver/harness header compiled alone; the
# installed `attnkit sim` on a golden set; then `make uninstall` must leave no file behind.
# About a second on a built tree: run-check and run-tests run it.
IC_DIR := $(BUILD)/install-check
IC_PREFIX = $(abspath $(IC_DIR))/prefix
IC_PKG = PKG_CONFIG_PATH=$(IC_PREFIX)/lib/pkgconfig pkg-config
install-check: $(LIBA) $(LIBSO) $(CLI) $(SIM_CLI) $(SIM_INSTALL_LIBS) $(SIM_INSTALL_HDRS) ## make install into a temporary PREFIX, build and run docs/install.md's programs against it (pkg-config only), uninstall
	@rm -rf $(IC_DIR) && mkdir -p $(IC_DIR)
	@$(MAKE) --no-print-directory install PREFIX=$(IC_PREFIX) DESTDIR= >/dev/null
	@for f in model_estimate drv_version; do \
	  awk -v f="$$f.c" 'index($$0, "/* " f ":") == 1 { p = 1 } p && /^```/ { exit } p' docs/install.md \
	    > $(IC_DIR)/$$f.c && test -s $(IC_DIR)/$$f.c || { echo "install-check: no $$f.c in docs/install.md" >&2; exit 1; }; \
	done
	cd $(IC_DIR) && $(CC) -Wall -Wextra -Werror -o model_estimate model_estimate.c \
	  $$($(IC_PKG) --cflags --libs attnkit) -Wl,-rpath,$$($(IC_PKG) --variable=libdir attnkit)
	cd $(IC_DIR) && $(CC) -Wall -Wextra -Werror -o drv_version drv_version.c \
	  $$($(IC_PKG) --cflags --libs attnkit-sim) -Wl,-rpath,$$($(IC_PKG) --variable=libdir attnkit)
	$(IC_DIR)/model_estimate
	$(IC_DIR)/drv_version
	@cd $(IC_PREFIX)/include/attnkit-sim && for h in *.h systemc/*.h verilator/*.h; do \
	  case $$h in systemc/ak_tlm_accel.h|systemc/ak_tlm_memory.h) c="$(CXX) -std=gnu++17" x=cpp ;; \
	  *) c="$(CC) -std=c11" x=c ;; esac; \
	  printf '#include "%s"\n' "$$h" > $(abspath $(IC_DIR))/hdr.$$x; \
	  $$c -Wall -Werror -fsyntax-only $$($(IC_PKG) --cflags attnkit-sim) $(abspath $(IC_DIR))/hdr.$$x || \
	    { echo "install-check: installed $$h does not compile alone" >&2; exit 1; }; \
	done
	$(IC_PREFIX)/bin/attnkit sim --vectors vectors/golden/n1 >/dev/null
	@$(MAKE) --no-print-directory uninstall PREFIX=$(IC_PREFIX) DESTDIR= >/dev/null
	@left=$$(find $(IC_PREFIX) ! -type d); test -z "$$left" || \
	  { echo "install-check: uninstall left $$left" >&2; exit 1; }
	@echo "install-check: passed (install, both programs, headers alone, attnkit sim, uninstall)"

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


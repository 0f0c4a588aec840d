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

RDL        := rtl/regs/attnkit_csr.rdl
DESC_RDL   := rtl/regs/attnkit_desc.rdl
REGMAP_GEN := $(BUILD)/gen/attnkit_csr.h $(BUILD)/gen/attnkit_err.h $(BUILD)/gen/ak_csr_pkg.sv \
              $(BUILD)/gen/attnkit_desc.h $(BUILD)/gen/ak_desc_pkg.sv

LIB_SRC   := $(wildcard refmodel/src/*.c)
RTL_SRC   := $(wildcard rtl/*.sv)
RTL_TESTS := $(patsubst tests/rtl/%.c,$(BUILD)/tests/%,$(wildcard tests/rtl/test_*.c))
CLI_SRC   := $(wildcard refmodel/cli/*.c)
TEST_SRC  := $(wildcard tests/test_*.c)
BENCH_SRC := $(wildcard refmodel/bench/*.c)
HEADERS   := $(wildcard refmodel/include/attnkit/*.h)

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/exp2_table.o
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TESTS     := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
LIBA      := $(BUILD)/lib/libattnkit.a
LIBSO     := $(BUILD)/lib/libattnkit.so
CLI       := $(BUILD)/bin/attnkit
BENCH     := $(BUILD)/bin/attnkit-bench

APT_PKGS  := build-essential pkg-config libopenblas-serial-dev libcunit1-dev libcjson-dev libssl-dev \
             verilator iverilog yosys libxml2-utils slurm-wlm munge lcov libsystemc-dev
PIP_REQS  := scripts/requirements.txt

.PHONY: all help deps demo test check lint bench dse results realdata regress coverage golden fuzz regmap-docs synth install uninstall clean run-tests \
        run-check run-demo run-bench
.DEFAULT_GOAL := all

all: $(LIBA) $(LIBSO) $(CLI) ## build the library and the attnkit CLI

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

lint: ## ruff over scripts/ (rules in scripts/ruff.toml; `make deps` installs ruff)
	@$(PYTHON) -m ruff --version >/dev/null 2>&1 || \
	  { echo "lint: ruff is missing: run make deps" >&2; exit 1; }
	@$(PYTHON) -m ruff check scripts/

bench: deps ## benchmarks: reference model vs OpenBLAS float32, sparse vs dense, Verilator vs Icarus
	@$(MAKE) --no-print-directory run-bench

run-demo: $(CLI)
	@scripts/demo.sh $(CLI)

SV_PKGS := $(BUILD)/gen/ak_pkg.sv $(BUILD)/gen/ak_csr_pkg.sv $(BUILD)/gen/ak_desc_pkg.sv

# The two test tiers (tests/README.md). run_tests.sh runs the programs two at a time in the
# order given, so the longest come first. `make check` leaves out the Yosys/Verilator/Icarus
# checks of the RTL source (test_rtl_lint), the SystemC models' tests (test_tlm, test_sc_rtl),
# the SLURM cluster (test_slurm), and runs CHECK_SIM_CONFIGS of test_sim's 268 random jobs
# (AK_SIM_CONFIGS; its golden sets all).
LONG_TESTS  := $(BUILD)/tests/test_sim $(BUILD)/tests/test_rtl_lint $(BUILD)/tests/test_slurm \
               $(BUILD)/tests/test_tlm $(BUILD)/tests/test_regress $(BUILD)/tests/test_sc_rtl
FULL_ONLY   := $(BUILD)/tests/test_rtl_lint $(BUILD)/tests/test_tlm $(BUILD)/tests/test_sc_rtl \
               $(BUILD)/tests/test_slurm
CHECK_TESTS := $(filter-out $(FULL_ONLY),$(TESTS))
CHECK_SIM_CONFIGS ?= 40
TEST_ENV     = AK_CLI=$(abspath $(CLI)) AK_SV_PKG="$(abspath $(SV_PKGS))"

run-tests: $(TESTS) $(RTL_TESTS) $(CLI) $(SV_PKGS) lint
	@$(TEST_ENV) scripts/run_tests.sh $(filter $(TESTS),$(LONG_TESTS)) \
	  $(filter-out $(LONG_TESTS),$(TESTS)) $(RTL_TESTS)

run-check: $(CHECK_TESTS) $(RTL_TESTS) $(CLI) $(SV_PKGS) lint
	@$(TEST_ENV) AK_SIM_CONFIGS=$(CHECK_SIM_CONFIGS) scripts/run_tests.sh \
	  $(filter $(CHECK_TESTS),$(LONG_TESTS)) $(filter-out $(LONG_TESTS),$(CHECK_TESTS)) $(RTL_TESTS)

run-bench: $(BENCH) $(CLI)
	@$(BENCH)
	@$(MAKE) --no-print-directory $(ICARUS_VVP)
	@echo "== RTL cycles: dense and block-sparse at N=1024 and N=2048, d=64 (Verilator, deterministic memory)"
	@$(PYTHON) scripts/bench_rtl.py --attnkit $(CLI) --out $(BUILD)/bench/rtl-n1024-d64
	@$(PYTHON) scripts/bench_rtl.py --attnkit $(CLI) --workload vectors/workloads/rtl-n2048-d64.json \
	  --out $(BUILD)/bench/rtl-n2048-d64
	@echo "== cycle model: whole-workload estimates (attnkit estimate; host time of the estimate itself)"
	@$(PYTHON) scripts/bench_estimate.py --attnkit $(CLI) deit-small deit-base vit-large llm-4k
	@echo "== RTL simulation speed: the same golden layers on Verilator (attnkit sim) and Icarus"
	@$(PYTHON) scripts/sim_icarus.py --vvp $(ICARUS_VVP) --attnkit $(CLI) \
	  vectors/golden/dense-n64 vectors/golden/one-block-d128

# Design-space exploration with the cycle model: sweeps of DeiT-Small (EViT) and of a long
# dense layer (N = 4096, where block density can go down to 0.05), plots and a summary.
dse: deps $(CLI) ## design-space sweeps (attnkit estimate --sweep): CSV, PNG plots, summary in build/reports/dse/
	@mkdir -p $(BUILD)/reports/dse
	$(CLI) estimate --preset deit-small --sweep --out $(BUILD)/reports/dse/deit-small.csv
	$(CLI) estimate --workload vectors/workloads/long-n4096.json --sweep \
	  --out $(BUILD)/reports/dse/long-n4096.csv
	$(PYTHON) scripts/dse_report.py $(BUILD)/reports/dse/deit-small.csv \
	  $(BUILD)/reports/dse/long-n4096.csv --out $(BUILD)/reports/dse

results: dse ## regenerate docs/results.md and its plots (cycle model; RTL sparse scaling, ~2 min)
	$(PYTHON) scripts/bench_rtl.py --attnkit $(CLI) --workload vectors/workloads/rtl-n2048-d64.json \
	  --out $(BUILD)/bench/rtl-n2048-d64 > $(BUILD)/reports/rtl-n2048-d64.txt
	$(PYTHON) scripts/results_doc.py --attnkit $(CLI) --dse $(BUILD)/reports/dse \
	  --rtl-bench $(BUILD)/reports/rtl-n2048-d64.txt --out docs/results.md

# Real attention tensors: all-MiniLM-L6-v2 run in numpy on a Debian licence text (docs/realdata.md).
realdata: deps ## real Q/K/V of all-MiniLM-L6-v2 (6 layers, float32) at N=256, 128, 512 in build/realdata/
	$(PYTHON) scripts/realdata.py --out $(BUILD)/realdata/minilm-l6-n256 --tokens 256 --force \
	  --cache $(BUILD)/realdata/cache
	$(PYTHON) scripts/realdata.py --out $(BUILD)/realdata/minilm-l6-n128 --tokens 128 --force \
	  --cache $(BUILD)/realdata/cache
	$(PYTHON) scripts/realdata.py --out $(BUILD)/realdata/minilm-l6-n512 --tokens 512 --force \
	  --cache $(BUILD)/realdata/cache

# Accuracy next to cycles on real tensors: mask pattern x density x block and EViT keep rates,
# attnkit accuracy (SQNR vs float64) against attnkit estimate (speed-up), docs/accuracy-sweep.md.
.PHONY: accuracy-sweep
ACC_NPY = $(if $(wildcard $(BUILD)/realdata/minilm-l6-n256/layer01/q.npy),$(BUILD)/realdata/minilm-l6-n256,vectors/real/minilm-l6-n128)
accuracy-sweep: deps $(CLI) ## real-tensor accuracy vs cycle-model speed-up (masks, EViT): CSV, Pareto plot, summary in build/reports/accuracy/
	$(PYTHON) scripts/accuracy_sweep.py --attnkit $(CLI) --npy-dir $(ACC_NPY) \
	  --out $(BUILD)/reports/accuracy --force --jobs 2

COUNT ?= 100
JOBS  ?= $(shell nproc)
SEED  ?= 1
SIM   ?= verilator
regress: deps $(CLI) ## seeded RTL regression: COUNT tests, JOBS in parallel, SEED, SIM (results, junit.xml in build/regress/)
	@if [ "$(SIM)" = icarus ]; then $(MAKE) --no-print-directory $(ICARUS_VVP); fi
	@$(PYTHON) scripts/regress --attnkit $(CLI) --count $(COUNT) -j $(JOBS) --seed $(SEED) \
	  --sim $(SIM) --vvp $(ICARUS_VVP) --out $(BUILD)/regress

# Coverage: the CLI and the Verilated model built again under $(BUILD)/cov with gcov
# instrumentation and Verilator's line and toggle points, a regression of COV_COUNT tests run
# on it, and one HTML report of both (scripts/coverage_report.py).
COV_BUILD := $(BUILD)/cov
COV_COUNT ?= 30
coverage: deps ## RTL line+toggle and C line coverage of a COV_COUNT-test regression: build/reports/coverage/
	$(MAKE) --no-print-directory BUILD=$(COV_BUILD) OPT=-O1 CFLAGS=--coverage LDFLAGS=--coverage \
	  SIM_COVERAGE=1 $(COV_BUILD)/bin/attnkit
	rm -rf $(COV_BUILD)/dat && mkdir -p $(COV_BUILD)/dat
	find $(COV_BUILD)/obj -name '*.gcda' -delete
	AK_SIM_COVERAGE_DIR=$(abspath $(COV_BUILD)/dat) $(PYTHON) scripts/regress \
	  --attnkit $(COV_BUILD)/bin/attnkit --count $(COV_COUNT) -j $(JOBS) --seed $(SEED) \
	  --no-wave --out $(COV_BUILD)/regress
	$(PYTHON) scripts/coverage_report.py --dat $(COV_BUILD)/dat --gcov-dir $(COV_BUILD)/obj \
	  --out $(BUILD)/reports/coverage

FUZZ_SECONDS ?= 600
FUZZ_FLAGS := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
              -D_POSIX_C_SOURCE=200809L \
              -Irefmodel/include -I$(BUILD)/gen
FUZZ_NPY_SRC := refmodel/src/npy.c refmodel/src/file_io.c refmodel/src/status.c
FUZZ_WL_SRC  := refmodel/src/workload.c refmodel/src/file_io.c refmodel/src/mask.c refmodel/src/prune.c \
                refmodel/src/fixed.c refmodel/src/rng.c refmodel/src/status.c

fuzz: ## libFuzzer on the .npy reader and the workload parser, FUZZ_SECONDS each (default 600)
	@$(MAKE) --no-print-directory deps APT_PKGS="$(APT_PKGS) clang libclang-rt-14-dev"
	@mkdir -p $(BUILD)/fuzz
	clang $(FUZZ_FLAGS) $(FUZZ_NPY_SRC) tests/fuzz/fuzz_npy.c -o $(BUILD)/fuzz/fuzz_npy
	clang $(FUZZ_FLAGS) $$(pkg-config --cflags libcjson) $(FUZZ_WL_SRC) tests/fuzz/fuzz_workload.c \
	  $$(pkg-config --libs libcjson) -lm -o $(BUILD)/fuzz/fuzz_workload
	@for t in npy workload; do \
	  rm -rf $(BUILD)/fuzz/corpus_$$t && cp -r tests/fuzz/corpus_$$t $(BUILD)/fuzz/corpus_$$t; \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	  $(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(BUILD)/fuzz/crash_$$t- $(BUILD)/fuzz/corpus_$$t 2>&1 | \
	    grep -E '^(stat::|INFO: Done|==[0-9]+==ERROR|SUMMARY)' || exit 1; \
	done

golden: $(CLI) ## regenerate vectors/golden after a deliberate numerics change (review, commit)
	scripts/golden.sh write $(CLI)

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

clean: ## remove $(BUILD)
	rm -rf $(BUILD)

# The exp2 table is versioned data; C gets it as a generated array (numerics.md section 7).
$(BUILD)/gen/exp2_table.c: refmodel/tables/exp2_frac.hex refmodel/tables/hex_to_c.sh
	@mkdir -p $(@D)
	sh refmodel/tables/hex_to_c.sh $< > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c Makefile
	@mkdir -p $(@D)
	$(CC) $(AK_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c $(HEADERS) Makefile | $(BUILD)/gen/attnkit_desc.h
	@mkdir -p $(@D)
	$(CC) $(AK_CFLAGS) -MMD -MP -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIBSO): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libattnkit.so.$(VERSION) -o $@ $^ $(AK_LIBS)

$(CLI): $(CLI_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(CC) -o $@ $(CLI_OBJ) $(LIBA) $(AK_LIBS)

$(BENCH): $(BENCH_SRC) $(LIBA) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(AK_CFLAGS) -o $@ $(BENCH_SRC) $(LIBA) $(AK_LIBS)

# A test program links tests/ak_test.c and the helpers its rule adds to TEST_HELPERS.
# test_regmap checks that NUMERICS_VERSION, as read here and given to PeakRDL, is numerics.h's.
$(BUILD)/tests/test_regmap: private AK_CFLAGS += -DAK_MAKE_NUMERICS_VERSION=$(NUMERICS_VERSION)
# test_cycle_skip reaches the cycle model's private entry point (refmodel/src/cycle_model_int.h).
$(BUILD)/tests/test_cycle_skip: private AK_CFLAGS += -Irefmodel/src
$(BUILD)/tests/%: tests/%.c tests/ak_test.c tests/ak_test.h $(LIBA) $(REGMAP_GEN) \
                  $(wildcard refmodel/src/*.h)
	@mkdir -p $(@D)
	$(CC) $(AK_CFLAGS) -Wno-format-truncation -Itests -o $@ $< tests/ak_test.c $(TEST_HELPERS) \
	  $(LIBA) $(AK_LIBS) $(CUNIT_LIBS)

# Header dependencies of the objects (private headers included) as the compiler found them.
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

# ---- register map: rtl/regs/attnkit_csr.rdl is the one source ----------------------------
$(BUILD)/gen/attnkit_csr.h: $(RDL) refmodel/include/attnkit/numerics.h
	@mkdir -p $(@D)
	$(PYTHON) -m peakrdl c-header $(RDL) -P NUMERICS=$(NUMERICS_VERSION) --type-style hier -o $@

$(BUILD)/gen/attnkit_err.h $(BUILD)/gen/ak_csr_pkg.sv &: $(RDL) scripts/gen_csr_pkg.py \
                                                     refmodel/include/attnkit/numerics.h
	@mkdir -p $(@D)
	$(PYTHON) scripts/gen_csr_pkg.py $(RDL) --numerics $(NUMERICS_VERSION) \
	  --sv $(BUILD)/gen/ak_csr_pkg.sv --c-err $(BUILD)/gen/attnkit_err.h

# The job descriptor's layout in memory: rtl/regs/attnkit_desc.rdl is the one source.
$(BUILD)/gen/attnkit_desc.h $(BUILD)/gen/ak_desc_pkg.sv &: $(DESC_RDL) scripts/gen_csr_pkg.py
	@mkdir -p $(@D)
	$(PYTHON) scripts/gen_csr_pkg.py $(DESC_RDL) --package ak_desc_pkg \
	  --sv $(BUILD)/gen/ak_desc_pkg.sv --c-defs $(BUILD)/gen/attnkit_desc.h

regmap-docs: ## regenerate docs/registers.md from the register map (commit the result)
	$(PYTHON) -m peakrdl markdown $(RDL) -P NUMERICS=$(NUMERICS_VERSION) -o docs/registers.md

# The whole top through Yosys's full generic synthesis (no ABC: with it, longer still), the
# structural checks, and the cell counts. About 8 minutes and 3 GB for the default parameters,
# so `make test` (tests/test_rtl_lint.c) runs cheaper ones instead: every module elaborated,
# the top's coarse synthesis flattened, the full synthesis of each unit (tests/README.md).
synth: deps $(SV_PKGS) ## Yosys synth -top ak_top (generic cells, ~8 min): check -assert and cell counts in build/reports/synth.txt
	@mkdir -p $(BUILD)/reports
	yosys -q -w 'Replacing memory' -l $(BUILD)/reports/synth.log \
	  -p 'read_verilog -sv $(SV_PKGS) $(RTL_SRC); synth -top ak_top -noabc; check -assert; tee -o $(BUILD)/reports/synth.txt stat'
	@grep -A3 '=== design hierarchy ===' $(BUILD)/reports/synth.txt || true
	@grep 'Number of cells' $(BUILD)/reports/synth.txt | tail -1

# Verilator harness, host driver and `attnkit sim` (sim/sim.mk); Icarus testbench (sim/icarus/icarus.mk)
include sim/sim.mk
# The TLM-2.0 model of the accelerator and the driver's tlm backend (sim/systemc/systemc.mk)
include sim/systemc/systemc.mk
# The Verilated RTL inside SystemC and the driver's sc-rtl backend (sim/systemc/sc_rtl.mk)
include sim/systemc/sc_rtl.mk
include sim/icarus/icarus.mk

# ---- RTL --------------------------------------------------------------------------------
# The SV package of numeric and hardware constants is generated from numerics.h and
# hw_params.h, never hand-copied.
SV_PKG_HDRS := refmodel/include/attnkit/numerics.h refmodel/include/attnkit/hw_params.h
$(BUILD)/gen/ak_pkg.sv: $(SV_PKG_HDRS) refmodel/tables/exp2_frac.hex scripts/gen_sv_pkg.py
	@mkdir -p $(@D)
	$(PYTHON) scripts/gen_sv_pkg.py $(SV_PKG_HDRS) --exp2-table refmodel/tables/exp2_frac.hex \
	  --out $@

VERILATOR_FLAGS := -Wall --cc --build -O3 -MAKEFLAGS "OPT_FAST=-O2" -CFLAGS -O2 \
                   -CFLAGS -I$(abspath sim/unit)

# An RTL unit bench: the C test (compiled by gcc into an archive, since verilator compiles .c
# as C++; it may use the library's private headers), the unit's C API wrapper
# sim/unit/<unit>_unit.cpp, and the RTL Verilated with rtl/ak_<unit>.sv as the top.
$(BUILD)/tests/test_rtl_%: tests/rtl/test_rtl_%.c sim/unit/%_unit.cpp sim/unit/rtl_units.h \
                          $(RTL_SRC) $(SV_PKGS) $(REGMAP_GEN) tests/ak_test.c $(LIBA)
	@mkdir -p $(BUILD)/verilator/$* $(@D)
	$(CC) $(AK_CFLAGS) -Wno-format-truncation -Itests -Isim/unit -Irefmodel/src -c $< \
	  -o $(BUILD)/verilator/$*/bench.o
	$(CC) $(AK_CFLAGS) -Itests -c tests/ak_test.c -o $(BUILD)/verilator/$*/ak_test.o
	rm -f $(BUILD)/verilator/$*/libbench.a $@   # verilator's make does not see these inputs
	ar rcs $(BUILD)/verilator/$*/libbench.a $(BUILD)/verilator/$*/bench.o $(BUILD)/verilator/$*/ak_test.o
	verilator $(VERILATOR_FLAGS) --exe -Mdir $(BUILD)/verilator/$* --top-module ak_$* \
	  $(SV_PKGS) $(RTL_SRC) $(abspath sim/unit/$*_unit.cpp) \
	  $(abspath $(BUILD)/verilator/$*/libbench.a) $(abspath $(LIBA)) \
	  -LDFLAGS "$(AK_LIBS) $(CUNIT_LIBS)" -o $(abspath $@) >/dev/null

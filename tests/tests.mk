# The test programs and the two test tiers (included by the Makefile; tests/README.md): the
# CUnit programs of tests/, the RTL unit benches of tests/rtl/ (each Verilated around its unit),
# `make check` and `make test`.

TEST_SRC  := $(wildcard tests/test_*.c)
TESTS     := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
RTL_TESTS := $(patsubst tests/rtl/%.c,$(BUILD)/tests/%,$(wildcard tests/rtl/test_*.c))

# The two test tiers (tests/README.md). run_tests.sh runs the programs two at a time in the
# order given, so the longest come first. `make check` leaves out the Yosys/Verilator/Icarus
# checks of the RTL source (test_rtl_lint), the SystemC models' tests (test_tlm, test_sc_rtl),
# the SLURM cluster (test_slurm), and runs CHECK_SIM_CONFIGS of test_sim's 268 random jobs
# (AK_SIM_CONFIGS; its golden sets all) and CHECK_ABORT_RUNS of test_abort's 80 injections.
LONG_TESTS  := $(BUILD)/tests/test_sim $(BUILD)/tests/test_abort $(BUILD)/tests/test_rtl_lint $(BUILD)/tests/test_slurm \
               $(BUILD)/tests/test_tlm $(BUILD)/tests/test_regress $(BUILD)/tests/test_sc_rtl
FULL_ONLY   := $(BUILD)/tests/test_rtl_lint $(BUILD)/tests/test_tlm $(BUILD)/tests/test_sc_rtl \
               $(BUILD)/tests/test_slurm
CHECK_TESTS := $(filter-out $(FULL_ONLY),$(TESTS))
CHECK_SIM_CONFIGS ?= 40
CHECK_ABORT_RUNS ?= 30
TEST_ENV     = AK_CLI=$(abspath $(CLI)) AK_SV_PKG="$(abspath $(SV_PKGS))"

run-tests: $(TESTS) $(RTL_TESTS) $(CLI) $(SIM_CLI) $(SV_PKGS) lint install-check
	@$(TEST_ENV) scripts/run_tests.sh $(filter $(TESTS),$(LONG_TESTS)) \
	  $(filter-out $(LONG_TESTS),$(TESTS)) $(RTL_TESTS)

run-check: $(CHECK_TESTS) $(RTL_TESTS) $(CLI) $(SIM_CLI) $(SV_PKGS) lint install-check
	@$(TEST_ENV) AK_SIM_CONFIGS=$(CHECK_SIM_CONFIGS) AK_ABORT_RUNS=$(CHECK_ABORT_RUNS) scripts/run_tests.sh \
	  $(filter $(CHECK_TESTS),$(LONG_TESTS)) $(filter-out $(LONG_TESTS),$(CHECK_TESTS)) $(RTL_TESTS)

# The programs a test runs (AK_CLI, tests/ak_test.c), so `make build/tests/test_x` alone is
# enough to run it: attnkit for those that estimate, generate or check vectors, attnkit-sim
# too for those that run `attnkit sim` (themselves, or through scripts/regression/regress).
# (Order-only: a test is not relinked when a program is; test_sim, test_tlm and test_sc_rtl
# name them in sim/*.mk.)
CLI_TESTS     := test_cli test_estimate test_vectors test_golden test_accuracy_sweep \
                 test_interrupt test_dse_report
SIM_CLI_TESTS := test_realdata test_regress test_slurm
$(CLI_TESTS:%=$(BUILD)/tests/%): | $(CLI)
$(SIM_CLI_TESTS:%=$(BUILD)/tests/%): | $(CLI) $(SIM_CLI)

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

VERILATOR_FLAGS := -Wall --cc --build -O3 -MAKEFLAGS "OPT_FAST=-O2" -CFLAGS -O2 \
                   -CFLAGS -I$(abspath sim/unit) -CFLAGS -I$(abspath refmodel/include)

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

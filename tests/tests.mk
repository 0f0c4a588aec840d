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
               $(BUILD)/tests/test_tlm $(BUILD)/tests/test_regress $(BUILD)/tests/test_sc_rtl \
               $(BUILD)/tests/test_desc_fuzz
FULL_ONLY   := $(BUILD)/tests/test_rtl_lint $(BUILD)/tests/test_tlm $(BUILD)/tests/test_sc_rtl \
               $(BUILD)/tests/test_slurm
CHECK_TESTS := $(filter-out $(FULL_ONLY),$(TESTS))
CHECK_SIM_CONFIGS ?= 40
CHECK_ABORT_RUNS ?= 30
TEST_ENV     = AK_CLI=$(abspath $(CLI)) AK_SV_PKG="$(abspath $(SV_PKGS))"

# (install-check builds docs/install.md's programs with the plain compiler against the install:
# not under SANITIZE, whose libraries need the sanitizers' runtime and flags in the link.)
run-tests: $(TESTS) $(RTL_TESTS) $(CLI) $(SIM_CLI) $(SV_PKGS) lint $(if $(SANITIZE),,install-check) fuzz-check
	@$(TEST_ENV) scripts/run_tests.sh $(filter $(TESTS),$(LONG_TESTS)) \
	  $(filter-out $(LONG_TESTS),$(TESTS)) $(RTL_TESTS)

run-check: $(CHECK_TESTS) $(RTL_TESTS) $(CLI) $(SIM_CLI) $(SV_PKGS) lint install-check fuzz-check
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

# The checkers' benches (test_rtl_chk_axi, test_rtl_chk_axil) record the assertions that fail
# through Verilator's print hook (sim/unit/assert_capture.h).
# test_rtl_ctrl (fault injection into the controller's invariants) too, and it writes the
# controller's flops (--public-flat-rw).
CHK_BENCHES := $(BUILD)/tests/test_rtl_chk_axi $(BUILD)/tests/test_rtl_chk_axil \
               $(BUILD)/tests/test_rtl_ctrl
$(CHK_BENCHES): private VERILATOR_FLAGS += -CFLAGS "-include $(abspath sim/verilator/ak_vl_print.h)"
$(CHK_BENCHES): sim/verilator/ak_vl_print.h sim/unit/assert_capture.h
$(BUILD)/tests/test_rtl_ctrl: private VERILATOR_FLAGS += --public-flat-rw

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

# `make test-sanitize`: the full tier again with AddressSanitizer (leaks included) and
# UndefinedBehaviorSanitizer in every C and C++ object: libattnkit, the host library, both
# programs, the tests, the SystemC models and the Verilated RTL (Verilator's runtime and the
# models' C++ too, through -CFLAGS/-LDFLAGS), in its own build directory (SAN_BUILD; the
# Verilated models are built again there, an hour or more on 2 busy cores). Not part of
# `make test`. Any report fails: the sanitizers halt with status 86 (not the CLI's 1 or 2,
# which a test may expect); ASan and LSan write their reports into $(SAN_BUILD)/reports/,
# which must stay empty, and UBSan (which has no log file beside ASan) prints "runtime error"
# on stderr, which must not appear in the run's log $(SAN_BUILD)/test.log. The only
# suppressions (tests/san/lsan.supp) are for third-party code and say why.
SAN_BUILD   := $(BUILD)/san
SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_REPORTS  = $(abspath $(SAN_BUILD))/reports
SAN_ENV      = AK_TEST_TIMEOUT=14400 ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:exitcode=86:log_path=$(SAN_REPORTS)/asan \
               LSAN_OPTIONS=suppressions=$(abspath tests/san/lsan.supp):print_suppressions=0 \
               UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86

.PHONY: test-sanitize
test-sanitize: deps ## the full test tier built with ASan + UBSan (C, C++, SystemC, Verilated RTL) in build/san: any report fails (slow: rebuilds the Verilated models)
	@rm -rf $(SAN_REPORTS) && mkdir -p $(SAN_REPORTS)
	@$(SAN_ENV) $(MAKE) --no-print-directory BUILD=$(SAN_BUILD) SANITIZE=1 OPT=-O1 SIM_OPT=-O1 \
	  run-tests > $(SAN_BUILD)/test.log 2>&1; \
	  rc=$$?; tail -3 $(SAN_BUILD)/test.log; reports=$$(ls $(SAN_REPORTS)); \
	  for f in $$reports; do echo "== sanitizer report $(SAN_REPORTS)/$$f"; head -60 $(SAN_REPORTS)/$$f; done; \
	  ub=$$(grep -c 'runtime error:' $(SAN_BUILD)/test.log); grep -A12 'runtime error:' $(SAN_BUILD)/test.log; \
	  echo "test-sanitize: status $$rc, $$(echo $$reports | wc -w) ASan/LSan reports, $$ub UBSan reports (log: $(SAN_BUILD)/test.log)"; \
	  test $$rc -eq 0 && test -z "$$reports" && test $$ub -eq 0

# SANITIZE=1 (only test-sanitize sets it): every compiler and link carries SAN_FLAGS.
ifneq ($(SANITIZE),)
CC  := gcc $(SAN_FLAGS)
CXX := g++ $(SAN_FLAGS)
SIM_VFLAGS      += -CFLAGS "$(SAN_FLAGS)" -LDFLAGS "$(SAN_FLAGS)"
SC_RTL_VFLAGS   += -CFLAGS "$(SAN_FLAGS)" -LDFLAGS "$(SAN_FLAGS)"
VERILATOR_FLAGS += -CFLAGS "$(SAN_FLAGS)" -LDFLAGS "$(SAN_FLAGS)"
endif

# `make test-valgrind`: attnkit and attnkit-sim under Valgrind's memcheck on every golden set
# (scripts/valgrind_golden.sh: vecgen, vecgen --check, workload, estimate, accuracy, mask,
# prune, sim on the verilator and tlm backends; sc-rtl and accuracy --npy-dir once). Any
# memcheck error or leak fails. Not part of `make test` (tens of minutes).
.PHONY: test-valgrind
test-valgrind: deps $(CLI) $(SIM_CLI) ## attnkit and attnkit-sim under valgrind memcheck on the golden sets: 0 errors, 0 leaks (slow)
	@scripts/valgrind_golden.sh $(CLI)

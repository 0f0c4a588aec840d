# Verilator harness of the whole accelerator, the host driver and attnkit-sim, the program
# behind `attnkit sim` (included by the Makefile after host/host.mk).
#
# $(AKSIM_LIB): rtl/ak_top.sv Verilated (-O3; the model's C++ at SIM_OPT, FST tracing), Verilator's
#   runtime, sim/verilator/ak_sim.cpp (compiled by Verilator's make, as C++) and the C memory
#   model sim/mem_model.c (gcc) in one archive. Users link it with $(SIM_LIBS).
# $(HOST_LIB): the host driver, its Verilator backend and run-and-compare (ak_run.c) (C11).
# attnkit-sim and tests/test_sim link both; they then need the C++ runtime and zlib (FST).

SIM_MDIR  := $(BUILD)/verilator/top
AKSIM_LIB := $(BUILD)/lib/libaksim.a
HOST_LIB  := $(BUILD)/lib/libakhost.a
ERR_TEXT  := $(BUILD)/gen/attnkit_err_text.h
HOST_OBJ  := $(BUILD)/obj/host/ak_driver.o $(BUILD)/obj/host/backend_verilator.o \
             $(BUILD)/obj/host/ak_run.o $(BUILD)/obj/host/desc_fuzz.o
SIM_OBJ   := $(BUILD)/obj/sim/mem_model.o
SIM_INC   := -Ihost -Isim
# (the host library checks vectors against their manifests with libattnkit's SHA-256, so
# libattnkit's own libraries, OpenSSL's among them, follow it again; `=`: pkg-config is only
# asked inside recipes)
SIM_LIBS   = $(HOST_LIB) $(AKSIM_LIB) $(LIBA) $(PKG_LIBS) -lz -lpthread -lstdc++ -lm
SIM_HDRS  := host/ak_driver.h sim/verilator/ak_sim.h sim/mem_model.h
# the driver's other headers: each backend's, and run-and-compare's
HOST_HDRS := host/backend_verilator.h host/backend_tlm.h host/backend_sc_rtl.h host/ak_run.h \
             host/desc_fuzz.h
# The model's C++ optimisation level, measured (`attnkit sim` host time, layer 2 of
# vectors/workloads/rtl-n1024-d64.json style runs, side by side): -O3 ~31k cycles/s, -O2 ~18k,
# -O1 ~11k; -O3 kept. `make SIM_OPT=-O2 BUILD=dir` builds another for comparison.
SIM_OPT ?= -O3
# --x-initial unique (Verilator's default, named here): every variable's initial value comes from
# a function, zeros or random per ak_sim_config.x_seed; --x-assign unique: the same for an
# explicit X (the RTL has none). ak_vl_print.h routes Verilator's messages (RTL assertions) to
# the harness.
SIM_VFLAGS := -Wall --cc --build -O3 -MAKEFLAGS "OPT_FAST=$(SIM_OPT)" -CFLAGS $(SIM_OPT) --trace-fst \
              --x-initial unique --x-assign unique \
              -CFLAGS "-include $(abspath sim/verilator/ak_vl_print.h)" \
              -CFLAGS -I$(abspath sim) -CFLAGS -I$(abspath refmodel/include)
# SIM_COVERAGE=1 (make coverage): line and toggle coverage points in the model; ak_sim.cpp
# writes them when a simulation closes (into $AK_SIM_COVERAGE_DIR)
ifneq ($(SIM_COVERAGE),)
SIM_VFLAGS += --coverage-line --coverage-toggle
endif

# The error codes' names and texts for the driver's messages, from the generated enum (one
# source: rtl/regs/attnkit_csr.rdl): lines {AK_HW_ERR_X, "X", "description"},
ERR_TEXT_SED = s|^ *AK_HW_ERR_\([A-Z0-9_]*\) = [0-9]*, /\* \(.*\) \*/$$|    {AK_HW_ERR_\1, "\1", "\2"},|p
$(ERR_TEXT): $(BUILD)/gen/attnkit_err.h $(FLAGS_STAMP)
	sed -n '$(ERR_TEXT_SED)' $< > $@.tmp && test -s $@.tmp && mv $@.tmp $@

$(SIM_OBJ) $(HOST_OBJ): private AK_CFLAGS += $(SIM_INC)
$(SIM_OBJ) $(HOST_OBJ): $(SIM_HDRS) $(REGMAP_GEN) $(ERR_TEXT)
$(HOST_OBJ): $(HOST_HDRS)

$(HOST_LIB): $(HOST_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# Verilator's make archives the model, its runtime (VK_GLOBAL_OBJS) and ak_sim.o (a user
# class) into one library; the rule is given with --eval (secondary expansion, since the
# object lists are only known once Vak_top.mk is read); its runtime's objects are removed first,
# since Verilator's make rebuilds them only when their sources change, never for new flags (the
# -include of ak_vl_print.h). Verilator's archive rule appends the
# object list to a .verilator_deplist.tmp that only its own end removes: a `make -n` (which
# expands that recipe) or an interrupted build leaves one behind, and the next archive would
# hold every object again, so the recipe removes it first.
$(AKSIM_LIB): $(RTL_SRC) $(SV_PKGS) $(REGMAP_GEN) sim/verilator/ak_sim.cpp sim/verilator/ak_vl_print.h \
              $(SIM_HDRS) $(SIM_OBJ) $(FLAGS_STAMP)
	@mkdir -p $(SIM_MDIR) $(@D)
	rm -f $(SIM_MDIR)/libaksim.a $(SIM_MDIR)/libaksim.a.verilator_deplist.tmp $@
	rm -f $(SIM_MDIR)/verilated*.o
	verilator $(SIM_VFLAGS) -Mdir $(SIM_MDIR) --top-module ak_top $(SV_PKGS) $(RTL_SRC) \
	  $(abspath sim/verilator/ak_sim.cpp) >/dev/null
	$(MAKE) -s -C $(SIM_MDIR) -f Vak_top.mk OPT_FAST=$(SIM_OPT) --eval='.SECONDEXPANSION:' \
	  --eval='libaksim.a: $$$$(VK_OBJS) $$$$(VK_GLOBAL_OBJS) $$$$(VK_USER_OBJS)' libaksim.a >/dev/null
	cp $(SIM_MDIR)/libaksim.a $@.tmp && ar rs $@.tmp $(SIM_OBJ) && mv $@.tmp $@

# `attnkit sim` (host/cli/cmd_sim.c) is a front end of run-and-compare (host/ak_run.h), in its
# own program attnkit-sim (host/host.mk); attnkit itself links none of this.
$(BUILD)/obj/host/cli/cmd_sim.o: private AK_CFLAGS += $(SIM_INC)
$(BUILD)/obj/host/cli/cmd_sim.o: $(SIM_HDRS) $(HOST_HDRS)
$(SIM_CLI): $(HOST_LIB) $(AKSIM_LIB)
$(SIM_CLI): private AK_LIBS += $(SIM_LIBS)

# tests/sim_jobs.c: the jobs that test_sim, test_tlm and test_sc_rtl run (built, seeded random,
# golden sets, compared with ak_attention); each of them links it.
SIM_JOBS  := tests/sim_jobs.c tests/sim_jobs.h

# tests/test_sim.c: the driver on the Verilated accelerator (golden vectors, random jobs
# against ak_attention, illegal jobs, hangs) and the memory model alone.
$(BUILD)/tests/test_sim: $(HOST_LIB) $(AKSIM_LIB) $(SIM_HDRS) $(HOST_HDRS) $(CLI) $(SIM_CLI) $(SIM_JOBS)
$(BUILD)/tests/test_sim: private TEST_HELPERS += tests/sim_jobs.c
$(BUILD)/tests/test_sim: private AK_CFLAGS += $(SIM_INC) -I$(BUILD)/gen
$(BUILD)/tests/test_sim: private AK_LIBS += $(SIM_LIBS)

# tests/test_sim_ofx.c: the debug mode (SHAPE.ofx: o_fx written too) on the Verilated
# accelerator, and `attnkit sim --ofx`.
$(BUILD)/tests/test_sim_ofx: $(HOST_LIB) $(AKSIM_LIB) $(SIM_HDRS) $(HOST_HDRS) $(CLI) $(SIM_CLI) $(SIM_JOBS)
$(BUILD)/tests/test_sim_ofx: private TEST_HELPERS += tests/sim_jobs.c
$(BUILD)/tests/test_sim_ofx: private AK_CFLAGS += $(SIM_INC) -I$(BUILD)/gen
$(BUILD)/tests/test_sim_ofx: private AK_LIBS += $(SIM_LIBS)

# tests/test_abort.c: reset and CTRL.abort injected into random jobs at random cycles, then the
# next job bit-exact and cycle-exact (AK_ABORT_RUNS injections, 80 in `make test`);
# `make abort-stress` runs ABORT_RUNS of them.
$(BUILD)/tests/test_abort: $(HOST_LIB) $(AKSIM_LIB) $(SIM_HDRS) $(HOST_HDRS) $(SIM_JOBS)
$(BUILD)/tests/test_abort: private TEST_HELPERS += tests/sim_jobs.c
$(BUILD)/tests/test_abort: private AK_CFLAGS += $(SIM_INC) -I$(BUILD)/gen
$(BUILD)/tests/test_abort: private AK_LIBS += $(SIM_LIBS)

ABORT_RUNS ?= 1000
.PHONY: abort-stress
abort-stress: $(BUILD)/tests/test_abort ## reset/abort injections into random jobs (ABORT_RUNS=1000, AK_ABORT_SEED): counts by kind, next jobs, time
	AK_ABORT_RUNS=$(ABORT_RUNS) $(BUILD)/tests/test_abort

# tests/test_xinit.c: random initial state (x_seed) against zeros and the C model, through the
# driver and through `attnkit sim --x-seed` (golden sets).
$(BUILD)/tests/test_xinit: $(HOST_LIB) $(AKSIM_LIB) $(SIM_HDRS) $(HOST_HDRS) $(CLI) $(SIM_CLI) $(SIM_JOBS)
$(BUILD)/tests/test_xinit: private TEST_HELPERS += tests/sim_jobs.c
$(BUILD)/tests/test_xinit: private AK_CFLAGS += $(SIM_INC) -I$(BUILD)/gen
$(BUILD)/tests/test_xinit: private AK_LIBS += $(SIM_LIBS)

# The Verilated accelerator inside SystemC (sim/systemc/ak_sc_rtl.*) and the driver's sc-rtl
# backend (included by the Makefile after sim/sim.mk).
#
# $(SC_RTL_LIB): rtl/ak_top.sv through `verilator --sc --prefix Vak_top_sc` (the plain harness's
#   flags otherwise: -O3, the model's C++ at SIM_OPT, FST tracing compiled in), its runtime built
#   for SystemC, $(SC_RTL_CXX) and the TLM memory sim/systemc/ak_tlm_memory.cpp
#   (compiled by Verilator's make as gnu++17, as Debian's libsystemc 2.3.4 was built) and a
#   private copy of the memory model (the timing of the AXI4 -> TLM bridge), prelinked into one
#   object (ld -r) whose only global definitions are the C API (ak_sc_rtl_*) and a weak sc_main
#   (objcopy cannot localise GNU-unique symbols, the static locals of inline functions: they
#   are renamed instead, with the prefix "aksc_rtl.").
#   So a program links it next to $(AKSIM_LIB): two Verilator runtimes (one built with VM_SC,
#   one without) and two models named ak_top cannot collide. Users link $(SC_RTL_LIBS).
# $(SC_RTL_MDIR)/libaksc_rtl_cxx.a: the same objects unprelinked, for a C++ SystemC testbench
#   that instantiates ak_sc_rtl_platform (sim/systemc/ak_sc_rtl.h) itself; it links
#   $(SIM_OBJ) for the memory model and must not link libaksim.a (docs/systemc.md). It holds
#   ak_tlm_memory too (the C API's memory), the same class as in $(TLM_LIB).

SC_RTL_MDIR := $(BUILD)/verilator/top_sc
SC_RTL_LIB  := $(BUILD)/lib/libaksc_rtl.a
SC_RTL_HDRS := sim/systemc/ak_sc_rtl.h sim/systemc/ak_sc_rtl_sim.h sim/systemc/ak_tlm2axilite.h \
               sim/systemc/ak_axi2tlm.h sim/mem_model.h
# the platform, its two bridges and the C API over it
SC_RTL_CXX  := sim/systemc/ak_sc_rtl.cpp sim/systemc/ak_tlm2axilite.cpp sim/systemc/ak_axi2tlm.cpp \
               sim/systemc/ak_sc_rtl_sim.cpp
SC_RTL_HOST_OBJ := $(BUILD)/obj/host/backend_sc_rtl.o
# pkg-config is only asked inside recipes, i.e. after `deps` has installed libsystemc-dev.
SC_RTL_LIBS = $(SC_RTL_LIB) $(LIBA) $(shell pkg-config --libs systemc) -lz -lpthread -lstdc++ -lm
SC_RTL_VFLAGS := -Wall --sc -O3 --trace-fst --prefix Vak_top_sc \
                 -CFLAGS -std=gnu++17 -CFLAGS $(SIM_OPT) -CFLAGS -I$(abspath sim) \
                 -CFLAGS -I$(abspath sim/systemc) -CFLAGS -I$(abspath refmodel/include)

# (The deplist removed first: see $(AKSIM_LIB) in sim/sim.mk.)
$(SC_RTL_LIB): $(RTL_SRC) $(SV_PKGS) $(REGMAP_GEN) $(SC_RTL_CXX) $(SC_RTL_HDRS) \
               sim/systemc/ak_tlm_memory.cpp sim/systemc/ak_tlm_memory.h $(SIM_OBJ) \
               $(FLAGS_STAMP)
	@mkdir -p $(SC_RTL_MDIR) $(@D)
	rm -f $(SC_RTL_MDIR)/libaksc_rtl_cxx.a $(SC_RTL_MDIR)/libaksc_rtl_cxx.a.verilator_deplist.tmp $@
	verilator $(SC_RTL_VFLAGS) -Mdir $(SC_RTL_MDIR) --top-module ak_top $(SV_PKGS) $(RTL_SRC) \
	  $(abspath $(SC_RTL_CXX)) $(abspath sim/systemc/ak_tlm_memory.cpp) >/dev/null
	$(MAKE) -s -C $(SC_RTL_MDIR) -f Vak_top_sc.mk OPT_FAST=$(SIM_OPT) --eval='.SECONDEXPANSION:' \
	  --eval='libaksc_rtl_cxx.a: $$$$(VK_OBJS) $$$$(VK_GLOBAL_OBJS) $$$$(VK_USER_OBJS)' \
	  libaksc_rtl_cxx.a >/dev/null
	ld -r --force-group-allocation -o $(SC_RTL_MDIR)/aksc_rtl_all.o \
	  --whole-archive $(SC_RTL_MDIR)/libaksc_rtl_cxx.a --no-whole-archive $(SIM_OBJ)
	nm $(SC_RTL_MDIR)/aksc_rtl_all.o | awk '$$2 == "u" { print $$3, "aksc_rtl." $$3 }' \
	  > $(SC_RTL_MDIR)/unique.map
	objcopy -w --keep-global-symbol='ak_sc_rtl_*' --keep-global-symbol=sc_main \
	  --redefine-syms=$(SC_RTL_MDIR)/unique.map $(SC_RTL_MDIR)/aksc_rtl_all.o $(SC_RTL_MDIR)/aksc_rtl.o
	rm -f $@.tmp && ar rcs $@.tmp $(SC_RTL_MDIR)/aksc_rtl.o && mv $@.tmp $@

$(SC_RTL_HOST_OBJ): private AK_CFLAGS += $(SIM_INC) -Isim/systemc
$(SC_RTL_HOST_OBJ): $(SIM_HDRS) $(HOST_HDRS) $(SC_RTL_HDRS) $(REGMAP_GEN) $(ERR_TEXT)

# The sc-rtl backend is in the driver library with the others (a program that never calls
# ak_backend_sc_rtl_open does not pull it in, so needs no SystemC).
$(HOST_LIB): $(SC_RTL_HOST_OBJ)

$(BUILD)/obj/host/cli/cmd_sim.o $(BUILD)/obj/host/ak_run.o: $(SC_RTL_HDRS)
$(SIM_CLI): $(SC_RTL_LIB)
$(SIM_CLI): private AK_LIBS += $(SC_RTL_LIBS)

# The SystemC example (systemc.mk) binds either the TLM model or this platform (--rtl).
SC_RTL_CXX_LIBS = $(SC_RTL_MDIR)/libaksc_rtl_cxx.a $(SIM_OBJ) -lz
$(TLM_EXAMPLE): $(SC_RTL_LIB) $(SC_RTL_HDRS)

# tests/test_sc_rtl.c: golden sets and random jobs on the sc-rtl backend against the plain one.
$(BUILD)/tests/test_sc_rtl: $(HOST_LIB) $(AKSIM_LIB) $(SC_RTL_LIB) $(SIM_HDRS) $(HOST_HDRS) $(SC_RTL_HDRS) $(CLI) $(SIM_CLI) \
                            $(SIM_JOBS)
$(BUILD)/tests/test_sc_rtl: private TEST_HELPERS += tests/sim_jobs.c
$(BUILD)/tests/test_sc_rtl: private AK_CFLAGS += $(SIM_INC) -Isim/systemc -I$(BUILD)/gen
$(BUILD)/tests/test_sc_rtl: private AK_LIBS += $(SIM_LIBS) $(SC_RTL_LIBS)

# The host-time cost of the SystemC platform: the same layers on sc-rtl and verilator side by
# side (scripts/bench/sc_rtl_speed.py): every golden set, and two sparse layers of rtl-n1024-d64.
SC_RTL_SPEED_VEC := $(BUILD)/vectors/rtl-n1024-d64
.PHONY: sc-rtl-speed
sc-rtl-speed: deps $(CLI) $(SIM_CLI) ## host time of the RTL inside SystemC vs the plain Verilator harness (scripts/bench/sc_rtl_speed.py; build/reports/systemc/)
	@mkdir -p $(BUILD)/reports/systemc
	@test -f $(SC_RTL_SPEED_VEC)/manifest.json || \
	  $(CLI) vecgen --workload vectors/workloads/rtl-n1024-d64.json --out $(SC_RTL_SPEED_VEC) >/dev/null
	$(PYTHON) scripts/bench/sc_rtl_speed.py --attnkit $(CLI) --json $(BUILD)/reports/systemc/sc-rtl-golden.json
	$(PYTHON) scripts/bench/sc_rtl_speed.py --attnkit $(CLI) --layer 4 $(SC_RTL_SPEED_VEC) \
	  --json $(BUILD)/reports/systemc/sc-rtl-n1024-layer4.json
	$(PYTHON) scripts/bench/sc_rtl_speed.py --attnkit $(CLI) --layer 3 $(SC_RTL_SPEED_VEC) \
	  --json $(BUILD)/reports/systemc/sc-rtl-n1024-layer3.json

# The loosely-timed TLM-2.0 model of the accelerator (sim/systemc/ak_tlm_*; docs/systemc.md) and
# the driver's tlm backend (included by the Makefile after sim/sim.mk).
#
# $(TLM_LIB): the model (ak_tlm_accel), the TLM memory (ak_tlm_memory) and the C API of the
#   platform (ak_tlm_sim.h, with a weak sc_main), C++17 (gnu++17, as Debian's libsystemc 2.3.4
#   was built). Users link $(TLM_LIBS) (the library needs libattnkit and libsystemc).
# `make systemc-example`: sim/systemc/example_main.cpp, an sc_main that puts the model into a
#   small virtual platform of its own (two sockets and an interrupt bound), built and run; then
#   the same with the Verilated RTL platform in its place (--rtl; linked from sc_rtl.mk's
#   unprelinked library).

CXX       ?= g++
TLM_LIB   := $(BUILD)/lib/libaktlm.a
TLM_SRC   := sim/systemc/ak_tlm_accel.cpp sim/systemc/ak_tlm_memory.cpp sim/systemc/ak_tlm_sim.cpp
TLM_OBJ   := $(TLM_SRC:%.cpp=$(BUILD)/obj/%.o)
TLM_HDRS  := sim/systemc/ak_tlm_accel.h sim/systemc/ak_tlm_memory.h sim/systemc/ak_tlm_sim.h
TLM_HOST_OBJ := $(BUILD)/obj/host/backend_tlm.o
TLM_EXAMPLE := $(BUILD)/bin/ak-tlm-example
# pkg-config is only asked inside recipes, i.e. after `deps` has installed libsystemc-dev.
SC_CXXFLAGS = -std=gnu++17 $(OPT) -g -fPIC -Wall -Wextra -Werror -Irefmodel/include \
              -I$(BUILD)/gen -Isim/systemc $(shell pkg-config --cflags systemc) $(CXXFLAGS)
TLM_LIBS  = $(TLM_LIB) $(LIBA) $(shell pkg-config --libs systemc) -lpthread -lstdc++ -lm

$(BUILD)/obj/sim/systemc/ak_tlm_%.o: sim/systemc/ak_tlm_%.cpp $(TLM_HDRS) $(HEADERS) $(REGMAP_GEN) \
                                     $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CXX) $(SC_CXXFLAGS) -c $< -o $@

$(TLM_LIB): $(TLM_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# The tlm backend is in the driver library with the others (a program that never calls
# ak_backend_tlm_open does not pull it in, so needs no SystemC).
$(TLM_HOST_OBJ): private AK_CFLAGS += $(SIM_INC)
$(TLM_HOST_OBJ): $(SIM_HDRS) $(HOST_HDRS) $(TLM_HDRS) $(REGMAP_GEN) $(ERR_TEXT)
$(HOST_LIB): $(TLM_HOST_OBJ)

$(BUILD)/obj/host/cli/cmd_sim.o $(BUILD)/obj/host/ak_run.o: $(TLM_HDRS)
$(SIM_CLI): $(TLM_LIB)
$(SIM_CLI): private AK_LIBS += $(TLM_LIBS)

# tests/test_tlm.c: golden sets and random jobs on the tlm backend against the reference model
# and the cycle model, a subset against the Verilator backend; CSRs, illegal jobs, timeouts.
$(BUILD)/tests/test_tlm: $(HOST_LIB) $(AKSIM_LIB) $(TLM_LIB) $(SIM_HDRS) $(HOST_HDRS) $(TLM_HDRS) $(CLI) $(SIM_CLI) \
                         $(SIM_JOBS)
$(BUILD)/tests/test_tlm: private TEST_HELPERS += tests/sim_jobs.c
$(BUILD)/tests/test_tlm: private AK_CFLAGS += $(SIM_INC) -I$(BUILD)/gen
$(BUILD)/tests/test_tlm: private AK_LIBS += $(SIM_LIBS) $(TLM_LIBS)

.PHONY: systemc-example
systemc-example: deps $(TLM_EXAMPLE) ## the TLM model, then the RTL, in a small SystemC virtual platform (sim/systemc/example_main.cpp), built and run
	$(TLM_EXAMPLE)
	$(TLM_EXAMPLE) --rtl

# (its RTL side: prerequisites and libraries in sc_rtl.mk)
$(TLM_EXAMPLE): sim/systemc/example_main.cpp $(TLM_LIB) $(TLM_HDRS) $(LIBA)
	@mkdir -p $(@D)
	$(CXX) $(SC_CXXFLAGS) -Isim -o $@ $< $(SC_RTL_CXX_LIBS) $(TLM_LIBS) $(PKG_LIBS)

# Speed: whole DeiT-Base on the TLM model against two of its layers on the Verilated RTL (the
# RTL's whole-network time extrapolated from them), side by side in one run (docs/systemc.md).
.PHONY: systemc-speed
systemc-speed: deps $(CLI) $(SIM_CLI) ## TLM model vs Verilated RTL speed on DeiT-Base (RTL extrapolated from 2 layers): build/reports/systemc/speed.json
	@mkdir -p $(BUILD)/reports/systemc
	$(PYTHON) scripts/bench/systemc_speed.py --attnkit $(CLI) --vectors $(BUILD)/vectors/deit-base \
	  --json $(BUILD)/reports/systemc/speed.json

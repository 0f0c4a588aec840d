# The descriptor fuzzer and DMA confinement (docs/dma-safety.md; included by the Makefile after
# sim/sim.mk and sim/systemc/*.mk): host/desc_fuzz.c is in the host library; attnkit-desc-fuzz
# runs it on the Verilated RTL (or the TLM model); tests/test_desc_fuzz.c is the short run in
# `make test`, `make fuzz-rtl` the long one.

DESC_FUZZ := $(BUILD)/bin/attnkit-desc-fuzz
FUZZ_RTL_RUNS ?= 10000
FUZZ_RTL_SEED ?= 1

$(DESC_FUZZ): host/desc_fuzz_main.c $(HOST_LIB) $(AKSIM_LIB) $(TLM_LIB) $(SIM_HDRS) $(HOST_HDRS) \
              $(REGMAP_GEN)
	@mkdir -p $(@D)
	$(CC) $(AK_CFLAGS) $(SIM_INC) -I$(BUILD)/gen -o $@ $< $(SIM_LIBS) $(TLM_LIBS) $(AK_LIBS)

fuzz-rtl: $(DESC_FUZZ) ## descriptor fuzzer on the Verilated RTL, FUZZ_RTL_RUNS runs (10000, ~5 min on one core) of FUZZ_RTL_SEED: fails on a hang, DMA outside the job, an AXI protocol error or an error code never reached
	$(DESC_FUZZ) --seed $(FUZZ_RTL_SEED) --runs $(FUZZ_RTL_RUNS) --require-all-codes

# tests/test_desc_fuzz.c: a few hundred fuzz runs (every error code reached), the planted
# violation, the regions of a known descriptor.
$(BUILD)/tests/test_desc_fuzz: $(HOST_LIB) $(AKSIM_LIB) $(SIM_HDRS) $(HOST_HDRS)
$(BUILD)/tests/test_desc_fuzz: private AK_CFLAGS += $(SIM_INC) -I$(BUILD)/gen
$(BUILD)/tests/test_desc_fuzz: private AK_LIBS += $(SIM_LIBS)

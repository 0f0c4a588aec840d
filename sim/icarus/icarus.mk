# Icarus Verilog testbench of the whole accelerator: `make sim-icarus` (included by the Makefile).
#
# $(ICARUS_VVP): sim/icarus/ak_tb.sv around rtl/ak_top.sv, compiled by iverilog -g2012.
# sim-icarus: every golden vector layer on Icarus and on Verilator (attnkit sim): outputs equal
#   to o.hex on both, and identical CYCLES, STALLS and MACS counters (scripts/regression/sim_icarus.py).

ICARUS_VVP := $(BUILD)/icarus/ak_tb.vvp
GOLDEN_DIRS = $(sort $(dir $(wildcard vectors/golden/*/manifest.json)))

# (-Wall less the notes that a block wakes on any bit of a vector or any word of an array: the
# loops over whole arrays and vectors mean to)
# The testbench's memory keeps the C model's bounds: AK_MEM_* of sim/mem_model.h.
mem_const = $(shell sed -n 's/^\#define AK_MEM_$(1) \([0-9]*\)u.*/\1/p' sim/mem_model.h)
ICARUS_MEM := -Pak_tb.MaxReads=$(call mem_const,MAX_READS) \
              -Pak_tb.MaxWrites=$(call mem_const,MAX_WRITES) \
              -Pak_tb.WbufBeats=$(call mem_const,WBUF_BEATS)

$(ICARUS_VVP): $(SV_PKGS) $(RTL_SRC) sim/icarus/ak_tb.sv sim/mem_model.h
	@mkdir -p $(@D)
	iverilog -g2012 -Wall -Wno-timescale -Wno-sensitivity-entire-vector \
	  -Wno-sensitivity-entire-array $(ICARUS_MEM) -o $@.tmp -s ak_tb \
	  $(SV_PKGS) $(RTL_SRC) sim/icarus/ak_tb.sv
	mv $@.tmp $@

sim-icarus: deps ## the golden vectors on Icarus, checked against o.hex and Verilator's cycle counts
	@$(MAKE) --no-print-directory $(ICARUS_VVP) $(CLI) $(SIM_CLI)
	@$(PYTHON) scripts/regression/sim_icarus.py --vvp $(ICARUS_VVP) --attnkit $(CLI) \
	  --json $(BUILD)/icarus/results.json $(GOLDEN_DIRS)

.PHONY: sim-icarus

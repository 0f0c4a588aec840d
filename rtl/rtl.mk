# The RTL's generated sources and checks (included by the Makefile): the register map and the
# job descriptor from their SystemRDL sources (C headers and SV packages), the SV package of
# numeric constants from numerics.h, the register map's docs, and Yosys's full synthesis.

RDL        := rtl/regs/attnkit_csr.rdl
DESC_RDL   := rtl/regs/attnkit_desc.rdl
REGMAP_GEN := $(BUILD)/gen/attnkit_csr.h $(BUILD)/gen/attnkit_err.h $(BUILD)/gen/ak_csr_pkg.sv \
              $(BUILD)/gen/attnkit_desc.h $(BUILD)/gen/ak_desc_pkg.sv

RTL_SRC   := $(wildcard rtl/*.sv)

SV_PKGS := $(BUILD)/gen/ak_pkg.sv $(BUILD)/gen/ak_csr_pkg.sv $(BUILD)/gen/ak_desc_pkg.sv

# The SV package of numeric and hardware constants is generated from numerics.h and
# hw_params.h, never hand-copied.
SV_PKG_HDRS := refmodel/include/attnkit/numerics.h refmodel/include/attnkit/hw_params.h
$(BUILD)/gen/ak_pkg.sv: $(SV_PKG_HDRS) refmodel/tables/exp2_frac.hex scripts/gen/gen_sv_pkg.py
	@mkdir -p $(@D)
	$(PYTHON) scripts/gen/gen_sv_pkg.py $(SV_PKG_HDRS) --exp2-table refmodel/tables/exp2_frac.hex \
	  --out $@

# The register map: rtl/regs/attnkit_csr.rdl is the one source.
$(BUILD)/gen/attnkit_csr.h: $(RDL) refmodel/include/attnkit/numerics.h
	@mkdir -p $(@D)
	$(PYTHON) -m peakrdl c-header $(RDL) -P NUMERICS=$(NUMERICS_VERSION) --type-style hier -o $@

$(BUILD)/gen/attnkit_err.h $(BUILD)/gen/ak_csr_pkg.sv &: $(RDL) scripts/gen/gen_csr_pkg.py \
                                                     refmodel/include/attnkit/numerics.h
	@mkdir -p $(@D)
	$(PYTHON) scripts/gen/gen_csr_pkg.py $(RDL) --numerics $(NUMERICS_VERSION) \
	  --sv $(BUILD)/gen/ak_csr_pkg.sv --c-err $(BUILD)/gen/attnkit_err.h

# The job descriptor's layout in memory: rtl/regs/attnkit_desc.rdl is the one source.
$(BUILD)/gen/attnkit_desc.h $(BUILD)/gen/ak_desc_pkg.sv &: $(DESC_RDL) scripts/gen/gen_csr_pkg.py
	@mkdir -p $(@D)
	$(PYTHON) scripts/gen/gen_csr_pkg.py $(DESC_RDL) --package ak_desc_pkg \
	  --sv $(BUILD)/gen/ak_desc_pkg.sv --c-defs $(BUILD)/gen/attnkit_desc.h

regmap-docs: ## regenerate docs/registers.md from the register map (commit the result)
	$(PYTHON) -m peakrdl markdown $(RDL) -P NUMERICS=$(NUMERICS_VERSION) -o docs/registers.md

# The whole top through Yosys's full generic synthesis (no ABC: with it, longer still), the
# structural checks, and the cell counts. About 16 CPU minutes and 3 GB for the default parameters,
# so `make test` (tests/test_rtl_lint.c) runs cheaper ones instead: every module elaborated,
# the top's coarse synthesis flattened, the full synthesis of each unit (tests/README.md).
synth: deps $(SV_PKGS) ## Yosys synth -top ak_top (generic cells, ~16 min): check -assert and cell counts in build/reports/synth.txt
	@mkdir -p $(BUILD)/reports
	yosys -q -w 'Replacing memory' -l $(BUILD)/reports/synth.log \
	  -p 'read_verilog -sv $(SV_PKGS) $(RTL_SRC); synth -top ak_top -noabc; check -assert; tee -o $(BUILD)/reports/synth.txt stat'
	@grep -A3 '=== design hierarchy ===' $(BUILD)/reports/synth.txt || true
	@grep 'Number of cells' $(BUILD)/reports/synth.txt | tail -1


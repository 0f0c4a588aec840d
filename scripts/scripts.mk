# The targets that run scripts/ (included by the Makefile): lint, the demo, benchmarks, the
# design-space sweeps and reports, real tensors, the regression, coverage, the golden vectors.

lint: ## ruff over scripts/ (rules in scripts/ruff.toml; `make deps` installs ruff)
	@$(PYTHON) -m ruff --version >/dev/null 2>&1 || \
	  { echo "lint: ruff is missing: run make deps" >&2; exit 1; }
	@$(PYTHON) -m ruff check scripts/

run-demo: $(CLI) $(SIM_CLI)
	@scripts/demo.sh $(CLI)

run-bench: $(BENCH) $(CLI) $(SIM_CLI)
	@$(BENCH)
	@$(MAKE) --no-print-directory $(ICARUS_VVP)
	@echo "== RTL cycles: dense and block-sparse at N=1024 and N=2048, d=64 (Verilator, deterministic memory)"
	@$(PYTHON) scripts/bench/bench_rtl.py --attnkit $(CLI) --out $(BUILD)/bench/rtl-n1024-d64
	@$(PYTHON) scripts/bench/bench_rtl.py --attnkit $(CLI) --workload vectors/workloads/rtl-n2048-d64.json \
	  --out $(BUILD)/bench/rtl-n2048-d64
	@echo "== cycle model: whole-workload estimates (attnkit estimate; host time of the estimate itself)"
	@$(PYTHON) scripts/bench/bench_estimate.py --attnkit $(CLI) deit-small deit-base vit-large llm-4k
	@echo "== RTL simulation speed: the same golden layers on Verilator (attnkit sim) and Icarus"
	@$(PYTHON) scripts/regression/sim_icarus.py --vvp $(ICARUS_VVP) --attnkit $(CLI) \
	  vectors/golden/dense-n64 vectors/golden/one-block-d128

# Design-space exploration with the cycle model: sweeps of DeiT-Small (EViT) and of a long
# dense layer (N = 4096, where block density can go down to 0.05), plots and a summary.
dse: deps $(CLI) ## design-space sweeps (attnkit estimate --sweep; the model only, no RTL build): CSV, PNG plots, summary in build/reports/dse/
	@mkdir -p $(BUILD)/reports/dse
	$(CLI) estimate --preset deit-small --sweep --out $(BUILD)/reports/dse/deit-small.csv
	$(CLI) estimate --workload vectors/workloads/long-n4096.json --sweep \
	  --out $(BUILD)/reports/dse/long-n4096.csv
	$(CLI) estimate --workload vectors/workloads/vit-keep06.json --sweep \
	  --out $(BUILD)/reports/dse/vit-keep06.csv
	$(PYTHON) scripts/report/dse_report.py $(BUILD)/reports/dse/deit-small.csv \
	  $(BUILD)/reports/dse/long-n4096.csv $(BUILD)/reports/dse/vit-keep06.csv \
	  --out $(BUILD)/reports/dse

results: dse $(SIM_CLI) ## regenerate docs/results.md and its plots (cycle model; RTL sparse scaling, ~2 min)
	$(PYTHON) scripts/bench/bench_rtl.py --attnkit $(CLI) --workload vectors/workloads/rtl-n2048-d64.json \
	  --out $(BUILD)/bench/rtl-n2048-d64 > $(BUILD)/reports/rtl-n2048-d64.txt
	$(PYTHON) scripts/report/results_doc.py --attnkit $(CLI) --dse $(BUILD)/reports/dse \
	  --rtl-bench $(BUILD)/reports/rtl-n2048-d64.txt --out docs/results.md

# Real attention tensors: all-MiniLM-L6-v2 run in numpy on a Debian licence text (docs/realdata.md).
realdata: deps ## real Q/K/V of all-MiniLM-L6-v2 (6 layers, float32) at N=256, 128, 512 in build/realdata/
	$(PYTHON) scripts/data/realdata.py --out $(BUILD)/realdata/minilm-l6-n256 --tokens 256 --force \
	  --cache $(BUILD)/realdata/cache
	$(PYTHON) scripts/data/realdata.py --out $(BUILD)/realdata/minilm-l6-n128 --tokens 128 --force \
	  --cache $(BUILD)/realdata/cache
	$(PYTHON) scripts/data/realdata.py --out $(BUILD)/realdata/minilm-l6-n512 --tokens 512 --force \
	  --cache $(BUILD)/realdata/cache

# Accuracy next to cycles on real tensors: mask pattern x density x block and EViT keep rates,
# attnkit accuracy (SQNR vs float64) against attnkit estimate (speed-up), docs/accuracy-sweep.md.
.PHONY: accuracy-sweep
ACC_NPY = $(if $(wildcard $(BUILD)/realdata/minilm-l6-n256/layer01/q.npy),$(BUILD)/realdata/minilm-l6-n256,vectors/real/minilm-l6-n128)
accuracy-sweep: deps $(CLI) ## real-tensor accuracy vs cycle-model speed-up (masks, EViT): CSV, Pareto plot, summary in build/reports/accuracy/
	$(PYTHON) scripts/data/accuracy_sweep.py --attnkit $(CLI) --npy-dir $(ACC_NPY) \
	  --out $(BUILD)/reports/accuracy --force --jobs 2

COUNT ?= 100
JOBS  ?= $(shell nproc)
SEED  ?= 1
SIM   ?= verilator
regress: deps $(CLI) $(SIM_CLI) ## seeded RTL regression: COUNT tests, JOBS in parallel, SEED, SIM (results, junit.xml in build/regress/)
	@if [ "$(SIM)" = icarus ]; then $(MAKE) --no-print-directory $(ICARUS_VVP); fi
	@$(PYTHON) scripts/regression/regress --attnkit $(CLI) --count $(COUNT) -j $(JOBS) --seed $(SEED) \
	  --sim $(SIM) --vvp $(ICARUS_VVP) --out $(BUILD)/regress

# The planted-bug campaign (scripts/regression/plant_bugs.py, docs/testplan.md): each bug of
# tests/plants/ applied alone to a scratch copy of HEAD under $(BUILD)/plants, put through
# make check, a PLANT_COUNT-test regression and make test until one fails. Hours: one Verilator
# rebuild per RTL bug. PLANTS=id... runs some; PLANT_BUILD=dir starts from a build of HEAD.
PLANT_COUNT ?= 100
plant-bugs: deps ## planted bugs (tests/plants/) one at a time through check, a regression, test: build/plants/plants.md (hours)
	@$(PYTHON) scripts/regression/plant_bugs.py --count $(PLANT_COUNT) --out $(BUILD)/plants \
	  $(if $(PLANT_BUILD),--build-from $(PLANT_BUILD)) $(if $(PLANTS),--only $(PLANTS))

# Coverage: the CLI and the Verilated model built again under $(BUILD)/cov with gcov
# instrumentation and Verilator's line and toggle points, a regression of COV_COUNT tests run
# on it, and one HTML report of both (scripts/report/coverage_report.py).
COV_BUILD := $(BUILD)/cov
COV_COUNT ?= 30
coverage: deps ## RTL line+toggle and C line coverage of a COV_COUNT-test regression: build/reports/coverage/
	$(MAKE) --no-print-directory BUILD=$(COV_BUILD) OPT=-O1 CFLAGS=--coverage LDFLAGS=--coverage \
	  SIM_COVERAGE=1 $(COV_BUILD)/bin/attnkit $(COV_BUILD)/bin/attnkit-sim
	rm -rf $(COV_BUILD)/dat && mkdir -p $(COV_BUILD)/dat
	find $(COV_BUILD)/obj -name '*.gcda' -delete
	AK_SIM_COVERAGE_DIR=$(abspath $(COV_BUILD)/dat) $(PYTHON) scripts/regression/regress \
	  --attnkit $(COV_BUILD)/bin/attnkit --count $(COV_COUNT) -j $(JOBS) --seed $(SEED) \
	  --no-wave --out $(COV_BUILD)/regress
	$(PYTHON) scripts/report/coverage_report.py --dat $(COV_BUILD)/dat --gcov-dir $(COV_BUILD)/obj \
	  --out $(BUILD)/reports/coverage

golden: $(CLI) ## regenerate vectors/golden after a deliberate numerics change (review, commit)
	scripts/golden.sh write $(CLI)


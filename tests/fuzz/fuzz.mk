# libFuzzer harnesses of the parsers, one per parser (tests/fuzz/README.md; included by the
# Makefile after tests/tests.mk, since the manifest harness names the host library's headers),
# built with clang into $(BUILD)/fuzz/ over the library compiled again with the fuzzer's
# coverage and ASan + UBSan. `make fuzz` runs each for FUZZ_SECONDS on a copy of its kept
# corpus tests/fuzz/corpus_<name>/; `make fuzz-check` (run by `make test`) replays every corpus
# file and every regression input (tests/fuzz/regress_<name>/, inputs that once crashed)
# through each harness once. tests/fuzz/soak.sh runs them all in parallel for hours.
FUZZ_SECONDS ?= 600
FUZZ_CC      := clang
FUZZ_NAMES   := npy workload manifest cli_args npy_inputs
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS   = -std=c11 -g -O1 $(FUZZ_SAN) -fno-omit-frame-pointer -D_POSIX_C_SOURCE=200809L \
                -Irefmodel/include -I$(BUILD)/gen $(PKG_CFLAGS)
FUZZ_LIB     := $(BUILD)/fuzz/libattnkit-fuzz.a
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/fuzz/obj/%.o) $(BUILD)/fuzz/obj/gen/exp2_table.o
FUZZ_BINS    := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)

$(BUILD)/fuzz/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(BUILD)/fuzz/obj/%.o: %.c $(HEADERS) $(wildcard refmodel/src/*.h) | $(BUILD)/gen/attnkit_desc.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -Ihost -Isim -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# A harness: tests/fuzz/fuzz_<name>.c and the objects its rule adds to FUZZ_EXTRA, the library.
# fuzz_manifest includes host/ak_run.c (its manifest reader is private), so it sees the host
# headers; fuzz_cli_args links the CLI's flag parsers.
$(BUILD)/fuzz/fuzz_manifest: tests/fuzz/fuzz_manifest.c host/ak_run.c $(HOST_HDRS) $(SIM_HDRS) $(REGMAP_GEN)
$(BUILD)/fuzz/fuzz_manifest: private FUZZ_INC := -Ihost -Isim
$(BUILD)/fuzz/fuzz_cli_args: private FUZZ_EXTRA := $(BUILD)/fuzz/obj/host/cli/args.o \
                                                   $(BUILD)/fuzz/obj/host/cli/shape_opts.o
$(BUILD)/fuzz/fuzz_cli_args: private FUZZ_INC := -Ihost/cli
$(BUILD)/fuzz/fuzz_cli_args: $(BUILD)/fuzz/obj/host/cli/args.o $(BUILD)/fuzz/obj/host/cli/shape_opts.o \
                             host/cli/cli.h host/cli/shape_opts.h
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB) $(HEADERS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wall -Wextra -Werror $(FUZZ_INC) -fsanitize=fuzzer $< $(FUZZ_EXTRA) $(FUZZ_LIB) \
	  $(PKG_LIBS) -lpthread -lm -o $@

.PHONY: fuzz-check
# (leaks are checked; a replay writes nothing into the corpus: files, not directories, given)
fuzz-check: $(FUZZ_BINS) ## replay every kept fuzz corpus and regression input through its libFuzzer harness once (in make test; seconds)
	@for t in $(FUZZ_NAMES); do \
	  files=$$(find tests/fuzz/corpus_$$t tests/fuzz/regress_$$t -type f 2>/dev/null | sort); \
	  test -n "$$files" || { echo "fuzz-check: no inputs for fuzz_$$t" >&2; exit 1; }; \
	  $(BUILD)/fuzz/fuzz_$$t $$files > $(BUILD)/fuzz/check_$$t.log 2>&1 || \
	    { tail -40 $(BUILD)/fuzz/check_$$t.log; echo "fuzz-check: fuzz_$$t failed (log: $(BUILD)/fuzz/check_$$t.log)" >&2; exit 1; }; \
	  echo "fuzz-check: fuzz_$$t: $$(echo "$$files" | wc -l) inputs, no report"; \
	done

fuzz: deps $(FUZZ_BINS) ## libFuzzer on every parser (.npy, workload, vector manifest, CLI numbers, real-input dirs), FUZZ_SECONDS each (default 600)
	@for t in $(FUZZ_NAMES); do \
	  rm -rf $(BUILD)/fuzz/corpus_$$t && cp -r tests/fuzz/corpus_$$t $(BUILD)/fuzz/corpus_$$t; \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS) s (log: $(BUILD)/fuzz/fuzz_$$t.log)"; \
	  $(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(BUILD)/fuzz/crash_$$t- $(BUILD)/fuzz/corpus_$$t > $(BUILD)/fuzz/fuzz_$$t.log 2>&1; \
	  rc=$$?; grep -E '^(stat::|INFO: Done|==[0-9]+==ERROR|SUMMARY)' $(BUILD)/fuzz/fuzz_$$t.log; \
	  test $$rc -eq 0 || { echo "fuzz: fuzz_$$t failed (status $$rc)" >&2; exit 1; }; \
	done

# The reference model's products (included by the Makefile): libattnkit (static and shared),
# attnkit-bench, and libFuzzer on the parsers.

LIB_SRC   := $(wildcard refmodel/src/*.c)
BENCH_SRC := $(wildcard refmodel/bench/*.c)
HEADERS   := $(wildcard refmodel/include/attnkit/*.h)

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/exp2_table.o
LIBA      := $(BUILD)/lib/libattnkit.a
LIBSO     := $(BUILD)/lib/libattnkit.so
BENCH     := $(BUILD)/bin/attnkit-bench

# The exp2 table is versioned data; C gets it as a generated array (numerics.md section 7).
$(BUILD)/gen/exp2_table.c: refmodel/tables/exp2_frac.hex refmodel/tables/hex_to_c.sh
	@mkdir -p $(@D)
	sh refmodel/tables/hex_to_c.sh $< > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(AK_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c $(HEADERS) $(FLAGS_STAMP) | $(BUILD)/gen/attnkit_desc.h
	@mkdir -p $(@D)
	$(CC) $(AK_CFLAGS) -MMD -MP -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIBSO): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libattnkit.so.$(VERSION) -o $@ $^ $(AK_LIBS)

$(BENCH): $(BENCH_SRC) $(LIBA) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(AK_CFLAGS) -o $@ $(BENCH_SRC) $(LIBA) $(AK_LIBS)

# Header dependencies of the objects (private headers included) as the compiler found them.
-include $(LIB_OBJ:.o=.d)

FUZZ_SECONDS ?= 600
FUZZ_FLAGS := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
              -D_POSIX_C_SOURCE=200809L \
              -Irefmodel/include -I$(BUILD)/gen
FUZZ_NPY_SRC := refmodel/src/npy.c refmodel/src/file_io.c refmodel/src/status.c
FUZZ_WL_SRC  := refmodel/src/workload.c refmodel/src/file_io.c refmodel/src/mask.c refmodel/src/prune.c \
                refmodel/src/fixed.c refmodel/src/rng.c refmodel/src/status.c

fuzz: ## libFuzzer on the .npy reader and the workload parser, FUZZ_SECONDS each (default 600)
	@$(MAKE) --no-print-directory deps APT_PKGS="$(APT_PKGS) clang libclang-rt-14-dev"
	@mkdir -p $(BUILD)/fuzz
	clang $(FUZZ_FLAGS) $(FUZZ_NPY_SRC) tests/fuzz/fuzz_npy.c -o $(BUILD)/fuzz/fuzz_npy
	clang $(FUZZ_FLAGS) $$(pkg-config --cflags libcjson) $(FUZZ_WL_SRC) tests/fuzz/fuzz_workload.c \
	  $$(pkg-config --libs libcjson) -lm -o $(BUILD)/fuzz/fuzz_workload
	@for t in npy workload; do \
	  rm -rf $(BUILD)/fuzz/corpus_$$t && cp -r tests/fuzz/corpus_$$t $(BUILD)/fuzz/corpus_$$t; \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	  $(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(BUILD)/fuzz/crash_$$t- $(BUILD)/fuzz/corpus_$$t 2>&1 | \
	    grep -E '^(stat::|INFO: Done|==[0-9]+==ERROR|SUMMARY)' || exit 1; \
	done


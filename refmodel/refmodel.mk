# The reference model's products (included by the Makefile): libattnkit (static and shared),
# attnkit-bench (its libFuzzer harnesses: tests/fuzz/fuzz.mk).

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

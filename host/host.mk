# The attnkit program (included by the Makefile after refmodel/refmodel.mk): the thin front end
# of host/cli/ over libattnkit and the host library. The host library itself (the driver, its
# backends and ak_run) is built with the simulators it drives: sim/sim.mk, sim/systemc/*.mk,
# which also add their libraries to the program's link.

CLI_SRC   := $(wildcard host/cli/*.c)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
CLI       := $(BUILD)/bin/attnkit

$(CLI): $(CLI_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(CC) -o $@ $(CLI_OBJ) $(LIBA) $(AK_LIBS)

# Header dependencies of the objects as the compiler found them.
-include $(CLI_OBJ:.o=.d)

# The attnkit programs (included by the Makefile after refmodel/refmodel.mk), split git-style:
# - $(CLI), attnkit: the thin front end of host/cli/ over libattnkit alone (estimate, vecgen,
#   accuracy, ...: `make model`, no Verilator, no SystemC). `attnkit sim ...` runs the
#   attnkit-sim beside it with the same arguments (host/cli/main.c).
# - $(SIM_CLI), attnkit-sim: `attnkit sim` (cmd_sim.c, its flag helpers args.c, sim_main.c)
#   over the host library and the simulators (`make sim`). The host library itself (the
#   driver, its backends and ak_run) is built with the simulators it drives: sim/sim.mk,
#   sim/systemc/*.mk, which also add their libraries to this program's link.

SIM_CLI_SRC := host/cli/sim_main.c host/cli/cmd_sim.c host/cli/args.c host/cli/interrupt.c
CLI_SRC   := $(filter-out host/cli/sim_main.c host/cli/cmd_sim.c,$(wildcard host/cli/*.c))
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
SIM_CLI_OBJ := $(SIM_CLI_SRC:%.c=$(BUILD)/obj/%.o)
CLI       := $(BUILD)/bin/attnkit
SIM_CLI   := $(BUILD)/bin/attnkit-sim

$(CLI): $(CLI_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(CC) -o $@ $(CLI_OBJ) $(LIBA) $(AK_LIBS)

$(SIM_CLI): $(SIM_CLI_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(CC) -o $@ $(SIM_CLI_OBJ) $(LIBA) $(AK_LIBS)

# Header dependencies of the objects as the compiler found them.
-include $(CLI_OBJ:.o=.d) $(BUILD)/obj/host/cli/sim_main.d $(BUILD)/obj/host/cli/cmd_sim.d

/* attnkit-sim: the program behind `attnkit sim` (cmd_sim.c). It is separate from attnkit
 * because it links the Verilated RTL and SystemC: attnkit runs the attnkit-sim in its own
 * directory with the same arguments (main.c), so estimating and generating vectors never need
 * the simulator built (`make model`; this program is `make sim`). Run on its own,
 * `attnkit-sim FLAGS` is `attnkit sim FLAGS`. */
#include "cli.h"

int main(int argc, char **argv)
{
    return ak_cmd_sim(argc, argv);
}

/* The workload-shape flags shared by subcommands (--n --d --heads --block --pattern --density
 * --seed): their getopt table entries, defaults, validation and the mask they describe. */
#ifndef ATTNKIT_SHAPE_OPTS_H
#define ATTNKIT_SHAPE_OPTS_H

#include <getopt.h>
#include <stdint.h>

#include "attnkit/mask.h"

typedef struct {
    uint32_t n, d, heads, block;
    ak_pattern_kind pattern;
    double density;
    int density_set;
    uint64_t seed;
} ak_shape_opts;

/* Option codes (returned by getopt_long) of the shared flags. */
enum { OPT_N = 1000, OPT_D, OPT_HEADS, OPT_BLOCK, OPT_PATTERN, OPT_DENSITY, OPT_SEED };

#define AK_SHAPE_LONGOPTS                                                                      \
    {"n", required_argument, NULL, OPT_N}, {"d", required_argument, NULL, OPT_D},              \
        {"heads", required_argument, NULL, OPT_HEADS},                                         \
        {"block", required_argument, NULL, OPT_BLOCK},                                         \
        {"pattern", required_argument, NULL, OPT_PATTERN},                                     \
        {"density", required_argument, NULL, OPT_DENSITY},                                     \
        {"seed", required_argument, NULL, OPT_SEED}

#define AK_SHAPE_HELP                                                                          \
    "  --n N          tokens, 1..65536 (default 197)\n"                                        \
    "  --d D          head dim: 32, 64 or 128 (default 64)\n"                                  \
    "  --heads H      heads, 1..64 (default 2)\n"                                              \
    "  --block B      mask block size: 16, 32, 64 or 128 (default 64)\n"                       \
    "  --pattern P    dense, causal, window, sinks, strided, random, topk (default dense)\n"   \
    "  --density X    fraction of active blocks in (0, 1] for window, sinks, strided,\n"       \
    "                 random and topk (default 0.25); see docs/masks.md\n"                     \
    "  --seed S       seed of every random choice (default 1)\n"

void ak_shape_defaults(ak_shape_opts *o);

/* Handles one shared option; returns 0, or AK_EXIT_USAGE after printing the error. */
int ak_shape_option(const char *cmd, int code, const char *arg, ak_shape_opts *o);

/* Cross-flag checks after parsing (e.g. --density on a pattern without one). */
int ak_shape_finish(const char *cmd, ak_shape_opts *o);

/* Builds the mask the options describe (q and k needed for topk). Returns 0, or prints the
 * library's reason and returns AK_EXIT_USAGE. */
int ak_shape_mask(const char *cmd, const ak_shape_opts *o, const int8_t *q, const int8_t *k,
                  ak_mask *mask);

#endif

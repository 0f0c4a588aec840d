/* The workload-shape flags shared by subcommands (--n --d --heads --block --pattern --density
 * --causal --seed): their getopt table entries, defaults, validation and the mask they
 * describe. */
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
    int causal; /* --causal: AK_CAUSAL_ON/OFF, or AK_CAUSAL_DEFAULT (the pattern's own) */
    uint64_t seed;
    int json; /* --json: machine-readable output */
} ak_shape_opts;

/* Option codes below this are free for a subcommand's own flags. */
#define AK_SHAPE_FIRST_CODE 1000

#define AK_SHAPE_HELP                                                                          \
    "  --n N          tokens, 1..65536 (default 197)\n"                                        \
    "  --d D          head dim: 32, 64 or 128 (default 64)\n"                                  \
    "  --heads H      heads, 1..64 (default 2)\n"                                              \
    "  --block B      mask block size: 16, 32, 64 or 128 (default 64)\n"                       \
    "  --pattern P    dense, causal, window, sinks, strided, random, topk (default dense)\n"   \
    "  --density X    fraction of active blocks in (0, 1] for window, sinks, strided,\n"       \
    "                 random and topk (default 0.25); see docs/masks.md\n"                     \
    "  --causal C     yes or no: only key blocks up to the diagonal, token-causal (default\n"   \
    "                 yes for causal and sinks, no for the others; sinks with no: the first\n" \
    "                 block's queries and keys are global, as an encoder's)\n"                 \
    "  --seed S       seed of every random choice (default 1)\n"                               \
    "  --json         machine-readable output (JSON on stdout)\n"                              \
    "  -h, --help     this text\n"

/* A subcommand's own flags: handle(code, optarg, ctx) returns 0 to go on, AK_SHAPE_STOP to
 * stop with exit status 0 (e.g. after printing --help), or an exit code. */
#define AK_SHAPE_STOP (-1)
typedef int (*ak_flag_handler)(int code, const char *arg, void *ctx);

/* Parses argv: the shared flags into *o (after setting the defaults; --help calls help() and
 * returns AK_SHAPE_STOP), the `n_extra` options of `extra` through handle(), then rejects positional arguments and cross-flag conflicts (e.g.
 * --density on a pattern without one). Returns 0, AK_SHAPE_STOP, or an exit code after
 * printing the error. */
int ak_shape_parse(const char *cmd, int argc, char **argv, const struct option *extra,
                   unsigned n_extra, ak_flag_handler handle, void *ctx, void (*help)(void),
                   ak_shape_opts *o);

/* Builds the mask the options describe (q and k needed for topk). Returns 0, or prints the
 * library's reason and returns AK_EXIT_USAGE. */
int ak_shape_mask(const char *cmd, const ak_shape_opts *o, const int8_t *q, const int8_t *k,
                  ak_mask *mask);

#endif

/* Shared workload-shape flags (shape_opts.h). */
#include "shape_opts.h"

#include <stdio.h>
#include <string.h>

#include "attnkit/numerics.h"
#include "cli.h"

#define DEFAULT_DENSITY 0.25

enum {
    OPT_N = AK_SHAPE_FIRST_CODE,
    OPT_D,
    OPT_HEADS,
    OPT_BLOCK,
    OPT_PATTERN,
    OPT_DENSITY,
    OPT_CAUSAL,
    OPT_SEED,
    OPT_JSON,
    OPT_HELP
};

static const struct option shape_longopts[] = {
    {"n", required_argument, NULL, OPT_N},
    {"d", required_argument, NULL, OPT_D},
    {"heads", required_argument, NULL, OPT_HEADS},
    {"block", required_argument, NULL, OPT_BLOCK},
    {"pattern", required_argument, NULL, OPT_PATTERN},
    {"density", required_argument, NULL, OPT_DENSITY},
    {"causal", required_argument, NULL, OPT_CAUSAL},
    {"seed", required_argument, NULL, OPT_SEED},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
};
#define N_SHAPE (sizeof shape_longopts / sizeof shape_longopts[0])
#define MAX_EXTRA 16

static void shape_defaults(ak_shape_opts *o)
{
    memset(o, 0, sizeof *o);
    o->n = 197;
    o->d = 64;
    o->heads = 2;
    o->block = 64;
    o->pattern = AK_PATTERN_DENSE;
    o->density = DEFAULT_DENSITY;
    o->seed = 1;
}

static int shape_option(const char *cmd, int code, const char *arg, ak_shape_opts *o)
{
    switch (code) {
    case OPT_N:
        return ak_cli_u32(cmd, "--n", arg, 1, AK_MAX_TOKENS, &o->n);
    case OPT_D:
        if (strcmp(arg, "32") && strcmp(arg, "64") && strcmp(arg, "128"))
            return ak_cli_usage_error(cmd, "--d: head dim must be 32, 64 or 128, got '%s'", arg);
        return ak_cli_u32(cmd, "--d", arg, 32, 128, &o->d);
    case OPT_HEADS:
        return ak_cli_u32(cmd, "--heads", arg, 1, 64, &o->heads);
    case OPT_BLOCK:
        if (strcmp(arg, "16") && strcmp(arg, "32") && strcmp(arg, "64") && strcmp(arg, "128"))
            return ak_cli_usage_error(cmd,
                                      "--block: must be 16, 32, 64 or 128 (a power of two and "
                                      "a multiple of the %d-key tile), got '%s'",
                                      AK_KEY_TILE, arg);
        return ak_cli_u32(cmd, "--block", arg, 16, 128, &o->block);
    case OPT_PATTERN:
        if (ak_pattern_from_name(arg, &o->pattern) != AK_OK)
            return ak_cli_usage_error(cmd,
                                      "--pattern: expected dense, causal, window, sinks, "
                                      "strided, random or topk, got '%s'",
                                      arg);
        return 0;
    case OPT_DENSITY:
        o->density_set = 1;
        return ak_cli_double(cmd, "--density", arg, 0.0, 1.0, &o->density);
    case OPT_CAUSAL:
        if (!strcmp(arg, "yes") || !strcmp(arg, "no")) {
            o->causal = arg[0] == 'y' ? AK_CAUSAL_ON : AK_CAUSAL_OFF;
            return 0;
        }
        return ak_cli_usage_error(cmd, "--causal: expected yes or no, got '%s'", arg);
    case OPT_SEED:
        return ak_cli_u64(cmd, "--seed", arg, &o->seed);
    case OPT_JSON:
        o->json = 1;
        return 0;
    }
    return ak_cli_usage_error(cmd, "internal: unhandled option %d", code);
}

static int shape_finish(const char *cmd, const ak_shape_opts *o)
{
    if (o->density_set && (o->pattern == AK_PATTERN_DENSE || o->pattern == AK_PATTERN_CAUSAL))
        return ak_cli_usage_error(cmd,
                                  "--density: pattern '%s' has no density; use it with window, "
                                  "sinks, strided, random or topk",
                                  ak_pattern_name(o->pattern));
    if (o->pattern == AK_PATTERN_CAUSAL && o->causal == AK_CAUSAL_OFF)
        return ak_cli_usage_error(cmd,
                                  "--causal: pattern 'causal' is always causal (non-causal: "
                                  "dense, or window or sinks with --causal no)");
    return 0;
}

int ak_shape_parse(const char *cmd, int argc, char **argv, const struct option *extra,
                   unsigned n_extra, ak_flag_handler handle, void *ctx, void (*help)(void),
                   ak_shape_opts *o)
{
    struct option all[N_SHAPE + MAX_EXTRA + 1];
    if (n_extra > MAX_EXTRA)
        return ak_cli_usage_error(cmd, "internal: too many flags");
    memcpy(all, shape_longopts, sizeof shape_longopts);
    memcpy(all + N_SHAPE, extra, n_extra * sizeof *extra);
    memset(&all[N_SHAPE + n_extra], 0, sizeof all[0]);
    shape_defaults(o);
    opterr = 0; /* our messages name the flag and the allowed values */
    optind = 1;
    int c, rc;
    while ((c = getopt_long(argc, argv, ":h", all, NULL)) != -1) { /* -h: --help */
        if (c == '?' || c == ':')
            return ak_cli_getopt_error(cmd, c, argv);
        if (c == OPT_HELP || c == 'h') {
            help();
            return AK_SHAPE_STOP;
        }
        rc = c >= AK_SHAPE_FIRST_CODE ? shape_option(cmd, c, optarg, o) : handle(c, optarg, ctx);
        if (rc)
            return rc;
    }
    if (optind < argc)
        return ak_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    return shape_finish(cmd, o);
}

int ak_shape_mask(const char *cmd, const ak_shape_opts *o, const int8_t *q, const int8_t *k,
                  ak_mask *mask)
{
    ak_pattern p = {.kind = o->pattern, .causal = o->causal, .seed = o->seed};
    uint32_t k_blocks = (o->n + o->block - 1) / o->block;
    const char *why = NULL;
    if (ak_pattern_fit_density(&p, o->density, k_blocks) != AK_OK)
        return ak_cli_usage_error(cmd, "--density: must be in (0, 1], got %g", o->density);
    ak_status st = ak_mask_build(&p, o->n, o->n, o->block, o->heads, q, k, o->d, mask, &why);
    if (st == AK_EINVAL)
        return ak_cli_usage_error(cmd, "mask: %s", why ? why : ak_strerror(st));
    if (st != AK_OK) {
        fprintf(stderr, "attnkit %s: building the mask failed: %s\n", cmd, ak_strerror(st));
        return AK_EXIT_FAIL;
    }
    return 0;
}

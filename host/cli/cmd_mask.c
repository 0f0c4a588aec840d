/* `attnkit mask`: builds the block mask a pattern describes and shows it: a bitmap for humans
 * or the kv-block index lists as JSON. topk masks are built from seeded gauss1 inputs. */
#include <cJSON.h>
#include <stdio.h>

#include "attnkit/attnkit.h"
#include "cli.h"
#include "shape_opts.h"

static const char *const CMD = "mask";

static void help(void)
{
    printf("usage: attnkit mask [flags]\n\n"
           "Builds the block mask of --pattern for an N x N attention and prints its bitmap\n"
           "('#' active block, '.' masked; wide grids downsampled, '+' = partly active).\n"
           "topk masks are chosen from pooled Q.K of seeded gauss1 inputs (--seed).\n\n"
           "flags:\n" AK_SHAPE_HELP
           "  --head H       which head to print (topk masks differ per head) (default 0)\n"
           "  --cols C       widest bitmap before downsampling, 8..1024 (default 64)\n"
           "  (--json prints the kv-block index lists)\n\n"
           "exit status: 0 ok, 1 run failed, 2 bad flag\n");
}

static int print_json(const ak_mask *m)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "nq", m->nq);
    cJSON_AddNumberToObject(j, "nk", m->nk);
    cJSON_AddNumberToObject(j, "block", m->block);
    cJSON_AddBoolToObject(j, "token_causal", m->token_causal);
    cJSON_AddNumberToObject(j, "density", ak_mask_density(m));
    cJSON_AddItemToObject(j, "kv_indices", ak_mask_lists_json(m)); /* [head][qb][...] */
    return ak_cli_emit_json(j, 0);
}

typedef struct {
    uint32_t head, cols;
} mask_opts;

static int on_flag(int code, const char *arg, void *ctx)
{
    mask_opts *o = ctx;
    switch (code) {
    case 'H':
        return ak_cli_u32(CMD, "--head", arg, 0, 63, &o->head);
    case 'c':
        return ak_cli_u32(CMD, "--cols", arg, 8, 1024, &o->cols);
    }
    return ak_cli_usage_error(CMD, "internal: unhandled flag %d", code);
}

int ak_cmd_mask(int argc, char **argv)
{
    static const struct option flags[] = {
        {"head", required_argument, NULL, 'H'},
        {"cols", required_argument, NULL, 'c'},
    };
    ak_shape_opts s;
    mask_opts o = {.head = 0, .cols = 64};
    int rc = ak_shape_parse(CMD, argc, argv, flags, sizeof flags / sizeof flags[0], on_flag, &o,
                            help, &s);
    if (rc)
        return rc == AK_SHAPE_STOP ? AK_EXIT_OK : rc;
    if (o.head >= s.heads)
        return ak_cli_usage_error(CMD, "--head: must be below --heads (%u), got %u", s.heads,
                                  o.head);

    ak_inputs in = {0};
    ak_status st;
    if (s.pattern == AK_PATTERN_TOPK &&
        (st = ak_inputs_generate(AK_LOGITS_GAUSS1, s.heads, s.n, s.n, s.d, s.seed, &in))) {
        fprintf(stderr, "attnkit mask: generating inputs: %s\n", ak_strerror(st));
        return AK_EXIT_FAIL;
    }
    ak_mask m = {0};
    rc = ak_shape_mask(CMD, &s, in.q, in.k, &m);
    if (rc == 0) {
        if (s.json)
            rc = print_json(&m);
        else
            ak_mask_print(stdout, &m, o.head, o.cols);
    }
    ak_mask_free(&m);
    ak_inputs_free(&in);
    return rc;
}

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
           "  --json         print the kv-block index lists as JSON instead\n"
           "  --help         this text\n\n"
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
    cJSON *heads = cJSON_AddArrayToObject(j, "kv_indices"); /* [head][query block][...] */
    for (uint32_t h = 0; heads && h < m->heads; h++) {
        cJSON *rows = cJSON_CreateArray();
        cJSON_AddItemToArray(heads, rows);
        for (uint32_t qb = 0; qb < m->q_blocks; qb++) {
            uint32_t count;
            const uint32_t *list = ak_mask_list(m, h, qb, &count);
            cJSON *row = cJSON_CreateArray();
            for (uint32_t b = 0; b < count; b++)
                cJSON_AddItemToArray(row, cJSON_CreateNumber(list[b]));
            cJSON_AddItemToArray(rows, row);
        }
    }
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!text)
        return AK_EXIT_FAIL;
    puts(text);
    cJSON_free(text);
    return AK_EXIT_OK;
}

int ak_cmd_mask(int argc, char **argv)
{
    enum { OPT_HEAD = 2000, OPT_COLS, OPT_JSON, OPT_HELP };
    static const struct option longopts[] = {
        AK_SHAPE_LONGOPTS,
        {"head", required_argument, NULL, OPT_HEAD},
        {"cols", required_argument, NULL, OPT_COLS},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    ak_shape_opts s;
    uint32_t head = 0, cols = 64;
    int json = 0, c, rc;
    ak_shape_defaults(&s);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_HEAD:
            if ((rc = ak_cli_u32(CMD, "--head", optarg, 0, 63, &head)))
                return rc;
            break;
        case OPT_COLS:
            if ((rc = ak_cli_u32(CMD, "--cols", optarg, 8, 1024, &cols)))
                return rc;
            break;
        case OPT_JSON:
            json = 1;
            break;
        case OPT_HELP:
            help();
            return AK_EXIT_OK;
        case '?':
        case ':':
            return ak_cli_getopt_error(CMD, c, argv);
        default:
            if ((rc = ak_shape_option(CMD, c, optarg, &s)))
                return rc;
        }
    }
    if (optind < argc)
        return ak_cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    if ((rc = ak_shape_finish(CMD, &s)))
        return rc;
    if (head >= s.heads)
        return ak_cli_usage_error(CMD, "--head: must be below --heads (%u), got %u", s.heads, head);

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
        if (json)
            rc = print_json(&m);
        else
            ak_mask_print(stdout, &m, head, cols);
    }
    ak_mask_free(&m);
    ak_inputs_free(&in);
    return rc;
}

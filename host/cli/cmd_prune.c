/* `attnkit prune`: EViT token pruning on seeded inputs: the CLS row's 16-bit probabilities
 * (numerics.md 11.1) choose the kept tokens (11.2); the same choice is made from float64
 * probabilities of the same int8 inputs, and the two sets are compared (overlap, and whether
 * every difference is a near-tie within the 16-bit resolution). */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnkit/attnkit.h"
#include "cli.h"
#include "shape_opts.h"

static const char *const CMD = "prune";

static void help(void)
{
    printf("usage: attnkit prune [flags]\n\n"
           "Runs one attention layer on seeded inputs, scores every token by the CLS row's\n"
           "16-bit probabilities summed over heads, keeps CLS + ceil(keep x (N-1)) tokens (ties\n"
           "to the lower index), and compares the kept set with the one float64 probabilities\n"
           "of the same int8 inputs give.\n\n"
           "flags:\n" AK_SHAPE_HELP
           "  --keep R       keep rate in (0, 1] (default 0.7)\n"
           "  --logits L     gauss1, gauss3, peaky or extreme (default gauss1)\n"
           "  --list         also print the kept token indices\n\n"
           "exit status: 0 ok, 1 run failed, 2 bad flag\n");
}

typedef struct {
    double keep;
    ak_logit_dist logits;
    int list;
} prune_opts;

static int on_flag(int code, const char *arg, void *ctx)
{
    prune_opts *o = ctx;
    switch (code) {
    case 'k':
        return ak_cli_double(CMD, "--keep", arg, 0.0, 1.0, &o->keep);
    case 'l':
        if (ak_logit_dist_from_name(arg, &o->logits) != AK_OK)
            return ak_cli_usage_error(CMD, "--logits: expected gauss1, gauss3, peaky or extreme, got '%s'",
                                      arg);
        return 0;
    case 'L':
        o->list = 1;
        return 0;
    }
    return ak_cli_usage_error(CMD, "internal: unhandled flag %d", code);
}

typedef struct {
    double score;
    uint32_t j;
} scored;

/* Higher score first; equal scores: the lower index first. */
static int by_score(const void *pa, const void *pb)
{
    const scored *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return (a->j > b->j) - (a->j < b->j);
}

/* Float64 counterpart of ak_prune_tokens' selection: in_flt[j] for the k best float scores of
 * tokens 1..n-1 (ties to the lower index). A sort, not k scans of all N (those took ~10 s at
 * N = 65536). AK_ENOMEM if the sort's array cannot be allocated. */
static ak_status float_topk(const double *score, uint32_t n, uint32_t k, uint8_t *in_flt)
{
    memset(in_flt, 0, n);
    if (n < 2)
        return AK_OK;
    scored *t = malloc(sizeof *t * (n - 1));
    if (!t)
        return AK_ENOMEM;
    for (uint32_t j = 1; j < n; j++)
        t[j - 1] = (scored){score[j], j};
    qsort(t, n - 1, sizeof *t, by_score);
    for (uint32_t x = 0; x < k && x < n - 1; x++)
        in_flt[t[x].j] = 1;
    free(t);
    return AK_OK;
}

int ak_cmd_prune(int argc, char **argv)
{
    static const struct option flags[] = {
        {"keep", required_argument, NULL, 'k'},
        {"logits", required_argument, NULL, 'l'},
        {"list", no_argument, NULL, 'L'},
    };
    ak_shape_opts s;
    prune_opts o = {.keep = 0.7, .logits = AK_LOGITS_GAUSS1};
    int rc = ak_shape_parse(CMD, argc, argv, flags, sizeof flags / sizeof flags[0], on_flag, &o,
                            help, &s);
    if (rc)
        return rc == AK_SHAPE_STOP ? AK_EXIT_OK : rc;
    uint32_t ppm;
    if (ak_keep_rate_ppm(o.keep, &ppm) != AK_OK)
        return ak_cli_usage_error(CMD, "--keep: %g rounds to 0 parts per million", o.keep);

    ak_inputs in;
    ak_status st = ak_inputs_generate(o.logits, s.heads, s.n, s.n, s.d, s.seed, &in);
    if (st != AK_OK) {
        fprintf(stderr, "attnkit prune: generating inputs: %s\n", ak_strerror(st));
        return AK_EXIT_FAIL;
    }
    ak_mask mask = {0};
    if ((rc = ak_shape_mask(CMD, &s, in.q, in.k, &mask))) {
        ak_inputs_free(&in);
        return rc;
    }
    ak_head_quant *quant = calloc(s.heads, sizeof *quant);
    uint16_t *p16 = malloc(sizeof *p16 * s.heads * s.n);
    double *pf = malloc(sizeof *pf * s.heads * s.n), *sf = calloc(s.n, sizeof *sf);
    uint8_t *in_flt = malloc(s.n);
    ak_prune_result r = {0};
    ak_attn_job job = {.heads = s.heads, .nq = s.n, .nk = s.n, .d = s.d, .q = in.q, .k = in.k,
                       .v = in.v, .quant = quant, .mask = &mask};
    st = (quant && p16 && pf && sf && in_flt) ? AK_OK : AK_ENOMEM;
    for (uint32_t h = 0; st == AK_OK && h < s.heads; h++)
        st = ak_head_quant_from_scales(&in.scales[h], s.d, &quant[h]);
    if (st == AK_OK)
        st = ak_attention_probs(&job, 0, 1, p16);
    if (st == AK_OK)
        st = ak_attention_probs_f64(&job, in.scales, 0, 1, pf);
    if (st == AK_OK)
        st = ak_prune_tokens(p16, s.heads, s.n, ppm, &r);
    if (st == AK_OK) {
        for (uint32_t h = 0; h < s.heads; h++)
            for (uint32_t j = 1; j < s.n; j++)
                sf[j] += pf[(uint64_t)h * s.n + j];
        st = float_topk(sf, s.n, r.n_kept - 1, in_flt);
    }
    if (st != AK_OK) {
        fprintf(stderr, "attnkit prune: %s\n", ak_strerror(st));
        rc = AK_EXIT_FAIL;
    } else {
        double cut = INFINITY; /* float score of the weakest float-kept token */
        for (uint32_t j = 1; j < s.n; j++)
            if (in_flt[j] && sf[j] < cut)
                cut = sf[j];
        uint32_t common = 0, differ = 0, near_ties = 0, at = 1;
        const double tie = s.heads / 65536.0; /* the summed scores' resolution */
        for (uint32_t j = 1; j < s.n; j++) {
            int kept = at < r.n_kept && r.kept[at] == j;
            at += kept;
            common += kept && in_flt[j];
            if (kept != in_flt[j]) {
                differ++;
                near_ties += fabs(sf[j] - cut) <= tie;
            }
        }
        const uint32_t k = r.n_kept - 1;
        const double overlap = k ? (double)common / k : 1.0;
        if (s.json) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddNumberToObject(j, "n", s.n);
            cJSON_AddNumberToObject(j, "heads", s.heads);
            cJSON_AddStringToObject(j, "logits", ak_logit_dist_name(o.logits));
            cJSON_AddNumberToObject(j, "keep_ppm", ppm);
            cJSON_AddNumberToObject(j, "kept", r.n_kept);
            cJSON_AddNumberToObject(j, "overlap_with_float64", overlap);
            cJSON_AddNumberToObject(j, "differing_tokens", differ);
            cJSON_AddNumberToObject(j, "near_ties", near_ties);
            if (o.list) {
                cJSON *kept = cJSON_AddArrayToObject(j, "kept_indices");
                for (uint32_t x = 0; x < r.n_kept; x++)
                    cJSON_AddItemToArray(kept, cJSON_CreateNumber(r.kept[x]));
            }
            rc = ak_cli_emit_json(j, 1);
        } else {
            printf("attnkit prune: N=%u heads=%u d=%u logits=%s keep=%u ppm seed=%llu\n", s.n,
                   s.heads, s.d, ak_logit_dist_name(o.logits), ppm, (unsigned long long)s.seed);
            printf("  kept             CLS + %u of %u tokens\n", k, s.n - 1);
            printf("  vs float64 top-k overlap %.4f (%u of %u); %u tokens differ, %u of them "
                   "near-ties (|score - cut| <= %u/65536)\n",
                   overlap, common, k, differ, near_ties, s.heads);
            if (o.list) {
                printf("  kept indices    ");
                for (uint32_t x = 0; x < r.n_kept; x++)
                    printf(" %u", r.kept[x]);
                printf("\n");
            }
        }
    }
    ak_prune_result_free(&r);
    free(quant);
    free(p16);
    free(pf);
    free(sf);
    free(in_flt);
    ak_mask_free(&mask);
    ak_inputs_free(&in);
    return rc;
}

/* `attnkit accuracy`: runs the fixed-point model and the float64 reference on the same seeded
 * int8 inputs and reports SQNR of the pre-requantisation output, int8 error in LSBs and the
 * agreement with the correctly rounded float64 result. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnkit/attnkit.h"
#include "cli.h"
#include "progress.h"
#include "shape_opts.h"

static const char *const CMD = "accuracy";

static void help(void)
{
    printf("usage: attnkit accuracy [flags]\n\n"
           "Generates seeded int8 Q, K, V whose logits follow --logits, runs the fixed-point\n"
           "model (docs/numerics.md) and a float64 reference on the same inputs, and reports\n"
           "the SQNR of the output before requantisation, the int8 output error in LSBs, and\n"
           "the fraction of int8 outputs equal to the correctly rounded float64 result. The\n"
           "output scale is calibrated per head from the float64 output (max |o| / 127).\n"
           "Real tensors: attnkit accuracy --npy-dir DIR --help (the error budget per layer).\n\n"
           "flags:\n" AK_SHAPE_HELP
           "  --logits L     gauss1 (N(0,1)), gauss3 (N(0,9)), peaky (gauss1 + a first-token\n"
           "                 sink ~8 nats up) or extreme (all inputs -128/127) (default gauss1)\n"
           "  --threads T    worker threads, 0 = one per CPU (default 0); results never depend\n"
           "                 on it\n"
           "\n"
           "exit status: 0 ok, 1 run failed, 2 bad flag\n");
}

typedef struct {
    ak_shape_opts shape;
    ak_logit_dist logits;
    uint32_t threads;
} accuracy_opts;

static int on_flag(int code, const char *arg, void *ctx)
{
    accuracy_opts *o = ctx;
    switch (code) {
    case 'l':
        if (ak_logit_dist_from_name(arg, &o->logits) != AK_OK)
            return ak_cli_usage_error(CMD, "--logits: expected gauss1, gauss3, peaky or extreme, got '%s'",
                                      arg);
        return 0;
    case 't':
        return ak_cli_u32(CMD, "--threads", arg, 0, 256, &o->threads);
    }
    return ak_cli_usage_error(CMD, "internal: unhandled flag %d", code);
}

static int parse(int argc, char **argv, accuracy_opts *o)
{
    static const struct option flags[] = {
        {"logits", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'},
    };
    o->logits = AK_LOGITS_GAUSS1;
    o->threads = 0;
    return ak_shape_parse(CMD, argc, argv, flags, sizeof flags / sizeof flags[0], on_flag, o,
                          help, &o->shape);
}

static void print_text(const accuracy_opts *o, const ak_mask *mask, const ak_accuracy *a)
{
    const ak_shape_opts *s = &o->shape;
    printf("attnkit accuracy: N=%u d=%u heads=%u pattern=%s block=%u logits=%s seed=%llu\n",
           s->n, s->d, s->heads, ak_pattern_name(s->pattern), s->block,
           ak_logit_dist_name(o->logits), (unsigned long long)s->seed);
    printf("  active blocks       %llu of %llu (density %.4f)\n",
           (unsigned long long)ak_mask_active_blocks(mask),
           (unsigned long long)mask->heads * mask->q_blocks * mask->k_blocks,
           ak_mask_density(mask));
    printf("  SQNR pre-requant    %.2f dB (vs float64 on the same int8 inputs)\n", a->sqnr_db);
    printf("  int8 output error   max %.3f LSB, mean %.3f LSB\n", a->max_err_lsb,
           a->mean_err_lsb);
    printf("  vs rounded float64  %.4f%% exact, max difference %d LSB (%llu outputs)\n",
           100.0 * a->exact_fraction, a->max_rounded_diff, (unsigned long long)a->count);
}

static int print_json(const accuracy_opts *o, const ak_mask *mask, const ak_accuracy *a)
{
    const ak_shape_opts *s = &o->shape;
    cJSON *j = cJSON_CreateObject();
    cJSON *cfg = cJSON_AddObjectToObject(j, "config");
    cJSON *res = cJSON_AddObjectToObject(j, "result");
    if (!cfg || !res) {
        cJSON_Delete(j);
        return AK_EXIT_FAIL;
    }
    cJSON_AddStringToObject(j, "command", "accuracy");
    cJSON_AddStringToObject(j, "version", AK_VERSION);
    cJSON_AddNumberToObject(j, "numerics_version", AK_NUMERICS_VERSION);
    cJSON_AddNumberToObject(cfg, "n", s->n);
    cJSON_AddNumberToObject(cfg, "d", s->d);
    cJSON_AddNumberToObject(cfg, "heads", s->heads);
    cJSON_AddNumberToObject(cfg, "block", s->block);
    cJSON_AddStringToObject(cfg, "pattern", ak_pattern_name(s->pattern));
    cJSON_AddStringToObject(cfg, "logits", ak_logit_dist_name(o->logits));
    char seed[24];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)s->seed); /* exact beyond 2^53 */
    cJSON_AddStringToObject(cfg, "seed", seed);
    cJSON_AddNumberToObject(res, "active_blocks", (double)ak_mask_active_blocks(mask));
    cJSON_AddNumberToObject(res, "density", ak_mask_density(mask));
    cJSON_AddNumberToObject(res, "sqnr_db", a->sqnr_db);
    cJSON_AddNumberToObject(res, "max_err_lsb", a->max_err_lsb);
    cJSON_AddNumberToObject(res, "mean_err_lsb", a->mean_err_lsb);
    cJSON_AddNumberToObject(res, "exact_fraction", a->exact_fraction);
    cJSON_AddNumberToObject(res, "max_rounded_diff_lsb", a->max_rounded_diff);
    cJSON_AddNumberToObject(res, "outputs", (double)a->count);
    return ak_cli_emit_json(j, 1);
}

static int fail(const char *what, ak_status st)
{
    fprintf(stderr, "attnkit accuracy: %s: %s\n", what, ak_strerror(st));
    return AK_EXIT_FAIL;
}

int ak_cmd_accuracy(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) /* real tensors: cmd_accuracy_real.c */
        if (!strcmp(argv[i], "--npy-dir") || !strncmp(argv[i], "--npy-dir=", 10))
            return ak_cmd_accuracy_real(argc, argv);
    accuracy_opts o;
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc == AK_SHAPE_STOP ? AK_EXIT_OK : rc;
    const ak_shape_opts *s = &o.shape;

    ak_inputs in;
    ak_status st = ak_inputs_generate(o.logits, s->heads, s->n, s->n, s->d, s->seed, &in);
    if (st != AK_OK)
        return fail("generating inputs", st);
    ak_mask mask = {0};
    if ((rc = ak_shape_mask(CMD, s, in.q, in.k, &mask))) {
        ak_inputs_free(&in);
        return rc;
    }
    const uint64_t outs = (uint64_t)s->heads * s->n * s->d;
    double *ref = malloc(sizeof *ref * outs);
    int32_t *out_fx = malloc(sizeof *out_fx * outs);
    int8_t *out = malloc(outs);
    ak_head_quant *quant = calloc(s->heads, sizeof *quant);
    ak_attn_job job = {.heads = s->heads, .nq = s->n, .nk = s->n, .d = s->d,
                       .q = in.q, .k = in.k, .v = in.v, .quant = quant, .mask = &mask};
    ak_accuracy acc;
    rc = AK_EXIT_OK;
    if (!ref || !out_fx || !out || !quant)
        rc = fail("allocating outputs", AK_ENOMEM);
    /* A head at a time (every step is per head, so the results are those of one run over all
     * heads), for the progress line: 64 heads of 65536 tokens take tens of seconds. */
    const uint64_t per_head = (uint64_t)s->n * s->d;
    ak_progress *prog = rc == AK_EXIT_OK ? ak_progress_start("accuracy: head", s->heads) : NULL;
    for (uint32_t h = 0; rc == AK_EXIT_OK && h < s->heads; h++) {
        ak_mask mh = mask; /* head h's lists: kv_off holds absolute positions in kv_idx */
        if (mask.heads > 1) {
            mh.heads = 1;
            mh.kv_off = mask.kv_off + (uint64_t)h * mask.q_blocks;
        }
        ak_attn_job jh = {.heads = 1, .nq = s->n, .nk = s->n, .d = s->d,
                          .q = in.q + h * per_head, .k = in.k + h * per_head,
                          .v = in.v + h * per_head, .quant = &quant[h], .mask = &mh};
        double *ref_h = ref + h * per_head;
        /* The float64 output does not depend on s_o; calibrate s_o from it, then derive the
         * integer multipliers the datapath uses. */
        if ((st = ak_head_quant_from_scales(&in.scales[h], s->d, &quant[h])) != AK_OK)
            rc = fail("deriving multipliers", st);
        else if ((st = ak_attention_f64(&jh, &in.scales[h], ref_h)) != AK_OK)
            rc = fail("float64 reference", st);
        if (rc != AK_EXIT_OK)
            break;
        ak_calibrate_output_scales(&jh, ref_h, &in.scales[h]);
        if ((st = ak_head_quant_from_scales(&in.scales[h], s->d, &quant[h])) != AK_OK)
            rc = fail("deriving multipliers", st);
        else if ((st = ak_attention(&jh, out + h * per_head, out_fx + h * per_head,
                                    o.threads)) != AK_OK)
            rc = fail("fixed-point model", st);
        ak_progress_update(prog, h + 1);
    }
    ak_progress_end(prog);
    if (rc == AK_EXIT_OK && (st = ak_accuracy_measure(&job, in.scales, ref, out_fx, out, &acc)))
        rc = fail("measuring", st);
    if (rc == AK_EXIT_OK) {
        if (s->json)
            rc = print_json(&o, &mask, &acc);
        else
            print_text(&o, &mask, &acc);
    }
    free(ref);
    free(out_fx);
    free(out);
    free(quant);
    ak_mask_free(&mask);
    ak_inputs_free(&in);
    return rc;
}

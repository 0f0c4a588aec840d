/* `attnkit accuracy --npy-dir DIR`: the error budget of every layer of real float tensors
 * (error_budget.h): the accelerator's int8 output against float64 dense attention on the
 * original floats, decomposed into input quantisation, fixed-point numerics, output
 * quantisation and the mask (with the attention mass it keeps), saturation counts, and for
 * pruning layers the kept-set agreement with a float64 top-k. Masks, pruning and quantisation
 * come from --workload (or dense, block 64). */
#include <cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attnkit/attnkit.h"
#include "cli.h"
#include "progress.h"

static const char *const CMD = "accuracy";
#define STOP (-1) /* parse: --help printed, exit 0 */

static void help(void)
{
    printf("usage: attnkit accuracy --npy-dir DIR [--workload FILE] [flags]\n\n"
           "The error budget of real attention tensors, layer by layer and head by head: the\n"
           "int8 output of the fixed-point model against float64 dense attention on the\n"
           "original float inputs, and what each step costs (SQNR in dB, higher is better):\n"
           "  in-quant   float64 on the int8 inputs vs on the floats (input quantiser)\n"
           "  fixed-pt   the model's o_fx vs float64 on the int8 inputs, same mask\n"
           "  out-quant  the int8 output vs o_fx (the output scale)\n"
           "  mask       float64 with the layer's block mask vs dense; `mass` is the share of\n"
           "             the dense softmax on the keys the mask keeps (mean, worst row)\n"
           "  total      the int8 output vs float64 dense on the floats\n"
           "Saturated int8 outputs are counted (warned above 0.1%%); pruning layers compare\n"
           "their kept tokens with a float64 top-k of the CLS row and name near-ties.\n"
           "Each layer's figures are the minimum over its heads (--per-head lists them).\n\n"
           "flags:\n"
           "  --npy-dir DIR     DIR/layerNN/{q,k,v}.npy (or DIR/{q,k,v}.npy): float16/32/64\n"
           "                    [heads][tokens][head_dim]; docs/realdata.md\n"
           "  --workload FILE   masks, block size, pruning and quantisation per layer (one\n"
           "                    layer applies to all; else one per layer); heads and head dim\n"
           "                    must match the tensors. Default: dense, block 64\n" AK_CLI_QUANT_HELP
           "  --per-head        also print every head\n"
           "  --threads T       worker threads, 0 = one per CPU (default 0)\n"
           "  --json            machine-readable output\n"
           "  -h, --help        this text\n\n"
           "exit status: 0 ok, 1 run failed, 2 bad flag or input (named)\n");
}

typedef struct {
    const char *npy_dir, *workload;
    ak_quant_spec qflags;
    int iq_set, per_head, json;
    uint32_t threads;
} real_opts;

/* One layer's results, kept for the JSON and the table. */
typedef struct {
    uint32_t layer, tokens, heads;
    double density;
    char mask[64];
    ak_oscale_policy policy;
    ak_head_budget *hb; /* [heads]; hb[h].sat.out per head */
    ak_sat_counts sat;  /* the layer's saturations */
    int sat_warning;    /* above AK_SAT_WARN_RATE */
    int pruned;
    ak_prune_agreement pa;
    uint32_t next_tokens;
    uint64_t clipped[3];
} layer_result;

static double min_over(const layer_result *r, size_t offset)
{
    double m = INFINITY;
    for (uint32_t h = 0; h < r->heads; h++)
        m = fmin(m, *(const double *)((const char *)&r->hb[h] + offset));
    return m;
}

static uint64_t sat_out(const layer_result *r, uint64_t *outputs)
{
    *outputs = (uint64_t)r->heads * r->hb[0].outputs;
    return r->sat.out;
}

#define MIN_OF(r, field) min_over(r, offsetof(ak_head_budget, field))

/* The layer's row: every SQNR term at its minimum over the heads, the mean of the heads' mean
 * mass kept and the worst row's mass. */
static ak_head_budget layer_mins(const layer_result *r)
{
    ak_head_budget m = {
        .total_db = MIN_OF(r, total_db), .input_quant_db = MIN_OF(r, input_quant_db),
        .fixed_point_db = MIN_OF(r, fixed_point_db), .output_quant_db = MIN_OF(r, output_quant_db),
        .mask_db = MIN_OF(r, mask_db), .mass_kept_min = MIN_OF(r, mass_kept_min)};
    for (uint32_t h = 0; h < r->heads; h++)
        m.mass_kept_mean += r->hb[h].mass_kept_mean / r->heads;
    return m;
}

/* A dB figure for JSON: null when infinite (the stage adds no error). */
static void add_db(cJSON *o, const char *name, double db)
{
    if (isfinite(db))
        cJSON_AddNumberToObject(o, name, db);
    else
        cJSON_AddNullToObject(o, name);
}

static cJSON *budget_json(const ak_head_budget *b)
{
    cJSON *o = cJSON_CreateObject();
    add_db(o, "total", b->total_db);
    add_db(o, "input_quant", b->input_quant_db);
    add_db(o, "fixed_point", b->fixed_point_db);
    add_db(o, "output_quant", b->output_quant_db);
    add_db(o, "mask", b->mask_db);
    return o;
}

static cJSON *layer_json(const layer_result *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "layer", r->layer);
    cJSON_AddNumberToObject(o, "tokens", r->tokens);
    cJSON_AddStringToObject(o, "mask", r->mask);
    cJSON_AddNumberToObject(o, "density", r->density);
    cJSON_AddStringToObject(o, "output_scale", ak_oscale_name(r->policy));
    const ak_head_budget mins = layer_mins(r);
    cJSON_AddItemToObject(o, "sqnr_db_min_over_heads", budget_json(&mins));
    cJSON *m = cJSON_AddObjectToObject(o, "mass_kept");
    cJSON_AddNumberToObject(m, "mean", mins.mass_kept_mean);
    cJSON_AddNumberToObject(m, "min_row", mins.mass_kept_min);
    uint64_t outputs, out = sat_out(r, &outputs);
    cJSON *s = cJSON_AddObjectToObject(o, "saturation");
    cJSON_AddNumberToObject(s, "out", (double)out);
    cJSON_AddNumberToObject(s, "outputs", (double)outputs);
    cJSON_AddNumberToObject(s, "out_rate", (double)out / (double)outputs);
    cJSON_AddBoolToObject(s, "warning", r->sat_warning);
    cJSON_AddNumberToObject(s, "o_fx", (double)r->sat.o_fx);
    cJSON_AddNumberToObject(s, "logits", (double)r->sat.logits);
    cJSON *cl = cJSON_AddArrayToObject(s, "clipped_qkv");
    for (int x = 0; x < 3; x++)
        cJSON_AddItemToArray(cl, cJSON_CreateNumber((double)r->clipped[x]));
    if (r->pruned) {
        const ak_prune_agreement *a = &r->pa;
        cJSON *p = cJSON_AddObjectToObject(o, "pruning");
        cJSON_AddNumberToObject(p, "k", a->k);
        cJSON_AddNumberToObject(p, "common", a->common);
        cJSON_AddNumberToObject(p, "agreement", a->k ? (double)a->common / a->k : 1.0);
        cJSON_AddNumberToObject(p, "near_ties", a->n_near_ties);
        cJSON_AddNumberToObject(p, "cls_mass_kept", a->cls_mass_kept);
        cJSON_AddNumberToObject(p, "tie_eps", a->tie_eps);
        cJSON *mi = cJSON_AddArrayToObject(p, "missed");
        cJSON *ex = cJSON_AddArrayToObject(p, "extra");
        for (uint32_t x = 0; x < a->n_missed && x < 16; x++)
            cJSON_AddItemToArray(mi, cJSON_CreateNumber(a->missed[x]));
        for (uint32_t x = 0; x < a->n_extra && x < 16; x++)
            cJSON_AddItemToArray(ex, cJSON_CreateNumber(a->extra[x]));
        cJSON_AddNumberToObject(p, "next_tokens", r->next_tokens);
    }
    cJSON *heads = cJSON_AddArrayToObject(o, "heads");
    for (uint32_t h = 0; h < r->heads; h++) {
        const ak_head_budget *b = &r->hb[h];
        cJSON *hj = cJSON_CreateObject();
        cJSON_AddNumberToObject(hj, "head", h);
        cJSON_AddItemToObject(hj, "sqnr_db", budget_json(b));
        cJSON_AddNumberToObject(hj, "mass_kept_mean", b->mass_kept_mean);
        cJSON_AddNumberToObject(hj, "mass_kept_min_row", b->mass_kept_min);
        cJSON_AddNumberToObject(hj, "out_saturated", (double)b->sat.out);
        cJSON_AddNumberToObject(hj, "scale_o", b->scale_o);
        cJSON_AddItemToArray(heads, hj);
    }
    return o;
}

static void print_db(double db)
{
    if (isfinite(db))
        printf(" %9.2f", db);
    else
        printf(" %9s", "-");
}

static void print_row(const char *who, const ak_head_budget *b, double mass, double mass_min,
                      uint64_t sat, uint64_t outputs)
{
    printf("%-9s", who);
    print_db(b->total_db);
    print_db(b->input_quant_db);
    print_db(b->fixed_point_db);
    print_db(b->output_quant_db);
    print_db(b->mask_db);
    printf("  %5.3f/%5.3f  %7.3f%%\n", mass, mass_min, 100.0 * (double)sat / (double)outputs);
}

static void print_layer(const layer_result *r, int per_head)
{
    char who[32];
    const ak_head_budget mins = layer_mins(r);
    uint64_t outputs, sat = sat_out(r, &outputs);
    snprintf(who, sizeof who, "%5u", r->layer);
    print_row(who, &mins, mins.mass_kept_mean, mins.mass_kept_min, sat, outputs);
    for (uint32_t h = 0; per_head && h < r->heads; h++) {
        snprintf(who, sizeof who, "  h%-3u", h);
        print_row(who, &r->hb[h], r->hb[h].mass_kept_mean, r->hb[h].mass_kept_min,
                  r->hb[h].sat.out, r->hb[h].outputs);
    }
    if (r->pruned) {
        const ak_prune_agreement *a = &r->pa;
        printf("         pruning: keeps %u + CLS (%.1f%% of the CLS attention), %u of them as "
               "float64 does (%.1f%%)", a->k, 100.0 * a->cls_mass_kept, a->common,
               a->k ? 100.0 * a->common / a->k : 100.0);
        if (a->n_missed) {
            printf("; differs on");
            for (uint32_t x = 0; x < a->n_missed && x < 4; x++)
                printf(" -%u", a->missed[x]);
            for (uint32_t x = 0; x < a->n_extra && x < 4; x++)
                printf(" +%u", a->extra[x]);
            printf("%s, %u near-ties (within %.1e)", a->n_missed > 4 ? " ..." : "",
                   a->n_near_ties, a->tie_eps);
        }
        printf("; next layer %u tokens\n", r->next_tokens);
    }
}

/* Layer directories: DIR/layer01, layer02, ... or DIR itself. */
static uint32_t count_layers(const char *dir)
{
    uint32_t n = 0;
    for (;;) {
        char path[4096];
        struct stat sb;
        snprintf(path, sizeof path, "%s/layer%02u", dir, n + 1);
        if (n == AK_MAX_LAYERS || stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
            return n;
        n++;
    }
}

/* Runs layer l (0-based) of the workload on the tensors in `dir`. `prog`: the progress line,
 * erased before any message. */
static int run_layer(const real_opts *o, const ak_workload *w, uint32_t l, uint32_t wl,
                     const char *dir, layer_result *r, ak_progress *prog)
{
    char err[1024] = "";
    ak_inputs in;
    ak_status st = ak_inputs_load_npy(dir, &w->quant.input, &in, err, sizeof err);
    ak_progress_clear(prog); /* loading is quick; the line comes back with the next update */
    if (st != AK_OK) {
        fprintf(stderr, "attnkit %s: %s\n", CMD, err[0] ? err : ak_strerror(st));
        return st == AK_EINVAL || st == AK_EIO ? AK_EXIT_USAGE : AK_EXIT_FAIL;
    }
    int rc = AK_EXIT_OK;
    if (!in.real_q || !in.real_k || !in.real_v)
        rc = ak_cli_usage_error(CMD, "%s: the error budget needs float q, k and v tensors "
                                     "(int8 inputs have no float original)", dir);
    else if (in.nq != in.nk) {
        char why[320];
        ak_vecgen_square_why(in.nq, in.nk, why, sizeof why);
        rc = ak_cli_usage_error(CMD, "%s: %s", dir, why);
    }
    else if (in.heads != w->heads || in.d != w->head_dim)
        rc = ak_cli_usage_error(CMD, "%s: tensors have %u heads of dim %u; the workload %s "
                                     "has %u of dim %u", dir, in.heads, in.d, w->name, w->heads,
                                w->head_dim);
    if (rc) {
        ak_inputs_free(&in);
        return rc;
    }
    const uint32_t H = in.heads, N = in.nq, d = in.d;
    const uint64_t outs = (uint64_t)H * N * d;
    memset(r, 0, sizeof *r);
    r->layer = l + 1;
    r->tokens = N;
    r->heads = H;
    memcpy(r->clipped, in.clipped, sizeof r->clipped);
    r->policy = ak_vecgen_output_policy(w, &in);
    ak_cli_mask_name(&w->layers[wl], r->mask, sizeof r->mask);
    ak_mask mask = {0};
    ak_head_quant *quant = calloc(H, sizeof *quant);
    int8_t *out = malloc(outs);
    int32_t *out_fx = malloc(sizeof *out_fx * outs);
    uint16_t *cls = malloc(sizeof *cls * H * N);
    r->hb = calloc(H, sizeof *r->hb);
    const char *why = NULL;
    if (!quant || !out || !out_fx || !cls || !r->hb)
        st = AK_ENOMEM;
    if (st == AK_OK && r->policy == AK_OSCALE_GIVEN && !in.has_out_scale) {
        rc = ak_cli_usage_error(CMD, "%s: --output-scale given needs scales.npy with 4 columns "
                                     "(q, k, v, output)", dir);
        st = AK_EINVAL;
    }
    if (st == AK_OK && (st = ak_workload_layer_mask(w, wl, N, in.q, in.k, &mask, &why)))
        rc = ak_cli_usage_error(CMD, "layer %u: mask: %s", l + 1, why ? why : ak_strerror(st));
    ak_attn_job job = {.heads = H, .nq = N, .nk = N, .d = d, .q = in.q, .k = in.k, .v = in.v,
                       .quant = quant, .mask = &mask};
    if (st == AK_OK) {
        ak_progress_update(prog, l);
        st = ak_attention_scaled(&job, quant, in.scales, r->policy, out, out_fx, o->threads,
                                 &r->sat);
        ak_progress_clear(prog);
    }
    if (st == AK_ERANGE) { /* bad input scales: name the head, the scale and its range */
        char range[400] = "";
        uint32_t h = 0;
        while (h < H && !ak_head_quant_range_why(&in.scales[h], d, range, sizeof range))
            h++;
        if (h < H)
            rc = ak_cli_usage_error(CMD, "%s: layer %u, head %u: %s (numerics.md 3)", dir, l + 1,
                                    h, range);
    }
    r->density = st == AK_OK ? ak_mask_density(&mask) : 0.0;
    if (st == AK_OK) {
        ak_progress_update(prog, l);
        st = ak_error_budget(&job, in.scales, in.real_q, in.real_k, in.real_v, out, out_fx,
                             r->hb);
    }
    /* per-head int8 saturation: the requantisation again, head by head (the run counts the
     * layer as a whole) */
    for (uint32_t h = 0; st == AK_OK && h < H; h++) {
        int8_t scratch[128]; /* d <= 128 */
        for (uint64_t x = 0; x < (uint64_t)N * d; x += d)
            r->hb[h].sat.out += ak_requantize(out_fx + h * (uint64_t)N * d + x, d, &quant[h],
                                              scratch);
    }
    const uint32_t keep = w->layers[wl].keep_ppm;
    r->next_tokens = N;
    if (st == AK_OK && keep) {
        ak_prune_result pr;
        st = ak_attention_probs(&job, 0, 1, cls);
        if (st == AK_OK && (st = ak_prune_tokens(cls, H, N, keep, &pr)) == AK_OK) {
            st = ak_prune_agreement_f64(&job, in.scales, in.real_q, in.real_k, &pr, &r->pa);
            ak_prune_result_free(&pr);
        }
        r->pruned = 1;
        r->next_tokens = ak_prune_next_tokens(N, keep, w->fuse_token);
    }
    ak_progress_clear(prog);
    if (st != AK_OK && !rc) {
        fprintf(stderr, "attnkit %s: %s: %s\n", CMD, dir, ak_strerror(st));
        rc = AK_EXIT_FAIL;
    }
    ak_mask_free(&mask);
    free(quant);
    free(out);
    free(out_fx);
    free(cls);
    ak_inputs_free(&in);
    return rc;
}

static int parse(int argc, char **argv, real_opts *o)
{
    static const struct option longopts[] = {
        {"npy-dir", required_argument, NULL, 'n'},      {"workload", required_argument, NULL, 'w'},
        {"input-quant", required_argument, NULL, 'I'},  {"output-scale", required_argument, NULL, 'O'},
        {"per-head", no_argument, NULL, 'p'},           {"threads", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},               {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    int c, rc;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'n': o->npy_dir = optarg; break;
        case 'w': o->workload = optarg; break;
        case 'p': o->per_head = 1; break;
        case 'j': o->json = 1; break;
        case 'I':
            if ((rc = ak_cli_input_quant(CMD, optarg, &o->qflags)))
                return rc;
            o->iq_set = 1;
            break;
        case 'O':
            if ((rc = ak_cli_output_scale(CMD, optarg, &o->qflags)))
                return rc;
            break;
        case 't':
            if ((rc = ak_cli_u32(CMD, "--threads", optarg, 0, 256, &o->threads)))
                return rc;
            break;
        case 'h': help(); return STOP;
        default: return ak_cli_getopt_error(CMD, c, argv);
        }
    }
    if (optind < argc)
        return ak_cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    if (!o->npy_dir)
        return ak_cli_usage_error(CMD, "--npy-dir: missing");
    return 0;
}

int ak_cmd_accuracy_real(int argc, char **argv)
{
    real_opts o;
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc == STOP ? AK_EXIT_OK : rc;
    const uint32_t n_dirs = count_layers(o.npy_dir), layers = n_dirs ? n_dirs : 1;
    ak_workload *w = malloc(sizeof *w);
    if (!w)
        return AK_EXIT_FAIL;
    char err[1024] = "";
    if (o.workload) {
        rc = ak_cli_load_workload(CMD, NULL, o.workload, "--workload", w);
        if (!rc && w->n_layers != 1 && w->n_layers != layers)
            rc = ak_cli_usage_error(CMD, "--workload: %s has %u layers but %s has %u: give one "
                                         "layer (applied to all) or one per layer",
                                    o.workload, w->n_layers, o.npy_dir, layers);
    } else if (ak_vecgen_npy_workload(o.npy_dir, w, err, sizeof err) != AK_OK) {
        fprintf(stderr, "attnkit %s: %s\n", CMD, err);
        rc = AK_EXIT_USAGE;
    }
    if (rc) {
        free(w);
        return rc;
    }
    if (o.iq_set)
        w->quant.input = o.qflags.input;
    if (o.qflags.output_set) {
        w->quant.output = o.qflags.output;
        w->quant.output_set = 1;
    }
    layer_result *res = calloc(layers, sizeof *res);
    if (!res) {
        free(w);
        return AK_EXIT_FAIL;
    }
    char iq[32];
    if (!o.json) {
        printf("attnkit accuracy: %s, workload %s, input quantiser %s, numerics v%d\n",
               o.npy_dir, w->name, ak_input_quant_name(&w->quant.input, iq, sizeof iq),
               AK_NUMERICS_VERSION);
        printf("SQNR in dB against float64 dense attention on the float inputs (min over heads)\n"
               "layer        total  in-quant  fixed-pt out-quant      mask  mass mean/min  "
               "int8 sat\n");
    }
    uint32_t done = 0;
    ak_progress *prog = ak_progress_start("accuracy: layer", layers);
    for (uint32_t l = 0; rc == 0 && l < layers; l++) {
        char dir[4096];
        if (n_dirs)
            snprintf(dir, sizeof dir, "%s/layer%02u", o.npy_dir, l + 1);
        else
            snprintf(dir, sizeof dir, "%s", o.npy_dir);
        rc = run_layer(&o, w, l, w->n_layers == 1 ? 0 : l, dir, &res[l], prog);
        if (rc == 0) {
            done++;
            if (!o.json)
                print_layer(&res[l], o.per_head);
            char where[48];
            uint64_t outputs, sat = sat_out(&res[l], &outputs);
            snprintf(where, sizeof where, "layer %u (output scale %s)", l + 1,
                     ak_oscale_name(res[l].policy));
            res[l].sat_warning = ak_cli_warn_saturation(CMD, where, sat, outputs, o.json);
        }
    }
    ak_progress_end(prog);
    if (rc == 0 && o.json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "command", "accuracy");
        cJSON_AddStringToObject(j, "version", AK_VERSION);
        cJSON_AddNumberToObject(j, "numerics_version", AK_NUMERICS_VERSION);
        cJSON_AddStringToObject(j, "npy_dir", o.npy_dir);
        cJSON_AddStringToObject(j, "workload", w->name);
        cJSON_AddStringToObject(j, "input_quant", iq[0] ? iq : ak_input_quant_name(&w->quant.input, iq, sizeof iq));
        cJSON_AddNumberToObject(j, "block", w->block);
        cJSON *lj = cJSON_AddArrayToObject(j, "layers");
        double worst = INFINITY;
        uint64_t sat = 0, outputs = 0;
        for (uint32_t l = 0; l < done; l++) {
            cJSON_AddItemToArray(lj, layer_json(&res[l]));
            worst = fmin(worst, MIN_OF(&res[l], total_db));
            uint64_t n, s = sat_out(&res[l], &n);
            sat += s;
            outputs += n;
        }
        cJSON *s = cJSON_AddObjectToObject(j, "summary");
        add_db(s, "min_total_sqnr_db", worst);
        cJSON_AddNumberToObject(s, "out_saturation_rate", (double)sat / (double)outputs);
        rc = ak_cli_emit_json(j, 1);
    }
    for (uint32_t l = 0; l < layers; l++)
        free(res[l].hb);
    free(res);
    free(w);
    return rc;
}

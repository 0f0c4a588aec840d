/* `make bench`: times, side by side in one run, the fixed-point model's dense attention against
 * OpenBLAS float32 attention on the same shape, and the fixed-point block-sparse path at a
 * given block density against its dense time. Best of --reps runs, one thread each, so the
 * ratios compare like with like on a noisy machine. */
#define _POSIX_C_SOURCE 200809L
#include <cJSON.h>
#include <cblas.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attnkit/attnkit.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef struct {
    uint32_t n, d, reps;
    double density;
    uint64_t seed;
    int json;
} bench_opts;

/* Best wall time of `reps` calls of a kernel. */
enum kernel { FIXED, BLAS };
static double best_time(enum kernel kern, const ak_attn_job *job, const ak_head_scales *sc,
                        void *out, uint32_t reps, const char *what)
{
    double best = 1e30;
    for (uint32_t r = 0; r < reps; r++) {
        fprintf(stderr, "bench: %s, run %u of %u\n", what, r + 1, reps);
        double t0 = now();
        ak_status st = kern == FIXED ? ak_attention(job, out, NULL, 1)
                                     : ak_attention_f32_blas(job, sc, out);
        double t = now() - t0;
        if (st != AK_OK) {
            fprintf(stderr, "bench: %s failed: %s\n", what, ak_strerror(st));
            return -1.0;
        }
        best = t < best ? t : best;
    }
    return best;
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "attnkit-bench: %s, got '%s' (see: attnkit-bench --help)\n", msg, arg);
    return 2;
}

static int parse(int argc, char **argv, bench_opts *o)
{
    static const struct option longopts[] = {
        {"n", required_argument, NULL, 'n'},       {"d", required_argument, NULL, 'd'},
        {"reps", required_argument, NULL, 'r'},    {"density", required_argument, NULL, 'x'},
        {"seed", required_argument, NULL, 's'},    {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    *o = (bench_opts){.n = 4096, .d = 64, .reps = 3, .density = 0.10, .seed = 1};
    opterr = 0;
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            o->n = (uint32_t)strtoul(optarg, &end, 10);
            if (*end || o->n < 64 || o->n > 16384)
                return usage_error("--n: expected 64..16384 tokens", optarg);
            break;
        case 'd':
            o->d = (uint32_t)strtoul(optarg, &end, 10);
            if (*end || (o->d != 32 && o->d != 64 && o->d != 128))
                return usage_error("--d: expected 32, 64 or 128", optarg);
            break;
        case 'r':
            o->reps = (uint32_t)strtoul(optarg, &end, 10);
            if (*end || o->reps < 1 || o->reps > 100)
                return usage_error("--reps: expected 1..100", optarg);
            break;
        case 'x':
            o->density = strtod(optarg, &end);
            if (*end || !(o->density > 0.0 && o->density <= 1.0))
                return usage_error("--density: expected a number in (0, 1]", optarg);
            break;
        case 's':
            o->seed = strtoull(optarg, &end, 0);
            if (*end || *optarg == '-')
                return usage_error("--seed: expected a whole number", optarg);
            break;
        case 'j':
            o->json = 1;
            break;
        case 'h':
            printf("usage: attnkit-bench [--n N] [--d D] [--reps R] [--density X] [--seed S] "
                   "[--json]\n\nTimes (best of R, one thread each): fixed-point dense vs "
                   "OpenBLAS float32 dense at N x N, d;\nfixed-point block-sparse (random "
                   "pattern, B=64, block density X) vs fixed-point dense.\nDefaults: N=4096 "
                   "d=64 R=3 X=0.10 S=1.\n");
            return -1;
        default:
            return usage_error(c == ':' ? "missing value" : "unknown flag", argv[optind - 1]);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    bench_opts o;
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    openblas_set_num_threads(1);
    ak_inputs in;
    ak_head_quant quant;
    ak_mask mask;
    const char *why = NULL;
    ak_pattern pat;
    if (ak_inputs_generate(AK_LOGITS_GAUSS1, 1, o.n, o.n, o.d, o.seed, &in) != AK_OK)
        return 1;
    in.scales[0].o = in.scales[0].v / 8.0;
    const uint32_t B = 64, kb = (o.n + B - 1) / B;
    if (ak_head_quant_from_scales(&in.scales[0], o.d, &quant) != AK_OK ||
        ak_pattern_for_density(AK_PATTERN_RANDOM, o.density, kb, o.seed, &pat) != AK_OK ||
        ak_mask_build(&pat, o.n, o.n, B, 1, NULL, NULL, o.d, &mask, &why) != AK_OK) {
        fprintf(stderr, "attnkit-bench: setup failed: %s\n", why ? why : "quantisation");
        return 1;
    }
    const uint64_t outs = (uint64_t)o.n * o.d;
    int8_t *out = malloc(outs);
    float *outf = malloc(outs * sizeof *outf);
    if (!out || !outf)
        return 1;
    ak_attn_job job = {.heads = 1, .nq = o.n, .nk = o.n, .d = o.d, .q = in.q, .k = in.k,
                       .v = in.v, .quant = &quant, .mask = NULL};
    double t_dense = best_time(FIXED, &job, in.scales, out, o.reps, "fixed-point dense");
    double t_blas = best_time(BLAS, &job, in.scales, outf, o.reps, "OpenBLAS float32 dense");
    job.mask = &mask;
    double t_sparse = best_time(FIXED, &job, in.scales, out, o.reps, "fixed-point sparse");
    const double density = ak_mask_density(&mask);
    if (t_dense < 0 || t_blas < 0 || t_sparse < 0)
        return 1;
    if (o.json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "n", o.n);
        cJSON_AddNumberToObject(j, "d", o.d);
        cJSON_AddNumberToObject(j, "threads", 1);
        cJSON_AddNumberToObject(j, "reps", o.reps);
        cJSON_AddNumberToObject(j, "fixed_dense_s", t_dense);
        cJSON_AddNumberToObject(j, "blas_f32_dense_s", t_blas);
        cJSON_AddNumberToObject(j, "fixed_over_blas", t_dense / t_blas);
        cJSON_AddNumberToObject(j, "block_density", density);
        cJSON_AddNumberToObject(j, "fixed_sparse_s", t_sparse);
        cJSON_AddNumberToObject(j, "sparse_speedup", t_dense / t_sparse);
        char *text = cJSON_Print(j);
        if (text)
            puts(text);
        cJSON_free(text);
        cJSON_Delete(j);
    } else {
        printf("attnkit bench: N=%u d=%u, 1 head, 1 thread each, best of %u\n", o.n, o.d,
               o.reps);
        printf("  fixed-point dense              %8.3f s\n", t_dense);
        printf("  OpenBLAS float32 dense         %8.3f s   fixed-point / float32 = %.2f\n",
               t_blas, t_dense / t_blas);
        printf("  fixed-point sparse, density %.3f %7.3f s   speed-up over dense = %.2fx "
               "(ideal %.2fx)\n",
               density, t_sparse, t_dense / t_sparse, 1.0 / density);
    }
    free(out);
    free(outf);
    ak_mask_free(&mask);
    ak_inputs_free(&in);
    return 0;
}

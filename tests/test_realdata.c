/* Real data, offline: the committed MiniLM-L6 slice (vectors/real/minilm-l6-n128, docs/realdata.md)
 * through `attnkit accuracy --npy-dir`, `vecgen --npy-dir` and `sim`: calibrated output scales
 * do not saturate where the fixed rule does, the error budget's total equals an SQNR computed
 * here from the float tensors and the written int8 outputs, the RTL is bit- and cycle-exact on
 * the real vectors, and bad real inputs are clear errors (exit 2) that leave nothing behind. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ak_test.h"
#include "attnkit/attnkit.h"

#define SLICE "vectors/real/minilm-l6-n128"

static char buf[1 << 20];
static char root[] = "/tmp/ak_test_realdata.XXXXXX";

static cJSON *run_json(const char *const *args)
{
    int rc = ak_test_run_cli(buf, sizeof buf, args);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc != 0)
        return NULL;
    /* stderr may carry a warning before the JSON: start at the first '{' of a line */
    const char *p = buf[0] == '{' ? buf : strstr(buf, "\n{");
    return p ? cJSON_Parse(p[0] == '{' ? p : p + 1) : NULL;
}

static double layer_num(const cJSON *doc, int layer, const char *obj, const char *field)
{
    const cJSON *l = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "layers"), layer);
    return cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(l, obj), field));
}

static void test_calibrated_vs_fixed(void)
{
    const char *cal[] = {"accuracy", "--npy-dir", SLICE, "--json", NULL};
    const char *fix[] = {"accuracy", "--npy-dir", SLICE, "--json", "--output-scale", "fixed", NULL};
    cJSON *a = run_json(cal);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    cJSON *b = run_json(fix);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    for (int l = 0; l < 2; l++) { /* --json: the warning is a field, stdout stays JSON */
        const cJSON *la = cJSON_GetArrayItem(cJSON_GetObjectItem(a, "layers"), l);
        const cJSON *lb = cJSON_GetArrayItem(cJSON_GetObjectItem(b, "layers"), l);
        CU_ASSERT(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(la, "saturation"), "warning")));
        CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(lb, "saturation"), "warning")));
    }
    const char *fix_text[] = {"accuracy", "--npy-dir", SLICE, "--output-scale", "fixed", NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, fix_text), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "warning: layer 1 (output scale fixed): 13.15% of the int8 "
                                       "outputs saturate"));
    for (int l = 0; l < 2; l++) {
        /* calibrated: below 0.1 % (by construction 0); the fixed s_v / 8 clips real outputs */
        CU_ASSERT(layer_num(a, l, "saturation", "out_rate") < 0.001);
        CU_ASSERT(layer_num(b, l, "saturation", "out_rate") > 0.01);
        const double ta = layer_num(a, l, "sqnr_db_min_over_heads", "total");
        const double tb = layer_num(b, l, "sqnr_db_min_over_heads", "total");
        CU_ASSERT(ta > tb + 10.0);
        CU_ASSERT(ta > 20.0);
        /* the fixed-point datapath itself is far from being the limit */
        CU_ASSERT(layer_num(a, l, "sqnr_db_min_over_heads", "fixed_point") > 80.0);
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
}

/* float64 dense attention of head h on float tensors [H][n][d], out [n][d]. */
static void f64_attention(const double *q, const double *k, const double *v, uint32_t n,
                          uint32_t d, double *out)
{
    double *p = malloc(sizeof *p * n);
    for (uint32_t i = 0; i < n; i++) {
        double mx = -INFINITY, sum = 0.0;
        for (uint32_t j = 0; j < n; j++) {
            double s = 0.0;
            for (uint32_t c = 0; c < d; c++)
                s += q[i * d + c] * k[j * d + c];
            p[j] = s / sqrt((double)d);
            mx = p[j] > mx ? p[j] : mx;
        }
        for (uint32_t j = 0; j < n; j++)
            sum += p[j] = exp(p[j] - mx);
        for (uint32_t c = 0; c < d; c++) {
            double o = 0.0;
            for (uint32_t j = 0; j < n; j++)
                o += p[j] / sum * v[j * d + c];
            out[i * d + c] = o;
        }
    }
    free(p);
}

static double *load_f64(const char *dir, const char *name, ak_npy *a)
{
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (ak_npy_read(path, a, err, sizeof err) != AK_OK)
        return NULL;
    double *x = malloc(sizeof *x * a->count);
    ak_npy_to_double(a, x);
    return x;
}

static void test_budget_total_recomputed_and_rtl_exact(void)
{
    char out[600];
    snprintf(out, sizeof out, "%s/vec/real", root); /* vec/ does not exist: vecgen makes it */
    const char *gen[] = {"vecgen", "--npy-dir", SLICE, "--out", out, NULL};
    CU_ASSERT_EQUAL_FATAL(ak_test_run_cli(buf, sizeof buf, gen), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "no --workload"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "int8 outputs 0 of 98304"));
    const char *acc[] = {"accuracy", "--npy-dir", SLICE, "--json", NULL};
    cJSON *doc = run_json(acc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    char mpath[700];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", out);
    cJSON *man = ak_test_read_json(mpath);
    CU_ASSERT_PTR_NOT_NULL_FATAL(man);
    for (int l = 0; l < 2; l++) {
        char in_dir[600], vec_dir[700];
        snprintf(in_dir, sizeof in_dir, SLICE "/layer%02d", l + 1);
        snprintf(vec_dir, sizeof vec_dir, "%s/layer%02d", out, l + 1);
        ak_npy aq, ak, av, ao;
        double *q = load_f64(in_dir, "q.npy", &aq), *k = load_f64(in_dir, "k.npy", &ak);
        double *v = load_f64(in_dir, "v.npy", &av), *o = load_f64(vec_dir, "o.npy", &ao);
        CU_ASSERT_FATAL(q && k && v && o);
        const uint32_t H = (uint32_t)aq.shape[0], n = (uint32_t)aq.shape[1], d = (uint32_t)aq.shape[2];
        const cJSON *quant = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(man, "layers"), l),
                                                 "quant");
        double *ref = malloc(sizeof *ref * n * d), worst = INFINITY;
        for (uint32_t h = 0; h < H; h++) {
            const uint64_t off = (uint64_t)h * n * d;
            f64_attention(q + off, k + off, v + off, n, d, ref);
            const double so = cJSON_GetNumberValue(
                cJSON_GetObjectItem(cJSON_GetArrayItem(quant, (int)h), "scale_o"));
            double sig = 0.0, noise = 0.0;
            for (uint64_t x = 0; x < (uint64_t)n * d; x++) {
                sig += ref[x] * ref[x];
                noise += (o[off + x] * so - ref[x]) * (o[off + x] * so - ref[x]);
            }
            worst = fmin(worst, 10.0 * log10(sig / noise));
        }
        CU_ASSERT_DOUBLE_EQUAL(layer_num(doc, l, "sqnr_db_min_over_heads", "total"), worst, 1e-6);
        free(ref);
        free(q), free(k), free(v), free(o);
        ak_npy_free(&aq), ak_npy_free(&ak), ak_npy_free(&av), ak_npy_free(&ao);
    }
    cJSON_Delete(man);
    cJSON_Delete(doc);
    /* the RTL on the real vectors: every byte and the cycle model's cycle count */
    const char *sim[] = {"sim", "--vectors", out, NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, sim), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "sim: 2 of 2 layers pass"));
    CU_ASSERT_PTR_NULL(strstr(buf, "CYCLES"));
}

/* Writes q/k/v float32 [2][40][32] into dir, with `poke` applied to q first. */
static void write_case(const char *dir, void (*poke)(float *x, const char *name))
{
    mkdir(dir, 0777);
    static float x[2 * 40 * 32];
    static const char *const names[] = {"q.npy", "k.npy", "v.npy"};
    for (int t = 0; t < 3; t++) {
        for (int i = 0; i < 2 * 40 * 32; i++)
            x[i] = (float)((i * 7919 + t * 31) % 1000 - 500) / 250.0f;
        if (poke)
            poke(x, names[t]);
        ak_npy a = {.dtype = AK_DT_F32, .ndim = 3, .shape = {2, 40, 32}, .count = 2 * 40 * 32,
                    .data = x};
        char p[700], err[256];
        snprintf(p, sizeof p, "%s/%s", dir, names[t]);
        CU_ASSERT_FATAL(ak_npy_write(p, &a, err, sizeof err) == AK_OK);
    }
}

static void poke_nan(float *x, const char *name)
{
    if (!strcmp(name, "k.npy"))
        x[40 * 32 + 5 * 32 + 7] = NAN; /* [1][5][7] */
}

static void poke_inf(float *x, const char *name)
{
    if (!strcmp(name, "v.npy"))
        x[3] = -INFINITY;
}

static void poke_zero_head(float *x, const char *name)
{
    if (!strcmp(name, "q.npy"))
        memset(x + 40 * 32, 0, sizeof *x * 40 * 32); /* head 1 */
}

static void write_scales(const char *dir, uint64_t cols, double first)
{
    double s[2 * 4] = {first, 0, 0, 0.1, 0, 0, 0, 0.1};
    ak_npy a = {.dtype = AK_DT_F64, .ndim = 2, .shape = {2, cols}, .count = 2 * cols, .data = s};
    char p[700], err[256];
    snprintf(p, sizeof p, "%s/scales.npy", dir);
    CU_ASSERT_FATAL(ak_npy_write(p, &a, err, sizeof err) == AK_OK);
}

static void test_bad_real_inputs(void)
{
    const struct {
        const char *name;
        void (*poke)(float *, const char *);
        int scales_cols;
        double scale_q;
        const char *want;
    } cases[] = {
        {"nan", poke_nan, 0, 0, "k.npy: element [1][5][7] is NaN: inputs must be finite"},
        {"inf", poke_inf, 0, 0, "v.npy: element [0][0][3] is infinite"},
        {"zero", poke_zero_head, 0, 0, "q.npy: head 1 is all zeros: no quantisation scale"},
        {"cols", NULL, 2, 0, "scales.npy: expected float64 of shape [2][3] (q, k, v scales) or [2][4]"},
        {"floatcol", NULL, 4, 0.5, "row 0 gives a scale for q.npy, which is a float tensor"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char dir[600], out[700];
        snprintf(dir, sizeof dir, "%s/%s", root, cases[i].name);
        write_case(dir, cases[i].poke);
        if (cases[i].scales_cols)
            write_scales(dir, (uint64_t)cases[i].scales_cols, cases[i].scale_q);
        snprintf(out, sizeof out, "%s/out-%s/vec", root, cases[i].name);
        const char *acc[] = {"accuracy", "--npy-dir", dir, NULL};
        const char *gen[] = {"vecgen", "--npy-dir", dir, "--out", out, NULL};
        CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, acc), 2);
        CU_ASSERT_PTR_NOT_NULL(strstr(buf, cases[i].want));
        CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, gen), 2);
        CU_ASSERT_PTR_NOT_NULL(strstr(buf, cases[i].want));
        struct stat sb;
        snprintf(out, sizeof out, "%s/out-%s", root, cases[i].name);
        CU_ASSERT(stat(out, &sb) != 0); /* nothing written, not even the parent */
        if (!strstr(buf, cases[i].want))
            fprintf(stderr, "case %s: %s\n", cases[i].name, buf);
    }
    /* a given output scale is used when scales.npy has a 4th column: s_o = 0.1 here */
    char dir[600];
    snprintf(dir, sizeof dir, "%s/given", root);
    write_case(dir, NULL);
    write_scales(dir, 4, 0.0);
    const char *acc[] = {"accuracy", "--npy-dir", dir, "--json", NULL};
    cJSON *doc = run_json(acc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    const cJSON *l0 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "layers"), 0);
    CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(l0, "output_scale")), "given");
    const cJSON *h1 = cJSON_GetArrayItem(cJSON_GetObjectItem(l0, "heads"), 1);
    CU_ASSERT_DOUBLE_EQUAL(cJSON_GetNumberValue(cJSON_GetObjectItem(h1, "scale_o")), 0.1, 0.0);
    cJSON_Delete(doc);
    /* mismatched heads between tensors and workload */
    const char *wl[] = {"accuracy", "--npy-dir", dir, "--workload",
                        "vectors/golden/workloads/one-block-d128.json", NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, wl), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "tensors have 2 heads of dim 32; the workload"));
}

static void write_npy(const char *dir, const char *name, ak_dtype t, uint64_t heads, uint64_t n,
                      const void *data)
{
    ak_npy a = {.dtype = t, .ndim = 3, .shape = {heads, n, 32}, .count = heads * n * 32,
                .data = (void *)data};
    char p[700], err[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    CU_ASSERT_FATAL(ak_npy_write(p, &a, err, sizeof err) == AK_OK);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Runs args, which must exit 2 (bad input) with each of want[] (up to 4) in its output exactly
 * once. */
static void expect_input_error(const char *const *args, const char *const *want)
{
    int rc = ak_test_run_cli(buf, sizeof buf, args);
    int ok = rc == 2;
    for (int i = 0; i < 4 && want[i]; i++)
        ok = ok && count(buf, want[i]) == 1;
    if (!ok)
        printf("\n    %s %s %s: exit %d, output: %s", args[0], args[1], args[2], rc, buf);
    CU_ASSERT(ok);
}

static int8_t *int8_data(void)
{
    static int8_t i8[2 * 40 * 32];
    for (int i = 0; i < 2 * 40 * 32; i++)
        i8[i] = (int8_t)((i * 37) % 200 - 100);
    return i8;
}

/* q of 16 tokens with k and v of 64 (decoding): the message gives the real counts and says the
 * shape is not a workload layer (issue 13: it said "q has 0 tokens but k and v 0"). */
static void test_decode_shape_message(void)
{
    char dir[600], out[700];
    static float f[2 * 64 * 32];
    for (int i = 0; i < 2 * 64 * 32; i++)
        f[i] = (float)((i * 7919) % 1000 - 500) / 250.0f;
    snprintf(dir, sizeof dir, "%s/decode", root);
    mkdir(dir, 0777);
    write_npy(dir, "q.npy", AK_DT_F32, 2, 16, f);
    write_npy(dir, "k.npy", AK_DT_F32, 2, 64, f);
    write_npy(dir, "v.npy", AK_DT_F32, 2, 64, f);
    snprintf(out, sizeof out, "%s/out-decode", root);
    const char *dec_want[] = {"q has 16 tokens but k and v have 64", "decoding", NULL};
    const char *dec_acc[] = {"accuracy", "--npy-dir", dir, NULL};
    const char *dec_gen[] = {"vecgen", "--npy-dir", dir, "--out", out, NULL};
    expect_input_error(dec_acc, dec_want);
    expect_input_error(dec_gen, dec_want);
}

/* int8 inputs without scales.npy: the message once, with and without a workload (issue 13
 * reported it twice). */
static void test_missing_scales_said_once(void)
{
    char dir[600], out[700], wl[700];
    const int8_t *i8 = int8_data();
    snprintf(dir, sizeof dir, "%s/noscales", root);
    mkdir(dir, 0777);
    write_npy(dir, "q.npy", AK_DT_I8, 2, 40, i8);
    write_npy(dir, "k.npy", AK_DT_I8, 2, 40, i8);
    write_npy(dir, "v.npy", AK_DT_I8, 2, 40, i8);
    snprintf(wl, sizeof wl, "%s/w40.json", root);
    FILE *fw = fopen(wl, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fw);
    fputs("{\"format\": \"attnkit-workload\", \"version\": 2, \"kind\": \"vision\", \"tokens\": 40,"
          " \"heads\": 2, \"head_dim\": 32, \"block\": 16, \"layers\": [{\"mask\": {\"pattern\":"
          " \"dense\"}}]}\n", fw);
    fclose(fw);
    snprintf(out, sizeof out, "%s/out-noscales", root);
    const char *nos_want[] = {"int8 inputs need scales.npy", NULL};
    const char *nos_acc[] = {"accuracy", "--npy-dir", dir, NULL};
    const char *nos_gen[] = {"vecgen", "--npy-dir", dir, "--out", out, NULL};
    const char *nos_accw[] = {"accuracy", "--npy-dir", dir, "--workload", wl, NULL};
    const char *nos_genw[] = {"vecgen", "--npy-dir", dir, "--workload", wl, "--out", out, NULL};
    expect_input_error(nos_acc, nos_want);
    expect_input_error(nos_gen, nos_want);
    expect_input_error(nos_accw, nos_want);
    expect_input_error(nos_genw, nos_want);
}

/* A scale whose multiplier overflows the shift is bad input: exit 2 (was 1) and a message
 * naming layer, head, the scale and the range it must lie in (was "value out of representable
 * range"). */
static void test_scale_out_of_range_named(void)
{
    char dir[600], out[700];
    const int8_t *i8 = int8_data();
    /* a given output scale of 1e-30 for head 1: s_v / s_o / 2^16 overflows the shift */
    snprintf(dir, sizeof dir, "%s/tiny-so", root);
    write_case(dir, NULL);
    double sc[2 * 4] = {0, 0, 0, 0.1, 0, 0, 0, 1e-30};
    ak_npy a = {.dtype = AK_DT_F64, .ndim = 2, .shape = {2, 4}, .count = 8, .data = sc};
    char p[700], err[256];
    snprintf(p, sizeof p, "%s/scales.npy", dir);
    CU_ASSERT_FATAL(ak_npy_write(p, &a, err, sizeof err) == AK_OK);
    snprintf(out, sizeof out, "%s/out-tiny-so", root);
    const char *so_want[] = {"layer 1, head 1: output scale s_o = 1e-30", "not below 2^31",
                             "s_o must be in (", NULL};
    const char *so_acc[] = {"accuracy", "--npy-dir", dir, "--output-scale", "given", NULL};
    const char *so_gen[] = {"vecgen", "--npy-dir", dir, "--output-scale", "given", "--out", out,
                            NULL};
    expect_input_error(so_acc, so_want);
    expect_input_error(so_gen, so_want);

    /* int8 inputs whose q and k scales of head 0 overflow the logit multiplier */
    snprintf(dir, sizeof dir, "%s/huge-qk", root);
    mkdir(dir, 0777);
    write_npy(dir, "q.npy", AK_DT_I8, 2, 40, i8);
    write_npy(dir, "k.npy", AK_DT_I8, 2, 40, i8);
    write_npy(dir, "v.npy", AK_DT_I8, 2, 40, i8);
    double qk[2 * 3] = {1e10, 1e10, 0.1, 0.05, 0.05, 0.1};
    ak_npy b = {.dtype = AK_DT_F64, .ndim = 2, .shape = {2, 3}, .count = 6, .data = qk};
    snprintf(p, sizeof p, "%s/scales.npy", dir);
    CU_ASSERT_FATAL(ak_npy_write(p, &b, err, sizeof err) == AK_OK);
    snprintf(out, sizeof out, "%s/out-huge-qk", root);
    const char *qk_want[] = {"layer 1, head 0: scales s_q = 1e+10, s_k = 1e+10",
                             "s_q * s_k must be in [", NULL};
    const char *qk_gen[] = {"vecgen", "--npy-dir", dir, "--out", out, NULL};
    expect_input_error(qk_gen, qk_want);
    struct stat sb;
    snprintf(out, sizeof out, "%s/out-huge-qk", root);
    CU_ASSERT(stat(out, &sb) != 0); /* nothing written */
}

static void cleanup(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "test_realdata: could not remove %s\n", root);
}

static int setup(void)
{
    if (!mkdtemp(root))
        return -1;
    atexit(cleanup);
    return 0;
}

int ak_test_register(void)
{
    if (setup())
        return -1;
    return AK_SUITE("realdata", {"calibrated vs fixed output scale on real tensors", test_calibrated_vs_fixed},
                    {"error budget total recomputed; RTL exact on real vectors",
                     test_budget_total_recomputed_and_rtl_exact},
                    {"bad real inputs: exit 2, named, nothing written", test_bad_real_inputs},
                    {"q of 16 tokens, k and v of 64: the real counts", test_decode_shape_message},
                    {"int8 without scales.npy: said once", test_missing_scales_said_once},
                    {"scale out of the multiplier's range: exit 2, named", test_scale_out_of_range_named});
}

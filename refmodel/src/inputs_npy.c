/* Real attention inputs from .npy files (inputs.h: ak_inputs_load_npy), e.g. tensors dumped
 * from PyTorch or scripts/data/realdata.py: shapes checked against each other, float tensors checked
 * for NaN/Inf and all-zero heads and quantised per head by the chosen input quantiser
 * (numerics.md 3.1), int8 taken with the scales the user supplies. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attnkit/inputs.h"
#include "attnkit/npy.h"
#include "attnkit/numerics.h"

static ak_status fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return AK_EINVAL;
}

static int is_float(ak_dtype t)
{
    return t == AK_DT_F16 || t == AK_DT_F32 || t == AK_DT_F64;
}

/* Loads dir/name and checks it is [heads][n][d] (or [1][heads][n][d]). */
static ak_status load3(const char *dir, const char *name, ak_npy *a, uint64_t dims[3], char *err,
                       size_t errlen)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return fail(err, errlen, "%s: path too long", dir);
    ak_status st = ak_npy_read(path, a, err, errlen);
    if (st != AK_OK)
        return st;
    const uint64_t *s = a->shape;
    uint32_t nd = a->ndim;
    if (nd == 4 && s[0] == 1) {
        s++;
        nd = 3;
    }
    if (nd != 3 || (!is_float(a->dtype) && a->dtype != AK_DT_I8)) {
        ak_npy_free(a);
        return fail(err, errlen,
                    "%s: expected a float16/32/64 or int8 array of shape [heads][tokens][head_dim]"
                    " (optionally with a leading 1)",
                    path);
    }
    memcpy(dims, s, 3 * sizeof *dims);
    return AK_OK;
}

/* One of q, k, v: its array, its name and where it goes. */
typedef struct {
    const char *name; /* "q.npy" */
    ak_npy a;
    uint64_t dims[3];
    int8_t **dst;
    double **real;
    int col; /* its column of scales.npy */
} tensor;

/* Fills the tensor's int8 data and scale[h] (h < heads): int8 arrays keep their values and take
 * their column of `given`; float arrays are checked, kept as doubles and quantised. */
static ak_status take(const char *dir, tensor *t, uint32_t heads, const double *given,
                      uint32_t given_cols, const ak_input_quant *iq, double *scale,
                      uint64_t *clipped, char *err, size_t errlen)
{
    const uint64_t per_head = t->a.count / heads, d = t->dims[2];
    *t->dst = malloc(t->a.count);
    if (!*t->dst)
        return AK_ENOMEM;
    if (t->a.dtype == AK_DT_I8) {
        memcpy(*t->dst, t->a.data, t->a.count);
        for (uint32_t h = 0; h < heads; h++) {
            scale[h] = given[h * given_cols + (uint32_t)t->col];
            if (!(scale[h] > 0.0)) /* 0 is only for a float tensor's column */
                return fail(err, errlen,
                            "%s/scales.npy: row %u gives %s, an int8 tensor, the scale 0: an "
                            "int8 tensor's scale must be positive",
                            dir, h, t->name);
        }
        return AK_OK;
    }
    double *x = malloc(sizeof *x * t->a.count);
    if (!x)
        return AK_ENOMEM;
    *t->real = x;
    ak_npy_to_double(&t->a, x);
    for (uint64_t e = 0; e < t->a.count; e++)
        if (!isfinite(x[e])) {
            uint64_t h = e / per_head, i = e % per_head / d, c = e % d;
            return fail(err, errlen, "%s/%s: element [%llu][%llu][%llu] is %s: inputs must be finite",
                        dir, t->name, (unsigned long long)h, (unsigned long long)i,
                        (unsigned long long)c, isnan(x[e]) ? "NaN" : "infinite");
        }
    for (uint32_t h = 0; h < heads; h++) {
        if (given && given[h * given_cols + (uint32_t)t->col] != 0.0)
            return fail(err, errlen,
                        "%s/scales.npy: row %u gives a scale for %s, which is a float tensor (its "
                        "scale comes from the input quantiser): that column must be 0",
                        dir, h, t->name);
        double c;
        ak_status st = ak_input_clip(x + h * per_head, per_head, iq, &c);
        if (st != AK_OK)
            return st;
        if (c == 0.0)
            return fail(err, errlen,
                        "%s/%s: head %u is all zeros: no quantisation scale exists (numerics.md 3.1)",
                        dir, t->name, h);
        scale[h] = c / 127.0;
        *clipped += ak_quantize_with_scale(x + h * per_head, per_head, scale[h],
                                           *t->dst + h * per_head);
    }
    return AK_OK;
}

/* Reads dir/scales.npy if it exists (required when any tensor is int8): float64 [heads][3]
 * or [heads][4], positive finite, or 0 in a float tensor's column. */
static ak_status load_scales(const char *dir, uint64_t heads, int need, ak_npy *sc, char *err,
                             size_t errlen)
{
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s/scales.npy", dir);
    if (stat(path, &sb) != 0)
        return need ? fail(err, errlen,
                           "%s: int8 inputs need scales.npy (float64 [heads][3]: q, k, v, or "
                           "[heads][4] with the output scale last)",
                           dir)
                    : AK_OK;
    ak_status st = ak_npy_read(path, sc, err, errlen);
    if (st != AK_OK)
        return st;
    if (sc->dtype != AK_DT_F64 || sc->ndim != 2 || sc->shape[0] != heads ||
        (sc->shape[1] != 3 && sc->shape[1] != 4))
        return fail(err, errlen,
                    "%s: expected float64 of shape [%llu][3] (q, k, v scales) or [%llu][4] "
                    "(q, k, v, output)",
                    path, (unsigned long long)heads, (unsigned long long)heads);
    for (uint64_t x = 0; x < sc->count; x++) {
        double s = ((const double *)sc->data)[x];
        if (!(s >= 0.0 && s < 1e300))
            return fail(err, errlen, "%s: scales must be finite and not negative (0 only for "
                        "a float tensor's column)", path);
        if (s == 0.0 && x % sc->shape[1] == 3)
            return fail(err, errlen, "%s: output scales (column 4) must be positive", path);
    }
    return AK_OK;
}

ak_status ak_inputs_load_npy(const char *dir, const ak_input_quant *iq, ak_inputs *out,
                             char *err, size_t errlen)
{
    if (!out || !dir)
        return AK_EINVAL;
    memset(out, 0, sizeof *out);
    const ak_input_quant max_quant = {.kind = AK_INQ_MAX, .percentile = 100.0};
    if (!iq)
        iq = &max_quant;
    tensor t[3] = {{.name = "q.npy", .dst = &out->q, .real = &out->real_q, .col = 0},
                   {.name = "k.npy", .dst = &out->k, .real = &out->real_k, .col = 1},
                   {.name = "v.npy", .dst = &out->v, .real = &out->real_v, .col = 2}};
    ak_npy sc = {0};
    ak_status st = AK_OK;
    for (int x = 0; x < 3 && st == AK_OK; x++)
        st = load3(dir, t[x].name, &t[x].a, t[x].dims, err, errlen);
    const uint64_t *dq = t[0].dims, *dk = t[1].dims, *dv = t[2].dims;
    if (st == AK_OK && (dk[0] != dq[0] || dv[0] != dq[0] || dk[2] != dq[2] || dv[2] != dq[2] ||
                        dk[1] != dv[1]))
        st = fail(err, errlen,
                  "%s: shape mismatch: q [%llu][%llu][%llu], k [%llu][%llu][%llu], v "
                  "[%llu][%llu][%llu] (heads and head_dim must agree, k and v the tokens)",
                  dir, (unsigned long long)dq[0], (unsigned long long)dq[1],
                  (unsigned long long)dq[2], (unsigned long long)dk[0], (unsigned long long)dk[1],
                  (unsigned long long)dk[2], (unsigned long long)dv[0], (unsigned long long)dv[1],
                  (unsigned long long)dv[2]);
    if (st == AK_OK && (dq[0] < 1 || dq[0] > 64))
        st = fail(err, errlen, "%s/q.npy: heads must be 1..64, got %llu", dir,
                  (unsigned long long)dq[0]);
    if (st == AK_OK && dq[2] != 32 && dq[2] != 64 && dq[2] != 128)
        st = fail(err, errlen, "%s/q.npy: head_dim must be 32, 64 or 128, got %llu", dir,
                  (unsigned long long)dq[2]);
    if (st == AK_OK && (dq[1] < 1 || dq[1] > AK_MAX_TOKENS || dk[1] < 1 || dk[1] > AK_MAX_TOKENS))
        st = fail(err, errlen, "%s: tokens must be 1..65536", dir);
    const int any_int8 = t[0].a.dtype == AK_DT_I8 || t[1].a.dtype == AK_DT_I8 ||
                         t[2].a.dtype == AK_DT_I8;
    if (st == AK_OK)
        st = load_scales(dir, dq[0], any_int8, &sc, err, errlen);
    const uint32_t H = (uint32_t)dq[0];
    double *scale = NULL;
    if (st == AK_OK) {
        out->heads = H, out->nq = (uint32_t)dq[1], out->nk = (uint32_t)dk[1];
        out->d = (uint32_t)dq[2];
        out->scales = calloc(H, sizeof *out->scales);
        scale = malloc(sizeof *scale * 3 * H);
        if (!out->scales || !scale)
            st = AK_ENOMEM;
    }
    const uint32_t cols = sc.data ? (uint32_t)sc.shape[1] : 0;
    for (int x = 0; x < 3 && st == AK_OK; x++)
        st = take(dir, &t[x], H, sc.data, cols, iq, scale + x * H, &out->clipped[x], err,
                  errlen);
    if (st == AK_OK) {
        out->has_out_scale = cols == 4;
        for (uint32_t h = 0; h < H; h++)
            out->scales[h] = (ak_head_scales){scale[h], scale[H + h], scale[2 * H + h],
                                              cols == 4 ? ((const double *)sc.data)[h * 4 + 3]
                                                        : 1.0};
    }
    free(scale);
    for (int x = 0; x < 3; x++)
        ak_npy_free(&t[x].a);
    ak_npy_free(&sc);
    if (st != AK_OK)
        ak_inputs_free(out);
    return st;
}

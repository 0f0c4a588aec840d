/* Real attention inputs from .npy files (inputs.h: ak_inputs_load_npy), e.g. tensors dumped
 * from PyTorch: shapes checked against each other, floats quantised per head, int8 taken with
 * the scales the user supplies. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    const int float_t = a->dtype == AK_DT_F16 || a->dtype == AK_DT_F32 || a->dtype == AK_DT_F64;
    if (nd != 3 || (!float_t && a->dtype != AK_DT_I8)) {
        ak_npy_free(a);
        return fail(err, errlen,
                    "%s: expected a float16/32/64 or int8 array of shape [heads][tokens][head_dim]"
                    " (optionally with a leading 1)",
                    path);
    }
    memcpy(dims, s, 3 * sizeof *dims);
    return AK_OK;
}

/* Fills dst (int8, heads x per_head) from array a and returns head h's scale in scale[h]:
 * int8 arrays keep their values and take column `col` of the given [heads][3] scales. */
static void take(const ak_npy *a, uint32_t heads, uint64_t per_head, int8_t *dst,
                 const double *given, int col, double *scale, double *work)
{
    if (a->dtype == AK_DT_I8) {
        memcpy(dst, a->data, heads * per_head);
        for (uint32_t h = 0; h < heads; h++)
            scale[h] = given[h * 3 + (uint32_t)col];
        return;
    }
    ak_npy_to_double(a, work);
    for (uint32_t h = 0; h < heads; h++)
        scale[h] = ak_quantize_symmetric(work + h * per_head, per_head, dst + h * per_head);
}

ak_status ak_inputs_load_npy(const char *dir, ak_inputs *out, char *err, size_t errlen)
{
    if (!out || !dir)
        return AK_EINVAL;
    memset(out, 0, sizeof *out);
    ak_npy q = {0}, k = {0}, v = {0}, sc = {0};
    uint64_t dq[3], dk[3], dv[3];
    ak_status st = load3(dir, "q.npy", &q, dq, err, errlen);
    if (st == AK_OK)
        st = load3(dir, "k.npy", &k, dk, err, errlen);
    if (st == AK_OK)
        st = load3(dir, "v.npy", &v, dv, err, errlen);
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
    const int any_int8 = q.dtype == AK_DT_I8 || k.dtype == AK_DT_I8 || v.dtype == AK_DT_I8;
    if (st == AK_OK && any_int8) {
        char path[4096];
        snprintf(path, sizeof path, "%s/scales.npy", dir);
        if (ak_npy_read(path, &sc, err, errlen) != AK_OK)
            st = fail(err, errlen,
                      "%s: int8 inputs need scales.npy (float64 [heads][3]: q, k, v): %s", dir,
                      err);
        else if (sc.dtype != AK_DT_F64 || sc.ndim != 2 || sc.shape[0] != dq[0] ||
                 sc.shape[1] != 3)
            st = fail(err, errlen, "%s: expected float64 of shape [%llu][3] (q, k, v scales)",
                      path, (unsigned long long)dq[0]);
        for (uint64_t x = 0; st == AK_OK && x < sc.count; x++) {
            double s = ((const double *)sc.data)[x];
            if (!(s > 0.0 && s < 1e300))
                st = fail(err, errlen, "%s: scales must be positive and finite", path);
        }
    }
    const uint32_t H = (uint32_t)dq[0], nq = (uint32_t)dq[1], nk = (uint32_t)dk[1],
                   d = (uint32_t)dq[2];
    double *work = NULL, *scale = NULL;
    if (st == AK_OK) {
        out->heads = H, out->nq = nq, out->nk = nk, out->d = d;
        out->q = malloc((uint64_t)H * nq * d);
        out->k = malloc((uint64_t)H * nk * d);
        out->v = malloc((uint64_t)H * nk * d);
        out->scales = calloc(H, sizeof *out->scales);
        work = malloc(sizeof *work * (uint64_t)H * (nq > nk ? nq : nk) * d);
        scale = malloc(sizeof *scale * 3 * H);
        if (!out->q || !out->k || !out->v || !out->scales || !work || !scale)
            st = AK_ENOMEM;
    }
    if (st == AK_OK) {
        const double *given = sc.data;
        take(&q, H, (uint64_t)nq * d, out->q, given, 0, scale, work);
        take(&k, H, (uint64_t)nk * d, out->k, given, 1, scale + H, work);
        take(&v, H, (uint64_t)nk * d, out->v, given, 2, scale + 2 * H, work);
        for (uint32_t h = 0; h < H; h++)
            out->scales[h] = (ak_head_scales){scale[h], scale[H + h], scale[2 * H + h], 1.0};
    }
    free(work);
    free(scale);
    ak_npy_free(&q);
    ak_npy_free(&k);
    ak_npy_free(&v);
    ak_npy_free(&sc);
    if (st != AK_OK)
        ak_inputs_free(out);
    return st;
}

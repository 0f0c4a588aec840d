/* Floating-point baselines (float_ref.h): a float64 reference written for obviousness, and a
 * float32 attention over OpenBLAS sgemm. Both see the same int8 inputs and the same position
 * validity as the fixed-point model. */
#include "attnkit/float_ref.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct {
    const ak_attn_job *job;
    const ak_head_scales *scales;
    double *out;
    atomic_uint next; /* next (head, row) to do */
} f64_ctx;

void ak_row_validity(const ak_attn_job *job, uint32_t h, uint32_t i, uint8_t *valid)
{
    const ak_mask *m = job->mask;
    int64_t lim = job->nk;
    if (m && m->token_causal)
        lim = (int64_t)i + 1 + job->nk - job->nq;
    for (uint32_t j = 0; j < job->nk; j++)
        valid[j] = !m && j < lim;
    if (!m)
        return;
    uint32_t count;
    const uint32_t *list = ak_mask_list(m, h, i / m->block, &count);
    for (uint32_t b = 0; b < count; b++)
        for (uint64_t j = (uint64_t)list[b] * m->block;
             j < (uint64_t)(list[b] + 1) * m->block && j < job->nk && (int64_t)j < lim; j++)
            valid[j] = 1;
}

/* Softmax of row i of head h over its valid keys in float64: p[j] (0 where invalid; all 0 when
 * the row has no valid key). */
static void f64_probs_row(const ak_attn_job *job, const ak_head_scales *sc, uint32_t h,
                         uint32_t i, const uint8_t *valid, double *p)
{
    const uint32_t d = job->d, nk = job->nk;
    const int8_t *q = job->q + ((uint64_t)h * job->nq + i) * d;
    const int8_t *k = job->k + (uint64_t)h * nk * d;
    const double scale = sc->q * sc->k / sqrt((double)d);
    double mx = -INFINITY, sum = 0.0;
    for (uint32_t j = 0; j < nk; j++) {
        p[j] = 0.0;
        if (!valid[j])
            continue;
        int64_t s = 0;
        for (uint32_t c = 0; c < d; c++)
            s += (int64_t)q[c] * k[(uint64_t)j * d + c];
        p[j] = scale * (double)s; /* the logit, for now */
        mx = fmax(mx, p[j]);
    }
    for (uint32_t j = 0; j < nk; j++)
        if (valid[j]) {
            p[j] = exp(p[j] - mx);
            sum += p[j];
        }
    for (uint32_t j = 0; j < nk; j++)
        p[j] = sum > 0.0 ? p[j] / sum : 0.0;
}

static void f64_row(const ak_attn_job *job, const ak_head_scales *sc, uint32_t h, uint32_t i,
                    const uint8_t *valid, double *p, double *o)
{
    const uint32_t d = job->d;
    const int8_t *v = job->v + (uint64_t)h * job->nk * d;
    for (uint32_t c = 0; c < d; c++)
        o[c] = 0.0;
    f64_probs_row(job, sc, h, i, valid, p);
    for (uint32_t j = 0; j < job->nk; j++)
        if (valid[j])
            for (uint32_t c = 0; c < d; c++)
                o[c] += p[j] * (double)v[(uint64_t)j * d + c];
    for (uint32_t c = 0; c < d; c++)
        o[c] *= sc->v;
}

static void *f64_worker(void *arg)
{
    f64_ctx *ctx = arg;
    const ak_attn_job *job = ctx->job;
    double *p = malloc(sizeof *p * job->nk);
    uint8_t *valid = malloc(job->nk);
    if (!p || !valid) {
        free(p);
        free(valid);
        return (void *)1;
    }
    for (;;) {
        uint32_t x = atomic_fetch_add(&ctx->next, 1u);
        if (x >= job->heads * job->nq)
            break;
        uint32_t h = x / job->nq, i = x % job->nq;
        ak_row_validity(job, h, i, valid);
        f64_row(job, &ctx->scales[h], h, i, valid, p, ctx->out + (uint64_t)x * job->d);
    }
    free(p);
    free(valid);
    return NULL;
}

static unsigned online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1u;
}

ak_status ak_attention_f64(const ak_attn_job *job, const ak_head_scales *scales, double *out)
{
    if (ak_attn_job_check(job, NULL) != AK_OK || !scales || !out)
        return AK_EINVAL;
    f64_ctx ctx = {.job = job, .scales = scales, .out = out};
    atomic_init(&ctx.next, 0u);
    unsigned n = online_cpus();
    pthread_t *tid = calloc(n, sizeof *tid);
    if (!tid)
        return AK_ENOMEM;
    unsigned started = 0;
    for (; started + 1 < n; started++)
        if (pthread_create(&tid[started], NULL, f64_worker, &ctx) != 0)
            break;
    int failed = f64_worker(&ctx) != NULL;
    for (unsigned t = 0; t < started; t++) {
        void *r;
        pthread_join(tid[t], &r);
        failed |= r != NULL;
    }
    free(tid);
    return failed ? AK_ENOMEM : AK_OK;
}

/* Query rows per sgemm call: bounds the score buffer to ROWS x nk floats. */
#define ROWS 1024

ak_status ak_attention_f32_blas(const ak_attn_job *job, const ak_head_scales *scales,
                                float *out)
{
    if (ak_attn_job_check(job, NULL) != AK_OK || !scales || !out)
        return AK_EINVAL;
    const uint32_t d = job->d, nq = job->nq, nk = job->nk;
    float *qf = malloc(sizeof *qf * (uint64_t)ROWS * d);
    float *kf = malloc(sizeof *kf * (uint64_t)nk * d);
    float *vf = malloc(sizeof *vf * (uint64_t)nk * d);
    float *s = malloc(sizeof *s * (uint64_t)ROWS * nk);
    uint8_t *valid = malloc(nk);
    ak_status st = (qf && kf && vf && s && valid) ? AK_OK : AK_ENOMEM;
    for (uint32_t h = 0; st == AK_OK && h < job->heads; h++) {
        const ak_head_scales *sc = &scales[h];
        const int8_t *k = job->k + (uint64_t)h * nk * d, *v = job->v + (uint64_t)h * nk * d;
        for (uint64_t x = 0; x < (uint64_t)nk * d; x++) {
            kf[x] = (float)(sc->k * k[x]);
            vf[x] = (float)(sc->v * v[x]);
        }
        const float alpha = (float)(1.0 / sqrt((double)d));
        for (uint32_t r0 = 0; r0 < nq; r0 += ROWS) {
            const uint32_t rows = nq - r0 < ROWS ? nq - r0 : ROWS;
            const int8_t *q = job->q + ((uint64_t)h * nq + r0) * d;
            for (uint64_t x = 0; x < (uint64_t)rows * d; x++)
                qf[x] = (float)(sc->q * q[x]);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)nk, (int)d,
                        alpha, qf, (int)d, kf, (int)d, 0.0f, s, (int)nk);
            for (uint32_t r = 0; r < rows; r++) {
                float *row = s + (uint64_t)r * nk, mx = -INFINITY, sum = 0.0f;
                const uint32_t i = r0 + r;
                ak_row_validity(job, h, i, valid);
                for (uint32_t j = 0; j < nk; j++) {
                    row[j] = valid[j] ? row[j] : -INFINITY;
                    mx = fmaxf(mx, row[j]);
                }
                for (uint32_t j = 0; j < nk; j++) {
                    row[j] = mx == -INFINITY ? 0.0f : expf(row[j] - mx);
                    sum += row[j];
                }
                const float inv = sum > 0.0f ? 1.0f / sum : 0.0f;
                for (uint32_t j = 0; j < nk; j++)
                    row[j] *= inv;
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)d, (int)nk,
                        1.0f, s, (int)nk, vf, (int)d, 0.0f,
                        out + ((uint64_t)h * nq + r0) * d, (int)d);
        }
    }
    free(qf);
    free(kf);
    free(vf);
    free(s);
    free(valid);
    return st;
}

ak_status ak_attention_probs_f64(const ak_attn_job *job, const ak_head_scales *scales,
                                 uint32_t row0, uint32_t rows, double *probs)
{
    if (ak_attn_job_check(job, NULL) != AK_OK || !scales || !probs || rows == 0 ||
        row0 >= job->nq || rows > job->nq - row0)
        return AK_EINVAL;
    uint8_t *valid = malloc(job->nk);
    if (!valid)
        return AK_ENOMEM;
    for (uint32_t h = 0; h < job->heads; h++)
        for (uint32_t r = 0; r < rows; r++) {
            ak_row_validity(job, h, row0 + r, valid);
            f64_probs_row(job, &scales[h], h, row0 + r, valid,
                          probs + ((uint64_t)h * rows + r) * job->nk);
        }
    free(valid);
    return AK_OK;
}

/* The error budget of a layer on real inputs (error_budget.h): float64 attention on the real
 * tensors (dense and masked, one softmax per row), float64 on the dequantised int8 inputs, and
 * the fixed-point outputs, compared stage by stage. */
#include "attnkit/error_budget.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attnkit/float_ref.h"
#include "attnkit/numerics.h"

/* Signal and noise power of one comparison, summed over a head. */
typedef struct {
    double sig, noise;
} snr_acc;

static void snr_add(snr_acc *a, double ref, double x)
{
    a->sig += ref * ref;
    a->noise += (x - ref) * (x - ref);
}

static double snr_db(const snr_acc *a)
{
    return a->noise > 0.0 ? 10.0 * log10(a->sig / a->noise) : INFINITY;
}

/* Dense softmax of row i of head h over real (or dequantised) q, k: p[0..nk). */
static void dense_probs(const double *q, const double *k, uint32_t nk, uint32_t d, double *p)
{
    const double scale = 1.0 / sqrt((double)d);
    double mx = -INFINITY, sum = 0.0;
    for (uint32_t j = 0; j < nk; j++) {
        double s = 0.0;
        for (uint32_t c = 0; c < d; c++)
            s += q[c] * k[(uint64_t)j * d + c];
        p[j] = s * scale;
        mx = fmax(mx, p[j]);
    }
    for (uint32_t j = 0; j < nk; j++) {
        p[j] = exp(p[j] - mx);
        sum += p[j];
    }
    for (uint32_t j = 0; j < nk; j++)
        p[j] /= sum;
}

/* The dequantised int8 tensor of one head: x * scale. */
static void dequant(const int8_t *x, uint64_t n, double scale, double *out)
{
    for (uint64_t i = 0; i < n; i++)
        out[i] = scale * (double)x[i];
}

/* Real tensors of head h: the originals, or the dequantised int8 ones in `buf`. */
static const double *head_real(const double *real, const int8_t *x, uint64_t per_head,
                               uint32_t h, double scale, double *buf)
{
    if (real)
        return real + h * per_head;
    dequant(x + h * per_head, per_head, scale, buf);
    return buf;
}

ak_status ak_error_budget(const ak_attn_job *job, const ak_head_scales *scales,
                          const double *real_q, const double *real_k, const double *real_v,
                          const int8_t *out, const int32_t *out_fx, ak_head_budget *budget)
{
    if (ak_attn_job_check(job, NULL) != AK_OK || !scales || !out || !out_fx || !budget ||
        !real_q != !real_k || !real_k != !real_v)
        return AK_EINVAL;
    const uint32_t H = job->heads, nq = job->nq, nk = job->nk, d = job->d;
    const uint64_t outs = (uint64_t)H * nq * d, qn = (uint64_t)nq * d, kn = (uint64_t)nk * d;
    double *f_int8_mask = malloc(sizeof(double) * outs);  /* float64 on int8, with the mask */
    double *f_int8_dense = malloc(sizeof(double) * outs); /* float64 on int8, dense */
    double *bq = malloc(sizeof(double) * qn), *bk = malloc(sizeof(double) * kn);
    double *bv = malloc(sizeof(double) * kn), *p = malloc(sizeof(double) * nk);
    uint8_t *valid = malloc(nk);
    ak_status st = f_int8_mask && f_int8_dense && bq && bk && bv && p && valid ? AK_OK
                                                                               : AK_ENOMEM;
    ak_attn_job dense = *job;
    dense.mask = NULL;
    if (st == AK_OK)
        st = ak_attention_f64(job, scales, f_int8_mask);
    if (st == AK_OK)
        st = ak_attention_f64(&dense, scales, f_int8_dense);
    const double fx_unit = 1.0 / (double)(INT64_C(1) << AK_OUT_FRAC);
    for (uint32_t h = 0; st == AK_OK && h < H; h++) {
        const ak_head_scales *sc = &scales[h];
        const double *q = head_real(real_q, job->q, qn, h, sc->q, bq);
        const double *k = head_real(real_k, job->k, kn, h, sc->k, bk);
        const double *v = head_real(real_v, job->v, kn, h, sc->v, bv);
        snr_acc total = {0}, inq = {0}, fxp = {0}, outq = {0}, msk = {0};
        double mass_sum = 0.0, mass_min = INFINITY;
        int all_valid = 1; /* then the masked output is the dense one: no error */
        for (uint32_t i = 0; i < nq; i++) {
            dense_probs(q + (uint64_t)i * d, k, nk, d, p);
            ak_row_validity(job, h, i, valid);
            double mass = 0.0;
            for (uint32_t j = 0; j < nk; j++) {
                mass += valid[j] ? p[j] : 0.0;
                all_valid &= valid[j];
            }
            mass = all_valid ? 1.0 : mass; /* not 1 - 1e-16 */
            mass_sum += mass;
            mass_min = fmin(mass_min, mass);
            const uint64_t row = ((uint64_t)h * nq + i) * d;
            for (uint32_t c = 0; c < d; c++) {
                double od = 0.0, om = 0.0; /* dense and masked outputs on the real inputs */
                for (uint32_t j = 0; j < nk; j++) {
                    const double pv = p[j] * v[(uint64_t)j * d + c];
                    od += pv;
                    om += valid[j] ? pv : 0.0;
                }
                om = mass > 0.0 ? om / mass : 0.0;
                const double fx = (double)out_fx[row + c] * fx_unit * sc->v;
                const double o8 = (double)out[row + c] * sc->o;
                snr_add(&total, od, o8);
                snr_add(&inq, od, f_int8_dense[row + c]);
                snr_add(&fxp, f_int8_mask[row + c], fx);
                snr_add(&outq, fx, o8);
                snr_add(&msk, od, om);
            }
        }
        ak_head_budget *b = &budget[h];
        b->total_db = snr_db(&total);
        b->input_quant_db = real_q ? snr_db(&inq) : INFINITY;
        b->fixed_point_db = snr_db(&fxp);
        b->output_quant_db = snr_db(&outq);
        b->mask_db = all_valid ? INFINITY : snr_db(&msk);
        b->mass_kept_mean = mass_sum / (double)nq;
        b->mass_kept_min = mass_min;
        b->outputs = qn;
        b->scale_o = sc->o;
    }
    free(f_int8_mask);
    free(f_int8_dense);
    free(bq);
    free(bk);
    free(bv);
    free(p);
    free(valid);
    return st;
}

/* The float64 CLS-row scores: sum over heads of the masked softmax of query 0. */
static ak_status f64_cls_scores(const ak_attn_job *job, const ak_head_scales *scales,
                                const double *real_q, const double *real_k, double *score)
{
    const uint32_t nk = job->nk, d = job->d;
    const uint64_t qn = (uint64_t)job->nq * d, kn = (uint64_t)nk * d;
    double *bq = malloc(sizeof(double) * qn), *bk = malloc(sizeof(double) * kn);
    double *p = malloc(sizeof(double) * nk);
    uint8_t *valid = malloc(nk);
    ak_status st = bq && bk && p && valid ? AK_OK : AK_ENOMEM;
    memset(score, 0, sizeof *score * nk);
    for (uint32_t h = 0; st == AK_OK && h < job->heads; h++) {
        const double *q = head_real(real_q, job->q, qn, h, scales[h].q, bq);
        const double *k = head_real(real_k, job->k, kn, h, scales[h].k, bk);
        dense_probs(q, k, nk, d, p);
        ak_row_validity(job, h, 0, valid);
        double mass = 0.0;
        for (uint32_t j = 0; j < nk; j++)
            mass += valid[j] ? p[j] : 0.0;
        for (uint32_t j = 0; j < nk && mass > 0.0; j++)
            score[j] += valid[j] ? p[j] / mass : 0.0;
    }
    free(bq);
    free(bk);
    free(p);
    free(valid);
    return st;
}

/* A token and its float64 score, sorted by descending score, ties to the lower index. */
typedef struct {
    double score;
    uint32_t token;
} scored;

static int by_score(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return (x->token > y->token) - (x->token < y->token);
}

ak_status ak_prune_agreement_f64(const ak_attn_job *job, const ak_head_scales *scales,
                                 const double *real_q, const double *real_k,
                                 const ak_prune_result *fixed, ak_prune_agreement *agree)
{
    if (ak_attn_job_check(job, NULL) != AK_OK || !scales || !fixed || !agree ||
        !real_q != !real_k || fixed->n_kept + fixed->n_pruned != job->nq)
        return AK_EINVAL;
    const uint32_t n = job->nk, k = fixed->n_kept - 1;
    memset(agree, 0, sizeof *agree);
    agree->k = k;
    agree->tie_eps = (double)job->heads / 65536.0;
    agree->cls_mass_kept = 1.0;
    double *score = malloc(sizeof *score * n);
    scored *order = malloc(sizeof *order * n);
    uint8_t *in_fixed = calloc(n, 1), *in_f64 = calloc(n, 1);
    ak_status st = score && order && in_fixed && in_f64 ? AK_OK : AK_ENOMEM;
    if (st == AK_OK)
        st = f64_cls_scores(job, scales, real_q, real_k, score);
    if (st == AK_OK && n > 1) {
        for (uint32_t j = 1; j < n; j++)
            order[j - 1] = (scored){score[j], j};
        qsort(order, n - 1, sizeof *order, by_score);
        for (uint32_t x = 0; x < k; x++)
            in_f64[order[x].token] = 1;
        for (uint32_t x = 1; x < fixed->n_kept; x++)
            in_fixed[fixed->kept[x]] = 1;
        const double hi = k ? order[k - 1].score : INFINITY;
        const double lo = k < n - 1 ? order[k].score : -INFINITY;
        const double cut = isfinite(hi) && isfinite(lo) ? 0.5 * (hi + lo) : isfinite(hi) ? hi : lo;
        double all = 0.0, kept = 0.0;
        for (uint32_t j = 1; j < n; j++) {
            all += score[j];
            kept += in_fixed[j] ? score[j] : 0.0;
        }
        agree->cls_mass_kept = all > 0.0 ? kept / all : 1.0;
        for (uint32_t j = 1; j < n; j++) {
            agree->common += in_f64[j] && in_fixed[j];
            if (in_f64[j] == in_fixed[j])
                continue;
            agree->n_near_ties += fabs(score[j] - cut) <= agree->tie_eps;
            if (in_f64[j] && agree->n_missed < 16)
                agree->missed[agree->n_missed] = j;
            if (in_fixed[j] && agree->n_extra < 16)
                agree->extra[agree->n_extra] = j;
            agree->n_missed += in_f64[j];
            agree->n_extra += in_fixed[j];
        }
    }
    free(score);
    free(order);
    free(in_fixed);
    free(in_f64);
    return st;
}

/* The online-softmax row unit (docs/numerics.md sections 5, 6, 8 and 11.1). */
#include "online_softmax.h"

#include <math.h>
#include <string.h>

#include "attnkit/exp2.h"
#include "attnkit/fixed.h"

void ak_row_init(ak_row_state *st, uint32_t d)
{
    st->has_max = 0;
    st->m = 0;
    st->l = 0;
    memset(st->acc, 0, sizeof st->acc[0] * d);
}

/* Inlined into the vectorised clones of ak_row_logits (an external call there would not be). */
static inline int32_t logit_sat(int32_t s, const ak_head_quant *qp, int *saturated)
{
    int64_t prod = (int64_t)s * qp->logit_mult; /* |s| <= 2^21, mult < 2^31: 53 bits */
    int64_t r = ak_round_shift(prod, (unsigned)qp->logit_shift);
    int64_t l = ak_sat(r, AK_LOGIT_BITS);
    *saturated = l != r;
    return (int32_t)l;
}

int32_t ak_logit_sat(int32_t s, const ak_head_quant *qp, int *saturated)
{
    return logit_sat(s, qp, saturated);
}

int32_t ak_logit(int32_t s, const ak_head_quant *qp)
{
    int saturated;
    return ak_logit_sat(s, qp, &saturated);
}

/* Inlined where a whole row is requantised. */
static inline int8_t requant(int32_t o_fx, const ak_head_quant *qp, int *saturated)
{
    int64_t r = ak_round_shift((int64_t)o_fx * qp->out_mult, (unsigned)qp->out_shift);
    int64_t o = ak_sat(r, 8);
    *saturated = o != r;
    return (int8_t)o;
}

int8_t ak_requant(int32_t o_fx, const ak_head_quant *qp, int *saturated)
{
    return requant(o_fx, qp, saturated);
}

void ak_row_tile(ak_row_state *st, const int32_t *L, uint32_t n, const int8_t *v, uint32_t d)
{
    ak_key_tile t;
    int32_t Lt[AK_KEY_TILE] = {0};
    memcpy(Lt, L, sizeof L[0] * n);
    ak_key_tile_load(&t, NULL, v, n, d);
    ak_row_update(st, Lt, n, &t);
}

/* ak_round_shift(x, sh) for 1 <= sh <= 62, without its case analysis (so a loop with one
 * shift for every lane vectorises): the biased logical shift of ak_floor_shift plus the first
 * dropped bit. */
static inline int64_t round_shift_1_62(int64_t x, unsigned sh)
{
    return (int64_t)(((uint64_t)x ^ AK_SIGN64) >> sh) - (int64_t)(AK_SIGN64 >> sh) +
           (int64_t)(((uint64_t)x >> (sh - 1)) & 1u);
}

AK_VECTOR_CLONES
uint32_t ak_row_logits(const int32_t *s, uint32_t n, const ak_head_quant *qp, int32_t *L)
{
    uint32_t sat = 0;
    const unsigned sh = (unsigned)qp->logit_shift;
    if (sh == 0) { /* in the domain of ak_quantize_multiplier, though no real scale gives it */
        for (uint32_t j = 0; j < AK_KEY_TILE; j++) {
            int saturated;
            L[j] = logit_sat(s[j], qp, &saturated);
            sat += (uint32_t)(j < n && saturated);
        }
        return sat;
    }
    /* logit_sat with the shift's case analysis hoisted; the loop runs over all 16 lanes
     * (keys past n have s = 0) so it vectorises; only n are counted. */
    const int64_t mult = qp->logit_mult;
    const int64_t hi = (INT64_C(1) << (AK_LOGIT_BITS - 1)) - 1, lo = -hi - 1;
    for (uint32_t j = 0; j < AK_KEY_TILE; j++) {
        const int64_t r = round_shift_1_62((int64_t)s[j] * mult, sh);
        const int64_t l = r > hi ? hi : (r < lo ? lo : r);
        L[j] = (int32_t)l;
        sat += (uint32_t)((j < n) & (l != r));
    }
    return sat;
}

AK_VECTOR_CLONES
void ak_row_update(ak_row_state *st, const int32_t *L, uint32_t n, const ak_key_tile *t)
{
    const uint32_t d = t->d;
    int32_t mx = L[0];
    for (uint32_t j = 1; j < n; j++)
        mx = L[j] > mx ? L[j] : mx;
    int32_t ct = (int32_t)ak_ceil_shift(mx, AK_LOGIT_FRAC);
    if (!st->has_max) {
        st->m = ct;
        st->has_max = 1;
    } else if (ct > st->m) {
        unsigned delta = (unsigned)(ct - st->m);
        st->l = ak_round_shift(st->l, delta);
        for (uint32_t c = 0; c < d; c++)
            st->acc[c] = ak_round_shift(st->acc[c], delta);
        st->m = ct;
    }
    const int64_t mscaled = (int64_t)st->m * (INT64_C(1) << AK_LOGIT_FRAC);
    /* a = m 2^F - L lies in [0, 2^25) for a valid key (L <= the row's max < m 2^F + 2^F,
     * |m 2^F| <= 2^23 + 2^F); p is 0 past n, where the tile's V rows are 0 too. */
    int32_t p[AK_KEY_TILE];
    int64_t psum = 0;
    for (uint32_t j = 0; j < AK_KEY_TILE; j++) {
        const uint32_t e = ak_exp2neg_u31((uint32_t)(mscaled - L[j])); /* <= 2^20 */
        p[j] = j < n ? (int32_t)e : 0;
        psum += p[j];
    }
    st->l += psum;
    int32_t pv[AK_MAX_HEAD_DIM];
    ak_key_tile_pv(t, p, pv); /* int32: see key_tile.h */
    for (uint32_t c = 0; c < d; c++)
        st->acc[c] += pv[c];
}

/* ak_round_div(acc[c] 2^OUT_FRAC, l) for c < d, l > 0, as far as sat(., OUT_FX_BITS) can tell:
 * floor(N / D) with N = 2 acc 2^16 + l, D = 2l (section 1). The estimate is a double,
 * acc (2^16 / l) + 1/2: acc is exact in a double (|acc| < 2^44) and three roundings keep it
 * within 0.2 of N / D while |N / D| < 2^49, so its truncation is within [-1, +2] of the floor,
 * and two steps by the remainder r = N - e D (each moving e by one towards r in [0, D)) give
 * the floor exactly. A larger quotient (a row's are about |acc / l| 2^16 <= 2^23) comes out
 * as +-2^49, which saturates to the same o_fx. Branch-free, so the loop vectorises. */
static inline void row_quotients(const int64_t *restrict acc, int64_t l, uint32_t d,
                                 int64_t *restrict q)
{
    const int64_t D = 2 * l, cap = INT64_C(1) << 49;
    const double scale = 65536.0 / (double)l, lim = 0x1p49;
    for (uint32_t c = 0; c < d; c++) {
        const double qd = (double)acc[c] * scale + 0.5;
        const int big = !(qd > -lim && qd < lim);
        const int64_t N = acc[c] * (INT64_C(1) << (AK_OUT_FRAC + 1)) + l;
        int64_t e = big ? 0 : (int64_t)qd, r = N - e * D;
        for (int step = 0; step < 2; step++) {
            const int64_t up = r >= D, down = r < 0;
            e += up - down;
            r -= (up - down) * D;
        }
        q[c] = big ? (qd < 0 ? -cap : cap) : e;
    }
}

AK_VECTOR_CLONES
void ak_row_finish(const ak_row_state *st, const ak_head_quant *qp, uint32_t d, int8_t *out,
                   int32_t *out_fx, uint64_t *sat_fx, uint64_t *sat_out)
{
    int64_t q[AK_MAX_HEAD_DIM] = {0}; /* a row without keys (l = 0) gives 0 */
    if (st->l != 0)
        row_quotients(st->acc, st->l, d, q);
    const int64_t fx_hi = (INT64_C(1) << (AK_OUT_FX_BITS - 1)) - 1, fx_lo = -fx_hi - 1;
    const unsigned sh = (unsigned)qp->out_shift;
    const int64_t mult = qp->out_mult;
    uint64_t nfx = 0, nout = 0;
    for (uint32_t c = 0; c < d; c++) { /* section 8, with requant's shift hoisted as above */
        const int64_t o = q[c] > fx_hi ? fx_hi : (q[c] < fx_lo ? fx_lo : q[c]);
        nfx += o != q[c];
        if (out_fx)
            out_fx[c] = (int32_t)o;
        const int64_t r = sh ? round_shift_1_62(o * mult, sh) : o * mult;
        const int64_t o8 = r > 127 ? 127 : (r < -128 ? -128 : r);
        nout += o8 != r;
        out[c] = (int8_t)o8;
    }
    *sat_fx += nfx;
    *sat_out += nout;
}

uint16_t ak_row_prob16(const ak_row_state *st, int32_t L)
{
    if (st->l == 0)
        return 0;
    int64_t p = ak_exp2neg((int64_t)st->m * (INT64_C(1) << AK_LOGIT_FRAC) - L);
    int64_t q = ak_round_div(p * (INT64_C(1) << 16), st->l);
    return (uint16_t)(q > UINT16_MAX ? UINT16_MAX : q);
}

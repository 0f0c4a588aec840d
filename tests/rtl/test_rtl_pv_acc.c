/* RTL unit bench of the accumulator update (rtl/ak_pv_acc.sv, Verilated): given the
 * probabilities and rescale shift of a tile step (taken from the C model's row unit run on
 * one-hot V rows), the RTL must leave the same 16 accumulators as the C row unit ak_row_tile
 * run on the real V rows, from random states, tiles and values, including rescale shifts past
 * the accumulator width. */
#include <stdio.h>
#include <string.h>

#include "ak_test.h"
#include "attnkit/numerics.h"
#include "attnkit/fixed.h"
#include "attnkit/rng.h"
#include "online_softmax.h"
#include "rtl_units.h"

static void test_rtl_row_step_equals_c(void)
{
    ak_rng r;
    ak_rng_seed(&r, 4711);
    unsigned bad = 0;
    for (int it = 0; it < 5000 && bad < 5; it++) {
        const unsigned n = 1 + ak_rng_below(&r, 16);
        int32_t L[16];
        const int32_t centre = (int32_t)ak_rng_below(&r, 1u << 22) - (1 << 21);
        for (int j = 0; j < 16; j++)
            L[j] = centre + (int32_t)ak_rng_below(&r, 30 << 12) - (15 << 12);
        static int8_t vc[16 * 32]; /* the C row unit's V rows, d = 32: columns 16.. are 0 */
        int8_t v[16][16];
        memset(vc, 0, sizeof vc);
        for (int j = 0; j < 16; j++)
            for (int c = 0; c < 16; c++)
                vc[j * 32 + c] = v[j][c] = (int8_t)(ak_rng_below(&r, 256) - 128);
        ak_row_state st;
        ak_row_init(&st, 32);
        st.has_max = it % 8 != 0;
        /* jumps of the max up to ~60 whole units, past the 48-bit accumulators */
        st.m = st.has_max ? (centre >> 12) - (int32_t)ak_rng_below(&r, 60) : 0;
        st.l = st.has_max ? (int64_t)(ak_rng_u64(&r) >> 30) : 0;
        int64_t acc[16];
        for (int c = 0; c < 16; c++)
            acc[c] = st.acc[c] = st.has_max ? ak_floor_shift((int64_t)ak_rng_u64(&r), 21) : 0;
        /* p and delta from the C row unit on one-hot V (p_j lands in acc[j]) */
        static int8_t onehot[16 * 32];
        memset(onehot, 0, sizeof onehot);
        for (int j = 0; j < 16; j++)
            onehot[j * 32 + j] = 1;
        ak_row_state probe = st;
        memset(probe.acc, 0, sizeof probe.acc);
        ak_row_tile(&probe, L, n, onehot, 32);
        uint32_t p[16];
        for (unsigned j = 0; j < 16; j++)
            p[j] = j < n ? (uint32_t)probe.acc[j] : 0;
        unsigned delta = st.has_max && probe.m > st.m ? (unsigned)(probe.m - st.m) : 0;
        delta = delta > AK_ACC_BITS + 1 ? AK_ACC_BITS + 1 : delta;
        int64_t acc0[16];
        memcpy(acc0, acc, sizeof acc0);
        ak_rtl_pv_acc(acc, delta, p, v);
        ak_row_tile(&st, L, n, vc, 32);
        for (int c = 0; c < 16; c++)
            if (acc[c] != st.acc[c]) {
                if (bad++ < 3) {
                    int64_t f = ak_round_shift(acc0[c], delta);
                    for (unsigned j = 0; j < 16; j++)
                        f += (int64_t)p[j] * v[j][c];
                    printf("\n    it %d col %d delta %u n %u: rtl %lld, C %lld, formula %lld ", it, c, delta, n,
                           (long long)acc[c], (long long)st.acc[c], (long long)f);
                }
            }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

int ak_test_register(void)
{
    return AK_SUITE("rtl_pv_acc", {"accumulate and rescale: RTL == C row unit, 5k random", test_rtl_row_step_equals_c});
}

/* RTL unit bench of one online-softmax tile step (rtl/ak_softmax_tile.sv, Verilated) against
 * the C model's row unit itself (ak_row_tile): same new maximum and sum, the accumulators'
 * rescale shift, and every probability (read from the C accumulators through one-hot V rows). */
#include <stdio.h>
#include <string.h>

#include "ak_test.h"
#include "attnkit/numerics.h"
#include "attnkit/rng.h"
#include "online_softmax.h"
#include "rtl_units.h"

/* Runs the C row unit from state `in` on the tile; p[j] comes out in acc[j] because V row j is
 * the unit vector e_j and the accumulators start at 0. */
static void c_model(const ak_rtl_row *in, unsigned n, const int32_t L[16], ak_rtl_row *out,
                    unsigned *delta, uint32_t p[16])
{
    static int8_t v[16 * 32];
    memset(v, 0, sizeof v);
    for (int j = 0; j < 16; j++)
        v[j * 32 + j] = 1;
    ak_row_state st;
    ak_row_init(&st, 32);
    st.has_max = in->has_max;
    st.m = in->m;
    st.l = (int64_t)in->l;
    if (n)
        ak_row_tile(&st, L, n, v, 32);
    out->has_max = st.has_max;
    out->m = st.m;
    out->l = (uint64_t)st.l;
    unsigned d = in->has_max && st.m > in->m ? (unsigned)(st.m - in->m) : 0;
    *delta = d > AK_ACC_BITS + 1 ? AK_ACC_BITS + 1 : d;
    for (unsigned j = 0; j < 16; j++)
        p[j] = j < n ? (uint32_t)st.acc[j] : 0;
}

static unsigned compare(const ak_rtl_row *in, unsigned n, const int32_t L[16])
{
    ak_rtl_row ro, co;
    unsigned rd, cd;
    uint32_t rp[16], cp[16];
    ak_rtl_softmax_tile(in, n, L, &ro, &rd, rp);
    c_model(in, n, L, &co, &cd, cp);
    int same = ro.has_max == co.has_max && ro.m == co.m && ro.l == co.l && rd == cd &&
               !memcmp(rp, cp, sizeof rp);
    if (!same)
        printf("\n    in (%d, %d, %llu) n=%u: rtl (%d, %d, %llu, delta %u) C (%d, %d, %llu, delta %u) ",
               in->has_max, in->m, (unsigned long long)in->l, n, ro.has_max, ro.m,
               (unsigned long long)ro.l, rd, co.has_max, co.m, (unsigned long long)co.l, cd);
    return !same;
}

static void test_against_c_row_unit(void)
{
    ak_rng r;
    ak_rng_seed(&r, 31337);
    unsigned bad = 0;
    for (int it = 0; it < 30000 && bad < 5; it++) {
        int32_t L[16];
        const unsigned n = ak_rng_below(&r, 17); /* 0..16 valid keys */
        /* logits clustered (realistic) or anywhere in the 24-bit range */
        const int wide = it % 4 == 0;
        const int32_t centre = (int32_t)ak_rng_below(&r, 1u << 24) - (1 << 23);
        for (int j = 0; j < 16; j++) {
            int64_t x = wide ? (int64_t)ak_rng_below(&r, 1u << 24) - (1 << 23)
                             : centre + (int64_t)ak_rng_below(&r, 40 << 12) - (20 << 12);
            L[j] = (int32_t)(x < -(1 << 23) ? -(1 << 23) : (x > (1 << 23) - 1 ? (1 << 23) - 1 : x));
        }
        ak_rtl_row in = {.has_max = (int)ak_rng_below(&r, 4) != 0,
                         .m = (int32_t)ak_rng_below(&r, 4097) - 2048,
                         .l = ak_rng_u64(&r) >> (28 + ak_rng_below(&r, 36))}; /* up to 2^36 */
        if (!in.has_max) {
            in.m = 0;
            in.l = 0;
        }
        bad += compare(&in, n, L);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_first_tile_and_big_jumps(void)
{
    int32_t L[16];
    for (int j = 0; j < 16; j++)
        L[j] = (j - 8) * 4096 + 17;
    ak_rtl_row fresh = {0, 0, 0};
    unsigned bad = compare(&fresh, 16, L) + compare(&fresh, 1, L) + compare(&fresh, 0, L);
    /* the maximum jumps by far more than 48: the old sum must vanish */
    ak_rtl_row old = {1, -2048, (uint64_t)1 << 36};
    for (int j = 0; j < 16; j++)
        L[j] = (1 << 23) - 1 - j;
    bad += compare(&old, 16, L);
    CU_ASSERT_EQUAL(bad, 0);
}

int ak_test_register(void)
{
    return AK_SUITE("rtl_softmax_tile",
                    {"30k random tiles and states: RTL == C row unit", test_against_c_row_unit},
                    {"first tile, empty tile, huge max jump", test_first_tile_and_big_jumps});
}

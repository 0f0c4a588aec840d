/* The AVX-512 VNNI kernel set (see key_tile.h): a key tile as int8 in the groups of four that
 * vpdpbusd multiplies (u8 x s8, four products and the accumulator summed into each int32 lane,
 * modulo 2^32 but never wrapping here), with the unsigned operand made from the other side:
 * - logits: q + 128 (a u8) against K, then 128 sum_c K[j][c] taken off: exact integers, and
 *   |sum_c (q[c] + 128) K[j][c]| <= 128 * 255 * 128 < 2^23;
 * - P.V: p (0..2^20) in three bytes p0 + 2^8 p1 + 2^16 p2 against V, four keys per lane,
 *   recombined as s0 + 2^8 s1 + 2^16 s2 = sum_j p[j] V[j][c]; each partial sum lies in
 *   [-2^31, 2^31) by the bound of key_tile.h, since the planes only drop low bits of p.
 * Compiled for the instructions it uses only (function target attributes); called only when
 * ak_tile_kernels_available says the CPU has them. */
#include "key_tile.h"

#include <string.h>

#if AK_HAVE_VNNI_KERNELS
#include <immintrin.h>

#define VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

VNNI_TARGET
void ak_key_tile_load_vnni(ak_key_tile *t, const int8_t *k, const int8_t *v, uint32_t n,
                           uint32_t d)
{
    if (k) { /* k4 is the transpose of the 16 x d/4 matrix of K's 4-byte words */
        uint32_t (*k4)[AK_KEY_TILE] = (uint32_t(*)[AK_KEY_TILE])t->vnni.k4;
        for (uint32_t j = 0; j < AK_KEY_TILE; j++) {
            int32_t sum = 0;
            for (uint32_t c4 = 0; c4 < d / 4; c4++) {
                uint32_t w = 0;
                if (j < n)
                    memcpy(&w, k + (uint64_t)j * d + 4 * c4, sizeof w);
                k4[c4][j] = w;
            }
            for (uint32_t c = 0; j < n && c < d; c++)
                sum += k[(uint64_t)j * d + c];
            t->vnni.ksum[j] = sum;
        }
    }
    if (v) { /* four rows' bytes interleaved, 16 dimensions at a time */
        const __m128i zero = _mm_setzero_si128();
        for (uint32_t g = 0; g < AK_KEY_TILE / 4; g++)
            for (uint32_t c = 0; c < d; c += 16) {
                __m128i r[4];
                for (uint32_t i = 0; i < 4; i++)
                    r[i] = 4 * g + i < n ? _mm_loadu_si128((const __m128i *)(v + (uint64_t)(4 * g + i) * d + c))
                                         : zero;
                const __m128i lo01 = _mm_unpacklo_epi8(r[0], r[1]), hi01 = _mm_unpackhi_epi8(r[0], r[1]);
                const __m128i lo23 = _mm_unpacklo_epi8(r[2], r[3]), hi23 = _mm_unpackhi_epi8(r[2], r[3]);
                int8_t *o = t->vnni.v4[g][c];
                _mm_storeu_si128((__m128i *)o, _mm_unpacklo_epi16(lo01, lo23));
                _mm_storeu_si128((__m128i *)(o + 16), _mm_unpackhi_epi16(lo01, lo23));
                _mm_storeu_si128((__m128i *)(o + 32), _mm_unpacklo_epi16(hi01, hi23));
                _mm_storeu_si128((__m128i *)(o + 48), _mm_unpackhi_epi16(hi01, hi23));
            }
    }
}

VNNI_TARGET
void ak_key_tile_dots_vnni(const ak_key_tile *t, const int8_t *q, int32_t s[AK_KEY_TILE])
{
    __m512i acc = _mm512_setzero_si512();
    for (uint32_t c4 = 0; c4 < t->d / 4; c4++) {
        uint32_t qu; /* four q bytes, each + 128 as u8 (x ^ 0x80 for a two's-complement byte) */
        memcpy(&qu, q + 4 * c4, sizeof qu);
        qu ^= 0x80808080u;
        int32_t qi;
        memcpy(&qi, &qu, sizeof qi);
        acc = _mm512_dpbusd_epi32(acc, _mm512_set1_epi32(qi),
                                  _mm512_loadu_si512(t->vnni.k4[c4]));
    }
    const __m512i ksum = _mm512_loadu_si512(t->vnni.ksum);
    _mm512_storeu_si512(s, _mm512_sub_epi32(acc, _mm512_slli_epi32(ksum, 7)));
}

VNNI_TARGET
void ak_key_tile_pv_vnni(const ak_key_tile *t, const int32_t p[AK_KEY_TILE], int32_t *pv)
{
    /* plane b, keys 4g..4g+3: the bytes (p >> 8b) & 255, broadcast to every lane */
    const __m512i P = _mm512_loadu_si512(p), byte = _mm512_set1_epi32(0xff);
    __m512i a[3][AK_KEY_TILE / 4];
    for (int b = 0; b < 3; b++) {
        const __m128i bytes =
            _mm512_cvtepi32_epi8(_mm512_and_si512(_mm512_srli_epi32(P, 8 * b), byte));
        int32_t quad[AK_KEY_TILE / 4];
        _mm_storeu_si128((__m128i *)quad, bytes);
        for (int g = 0; g < AK_KEY_TILE / 4; g++)
            a[b][g] = _mm512_set1_epi32(quad[g]);
    }
    for (uint32_t c = 0; c < t->d; c += 16) {
        __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0;
        for (int g = 0; g < AK_KEY_TILE / 4; g++) {
            const __m512i vg = _mm512_loadu_si512(t->vnni.v4[g][c]); /* 16 dims x 4 keys */
            s0 = _mm512_dpbusd_epi32(s0, a[0][g], vg);
            s1 = _mm512_dpbusd_epi32(s1, a[1][g], vg);
            s2 = _mm512_dpbusd_epi32(s2, a[2][g], vg);
        }
        const __m512i sum = _mm512_add_epi32(
            s0, _mm512_add_epi32(_mm512_slli_epi32(s1, 8), _mm512_slli_epi32(s2, 16)));
        _mm512_storeu_si512(pv + c, sum);
    }
}

#else /* no VNNI kernels in this build: never called (ak_tile_kernels_available says 0) */

void ak_key_tile_load_vnni(ak_key_tile *t, const int8_t *k, const int8_t *v, uint32_t n,
                           uint32_t d)
{
    (void)t, (void)k, (void)v, (void)n, (void)d;
}

void ak_key_tile_dots_vnni(const ak_key_tile *t, const int8_t *q, int32_t s[AK_KEY_TILE])
{
    (void)t, (void)q;
    memset(s, 0, sizeof(int32_t) * AK_KEY_TILE);
}

void ak_key_tile_pv_vnni(const ak_key_tile *t, const int32_t p[AK_KEY_TILE], int32_t *pv)
{
    (void)t, (void)p, (void)pv;
}

#endif

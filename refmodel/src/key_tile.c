/* The choice of kernel set, and the portable set: a key tile widened to int32 and the loops
 * over it the compiler vectorises (see key_tile.h). */
#include "key_tile.h"

#include <stdatomic.h>
#include <string.h>

/* -1 until the first tile picks the best available set. */
static atomic_int current = -1;

int ak_tile_kernels_available(ak_tile_kernels k)
{
    switch (k) {
    case AK_TILE_PORTABLE:
        return 1;
    case AK_TILE_AVX512_VNNI:
#if AK_HAVE_VNNI_KERNELS
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vnni");
#else
        return 0;
#endif
    default:
        return 0;
    }
}

static ak_tile_kernels kernels_now(void)
{
    int k = atomic_load(&current);
    if (k < 0) {
        k = ak_tile_kernels_available(AK_TILE_AVX512_VNNI) ? AK_TILE_AVX512_VNNI
                                                           : AK_TILE_PORTABLE;
        atomic_store(&current, k);
    }
    return (ak_tile_kernels)k;
}

ak_tile_kernels ak_tile_kernels_set(ak_tile_kernels k)
{
    if (!ak_tile_kernels_available(k))
        return AK_TILE_KERNEL_SETS;
    ak_tile_kernels prev = kernels_now();
    atomic_store(&current, (int)k);
    return prev;
}

void ak_key_tile_load(ak_key_tile *t, const int8_t *k, const int8_t *v, uint32_t n, uint32_t d)
{
    t->kernels = kernels_now();
    t->n = n;
    t->d = d;
    if (t->kernels == AK_TILE_AVX512_VNNI) {
        ak_key_tile_load_vnni(t, k, v, n, d);
        return;
    }
    if (k) {
        memset(t->wide.kt, 0, sizeof t->wide.kt[0] * d);
        for (uint32_t j = 0; j < n; j++)
            for (uint32_t c = 0; c < d; c++)
                t->wide.kt[c][j] = k[(uint64_t)j * d + c];
    }
    if (v) {
        for (uint32_t j = 0; j < n; j++)
            for (uint32_t c = 0; c < d; c++)
                t->wide.v[j][c] = v[(uint64_t)j * d + c];
        for (uint32_t j = n; j < AK_KEY_TILE; j++)
            memset(t->wide.v[j], 0, sizeof t->wide.v[j][0] * d);
    }
}

AK_VECTOR_CLONES
static void dots_portable(const ak_key_tile *t, const int8_t *q, int32_t s[AK_KEY_TILE])
{
    /* The 16 keys are one vector (GCC's vector extension: the plain loop below it, the
     * compiler unrolls into 16 reductions over c and shuffles). */
#if defined(__GNUC__)
    typedef int32_t lanes __attribute__((vector_size(AK_KEY_TILE * sizeof(int32_t))));
    lanes acc = {0};
    for (uint32_t c = 0; c < t->d; c++) {
        lanes k;
        memcpy(&k, t->wide.kt[c], sizeof k);
        acc += (int32_t)q[c] * k;
    }
    memcpy(s, &acc, sizeof acc);
#else
    int32_t acc[AK_KEY_TILE] = {0};
    for (uint32_t c = 0; c < t->d; c++)
        for (uint32_t j = 0; j < AK_KEY_TILE; j++)
            acc[j] += q[c] * t->wide.kt[c][j];
    memcpy(s, acc, sizeof acc);
#endif
}

void ak_key_tile_dots(const ak_key_tile *t, const int8_t *q, int32_t s[AK_KEY_TILE])
{
    if (t->kernels == AK_TILE_AVX512_VNNI)
        ak_key_tile_dots_vnni(t, q, s);
    else
        dots_portable(t, q, s);
}

/* Inlined with a constant d, the sums stay in vector registers. */
static inline void pv_d(const ak_key_tile *t, const int32_t *p, int32_t *pv, uint32_t d)
{
    for (uint32_t c = 0; c < d; c++)
        pv[c] = 0;
    for (uint32_t j = 0; j < AK_KEY_TILE; j++)
        for (uint32_t c = 0; c < d; c++)
            pv[c] += p[j] * t->wide.v[j][c];
}

AK_VECTOR_CLONES
static void pv_portable(const ak_key_tile *t, const int32_t *p, int32_t *pv)
{
    if (t->d == 32)
        pv_d(t, p, pv, 32);
    else if (t->d == 64)
        pv_d(t, p, pv, 64);
    else
        pv_d(t, p, pv, t->d);
}

void ak_key_tile_pv(const ak_key_tile *t, const int32_t p[AK_KEY_TILE], int32_t *pv)
{
    if (t->kernels == AK_TILE_AVX512_VNNI)
        ak_key_tile_pv_vnni(t, p, pv);
    else
        pv_portable(t, p, pv);
}

/* A key tile in the layouts the row kernels read, and the query-row dot products against it
 * (see key_tile.h). */
#include "key_tile.h"

#include <string.h>

void ak_key_tile_load(ak_key_tile *t, const int8_t *k, const int8_t *v, uint32_t n, uint32_t d)
{
    t->n = n;
    t->d = d;
    if (k) {
        memset(t->kt, 0, sizeof t->kt[0] * d);
        for (uint32_t j = 0; j < n; j++)
            for (uint32_t c = 0; c < d; c++)
                t->kt[c][j] = k[(uint64_t)j * d + c];
    }
    if (v) {
        for (uint32_t j = 0; j < n; j++)
            for (uint32_t c = 0; c < d; c++)
                t->v[j][c] = v[(uint64_t)j * d + c];
        for (uint32_t j = n; j < AK_KEY_TILE; j++)
            memset(t->v[j], 0, sizeof t->v[j][0] * d);
    }
}

AK_VECTOR_CLONES
void ak_key_tile_dots(const ak_key_tile *t, const int8_t *q, int32_t s[AK_KEY_TILE])
{
    /* |s| <= d * 2^14 <= 2^21. The 16 keys are one vector (GCC's vector extension: the plain
     * loop below it, the compiler unrolls into 16 reductions over c and shuffles). */
#if defined(__GNUC__)
    typedef int32_t lanes __attribute__((vector_size(AK_KEY_TILE * sizeof(int32_t))));
    lanes acc = {0};
    for (uint32_t c = 0; c < t->d; c++) {
        lanes k;
        memcpy(&k, t->kt[c], sizeof k);
        acc += (int32_t)q[c] * k;
    }
    memcpy(s, &acc, sizeof acc);
#else
    int32_t acc[AK_KEY_TILE] = {0};
    for (uint32_t c = 0; c < t->d; c++)
        for (uint32_t j = 0; j < AK_KEY_TILE; j++)
            acc[j] += q[c] * t->kt[c][j];
    memcpy(s, acc, sizeof acc);
#endif
}

/* The register map as the host sees it, from the headers generated out of
 * rtl/regs/attnkit_csr.rdl (PeakRDL c-header, scripts/gen/gen_csr_pkg.py): registers word-aligned
 * and unique, the ID magic spells AKIT, the VERSION register's numerics field equals the
 * numerics spec version of the C model (a second source, numerics.h), error codes distinct, and
 * docs/registers.md regenerates unchanged (the docs stay true to the map). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ak_test.h"
#include "attnkit/numerics.h"
#include "attnkit_csr.h"
#include "attnkit_err.h"

#ifndef AK_MAKE_NUMERICS_VERSION
#error "the Makefile defines AK_MAKE_NUMERICS_VERSION (its NUMERICS_VERSION) for this test"
#endif

static void test_layout(void)
{
    static const size_t offs[] = {
        offsetof(attnkit_csr_t, ID),        offsetof(attnkit_csr_t, VERSION),
        offsetof(attnkit_csr_t, CTRL),      offsetof(attnkit_csr_t, STATUS),
        offsetof(attnkit_csr_t, ERR),       offsetof(attnkit_csr_t, DESC_ADDR_LO),
        offsetof(attnkit_csr_t, DESC_ADDR_HI), offsetof(attnkit_csr_t, CYCLES_LO),
        offsetof(attnkit_csr_t, CYCLES_HI), offsetof(attnkit_csr_t, STALLS_LO),
        offsetof(attnkit_csr_t, STALLS_HI), offsetof(attnkit_csr_t, MACS_LO),
        offsetof(attnkit_csr_t, MACS_HI),   offsetof(attnkit_csr_t, CAPS)};
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
        CU_ASSERT_EQUAL(offs[i] % 4, 0);
        if (i)
            CU_ASSERT(offs[i] > offs[i - 1]); /* ascending, so unique */
    }
    /* 64-bit counters: high word right after the low word */
    CU_ASSERT_EQUAL(offsetof(attnkit_csr_t, CYCLES_HI), offsetof(attnkit_csr_t, CYCLES_LO) + 4);
    CU_ASSERT_EQUAL(offsetof(attnkit_csr_t, DESC_ADDR_HI), offsetof(attnkit_csr_t, DESC_ADDR_LO) + 4);
}

static void test_identity_and_version(void)
{
    const uint32_t magic = ATTNKIT_CSR__ID__MAGIC_reset;
    char text[5] = {(char)(magic >> 24), (char)(magic >> 16), (char)(magic >> 8), (char)magic, 0};
    CU_ASSERT_STRING_EQUAL(text, "AKIT");
    CU_ASSERT_EQUAL(ATTNKIT_CSR__VERSION__NUMERICS_reset, AK_NUMERICS_VERSION);
    /* what the Makefile read from numerics.h and passed to PeakRDL, given to this program
     * when it was built (so it runs on its own, without make's environment) */
    CU_ASSERT_EQUAL(AK_MAKE_NUMERICS_VERSION, AK_NUMERICS_VERSION);
}

static void test_error_codes(void)
{
    static const int codes[] = {AK_HW_ERR_NONE,      AK_HW_ERR_ZERO_TOKENS, AK_HW_ERR_HEAD_DIM,
                                AK_HW_ERR_BLOCK_SIZE, AK_HW_ERR_MISALIGNED, AK_HW_ERR_INDEX_RANGE,
                                AK_HW_ERR_BAD_DESC,   AK_HW_ERR_MEM_RESPONSE, AK_HW_ERR_ABORTED,
                                AK_HW_ERR_PRUNE,      AK_HW_ERR_REGION_OVERLAP,
                                AK_HW_ERR_ADDRESS_WRAP};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        CU_ASSERT(codes[i] >= 0 && codes[i] < (1 << ATTNKIT_CSR__ERR__CODE_bw));
        for (size_t j = 0; j < i; j++)
            CU_ASSERT_NOT_EQUAL(codes[i], codes[j]);
    }
    CU_ASSERT_EQUAL(AK_HW_ERR_NONE, 0);
    /* the pruning unit's codes as the RTL and the host driver number them (issue 14) */
    CU_ASSERT_EQUAL(AK_HW_ERR_PRUNE, 9);
    CU_ASSERT_EQUAL(AK_HW_ERR_REGION_OVERLAP, 10);
    /* DMA confinement (docs/dma-safety.md): a region past 2^64 */
    CU_ASSERT_EQUAL(AK_HW_ERR_ADDRESS_WRAP, 11);
    /* register map 1.1: CAPS.prune */
    CU_ASSERT_EQUAL(ATTNKIT_CSR__VERSION__MINOR_reset, 1);
    CU_ASSERT_EQUAL(ATTNKIT_CSR__CAPS__PRUNE_bp, 24);
    CU_ASSERT_EQUAL(ATTNKIT_CSR__CAPS__PRUNE_bw, 1);
}

static void test_docs_up_to_date(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "python3 -m peakrdl markdown rtl/regs/attnkit_csr.rdl -P NUMERICS=%d -o /tmp/ak_registers.md && "
             "diff -q docs/registers.md /tmp/ak_registers.md >/dev/null",
             AK_NUMERICS_VERSION);
    int rc = system(cmd);
    if (rc != 0)
        printf("\n    docs/registers.md is stale: run `make regmap-docs` and commit it ");
    CU_ASSERT_EQUAL(rc, 0);
    remove("/tmp/ak_registers.md");
}

int ak_test_register(void)
{
    return AK_SUITE("regmap", {"registers word-aligned, ascending, 64-bit pairs adjacent", test_layout},
                    {"ID magic and numerics version from two sources agree", test_identity_and_version},
                    {"error codes distinct and fit ERR.code", test_error_codes},
                    {"docs/registers.md regenerates unchanged", test_docs_up_to_date});
}

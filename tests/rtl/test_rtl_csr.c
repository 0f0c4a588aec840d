/* RTL unit bench of the CSR block (rtl/ak_csr.sv, Verilated) over AXI4-Lite, read against the
 * C header PeakRDL generates from the same register map (a different generator from the SV
 * package the RTL uses): reset values and offsets, descriptor address with byte strobes, the
 * start pulse, done/error/ERR and the interrupt, counters, and SLVERR for unmapped addresses. */
#include <stddef.h>

#include "ak_test.h"
#include "attnkit_csr.h"
#include "attnkit_err.h"
#include "rtl_units.h"

#define OFF(reg) ((uint32_t)offsetof(attnkit_csr_t, reg))
#define OKAY 0u
#define SLVERR 2u

static uint32_t rd(uint32_t addr)
{
    uint32_t v = 0xdeadbeef;
    CU_ASSERT_EQUAL(ak_rtl_csr_read(addr, &v), OKAY);
    return v;
}

static void test_reset_values(void)
{
    ak_rtl_csr_reset();
    CU_ASSERT_EQUAL(rd(OFF(ID)), ATTNKIT_CSR__ID__MAGIC_reset);
    uint32_t v = rd(OFF(VERSION));
    CU_ASSERT_EQUAL((v & ATTNKIT_CSR__VERSION__NUMERICS_bm) >> ATTNKIT_CSR__VERSION__NUMERICS_bp,
                    ATTNKIT_CSR__VERSION__NUMERICS_reset);
    CU_ASSERT_EQUAL((v & ATTNKIT_CSR__VERSION__MAJOR_bm) >> ATTNKIT_CSR__VERSION__MAJOR_bp,
                    ATTNKIT_CSR__VERSION__MAJOR_reset);
    CU_ASSERT_EQUAL((v & ATTNKIT_CSR__VERSION__MINOR_bm) >> ATTNKIT_CSR__VERSION__MINOR_bp,
                    ATTNKIT_CSR__VERSION__MINOR_reset);
    CU_ASSERT_EQUAL(rd(OFF(CTRL)), 0u);
    CU_ASSERT_EQUAL(rd(OFF(STATUS)), 0u);
    CU_ASSERT_EQUAL(rd(OFF(ERR)), AK_HW_ERR_NONE);
    CU_ASSERT_EQUAL(rd(OFF(DESC_ADDR_LO)), 0u);
    uint32_t caps = rd(OFF(CAPS));
    CU_ASSERT_EQUAL((caps & ATTNKIT_CSR__CAPS__PE_ROWS_bm) >> ATTNKIT_CSR__CAPS__PE_ROWS_bp, 16u);
    CU_ASSERT_EQUAL((caps & ATTNKIT_CSR__CAPS__MAX_HEAD_DIM_bm) >> ATTNKIT_CSR__CAPS__MAX_HEAD_DIM_bp, 128u);
    CU_ASSERT_EQUAL((caps & ATTNKIT_CSR__CAPS__PRUNE_bm) >> ATTNKIT_CSR__CAPS__PRUNE_bp, 0u);
}

/* CAPS.prune reads the prune_i input (ak_top ties it to whether ak_prune is present) */
static void test_caps_prune(void)
{
    ak_rtl_csr_reset();
    ak_rtl_csr_in in = {.prune = 1};
    ak_rtl_csr_hw(&in, NULL);
    uint32_t caps = rd(OFF(CAPS));
    CU_ASSERT_EQUAL((caps & ATTNKIT_CSR__CAPS__PRUNE_bm) >> ATTNKIT_CSR__CAPS__PRUNE_bp, 1u);
    CU_ASSERT_EQUAL((caps & ATTNKIT_CSR__CAPS__PE_ROWS_bm) >> ATTNKIT_CSR__CAPS__PE_ROWS_bp, 16u);
    in.prune = 0;
    ak_rtl_csr_hw(&in, NULL);
    caps = rd(OFF(CAPS));
    CU_ASSERT_EQUAL((caps & ATTNKIT_CSR__CAPS__PRUNE_bm) >> ATTNKIT_CSR__CAPS__PRUNE_bp, 0u);
    /* the pruning error codes reach ERR like the others */
    in = (ak_rtl_csr_in){.done_pulse = 1, .error = 1, .err_code = AK_HW_ERR_REGION_OVERLAP};
    ak_rtl_csr_hw(&in, NULL);
    CU_ASSERT_EQUAL(rd(OFF(ERR)), AK_HW_ERR_REGION_OVERLAP);
}

static void test_descriptor_address(void)
{
    ak_rtl_csr_reset();
    CU_ASSERT_EQUAL(ak_rtl_csr_write(OFF(DESC_ADDR_LO), 0x11223340u, 0xf), OKAY);
    CU_ASSERT_EQUAL(ak_rtl_csr_write(OFF(DESC_ADDR_HI), 0x00000005u, 0xf), OKAY);
    CU_ASSERT_EQUAL(rd(OFF(DESC_ADDR_LO)), 0x11223340u);
    /* byte strobes: only bytes 0 and 2 change */
    CU_ASSERT_EQUAL(ak_rtl_csr_write(OFF(DESC_ADDR_LO), 0xaabbccddu, 0x5), OKAY);
    CU_ASSERT_EQUAL(rd(OFF(DESC_ADDR_LO)), 0x11bb33ddu);
    ak_rtl_csr_out out;
    ak_rtl_csr_hw(NULL, &out);
    CU_ASSERT_EQUAL(out.desc_addr, 0x0000000511bb33ddull);
}

static void test_start_done_irq(void)
{
    ak_rtl_csr_reset();
    uint32_t ctrl = ATTNKIT_CSR__CTRL__START_bm | ATTNKIT_CSR__CTRL__IRQ_EN_bm;
    CU_ASSERT_EQUAL(ak_rtl_csr_write(OFF(CTRL), ctrl, 0xf), OKAY);
    ak_rtl_csr_out out;
    ak_rtl_csr_hw(NULL, &out);
    CU_ASSERT_EQUAL(out.start_pulses, 1u); /* exactly one cycle */
    CU_ASSERT_EQUAL(out.abort_pulses, 0u);
    CU_ASSERT_EQUAL(rd(OFF(CTRL)), ATTNKIT_CSR__CTRL__IRQ_EN_bm); /* start reads back 0 */
    CU_ASSERT_EQUAL(out.irq, 0);
    ak_rtl_csr_in in = {.busy = 0, .done_pulse = 1, .error = 1, .err_code = AK_HW_ERR_INDEX_RANGE,
                        .cycles = 0x123456789ull, .stalls = 7, .macs = 1ull << 40};
    ak_rtl_csr_hw(&in, &out);
    CU_ASSERT_EQUAL(out.irq, 1);
    uint32_t st = rd(OFF(STATUS));
    CU_ASSERT(st & ATTNKIT_CSR__STATUS__DONE_bm);
    CU_ASSERT(st & ATTNKIT_CSR__STATUS__ERROR_bm);
    CU_ASSERT_EQUAL(rd(OFF(ERR)), AK_HW_ERR_INDEX_RANGE);
    CU_ASSERT_EQUAL(rd(OFF(CYCLES_LO)), 0x23456789u);
    CU_ASSERT_EQUAL(rd(OFF(CYCLES_HI)), 0x1u);
    CU_ASSERT_EQUAL(rd(OFF(MACS_HI)), 0x100u);
    CU_ASSERT_EQUAL(rd(OFF(STALLS_LO)), 7u);
    /* writing 0 leaves done; writing 1 clears it (and the interrupt) */
    CU_ASSERT_EQUAL(ak_rtl_csr_write(OFF(STATUS), 0, 0xf), OKAY);
    CU_ASSERT(rd(OFF(STATUS)) & ATTNKIT_CSR__STATUS__DONE_bm);
    CU_ASSERT_EQUAL(ak_rtl_csr_write(OFF(STATUS), ATTNKIT_CSR__STATUS__DONE_bm, 0xf), OKAY);
    CU_ASSERT_FALSE(rd(OFF(STATUS)) & ATTNKIT_CSR__STATUS__DONE_bm);
    ak_rtl_csr_hw(NULL, &out);
    CU_ASSERT_EQUAL(out.irq, 0);
    /* busy is live */
    in = (ak_rtl_csr_in){.busy = 1};
    ak_rtl_csr_hw(&in, &out);
    CU_ASSERT(rd(OFF(STATUS)) & ATTNKIT_CSR__STATUS__BUSY_bm);
}

static void test_unmapped_and_read_only(void)
{
    ak_rtl_csr_reset();
    uint32_t v;
    CU_ASSERT_EQUAL(ak_rtl_csr_read(0x1c, &v), SLVERR); /* the hole before CYCLES_LO */
    CU_ASSERT_EQUAL(ak_rtl_csr_read((uint32_t)sizeof(attnkit_csr_t), &v), SLVERR);
    CU_ASSERT_EQUAL(ak_rtl_csr_write(0xfc, 1, 0xf), SLVERR);
    CU_ASSERT_EQUAL(ak_rtl_csr_write(OFF(ID), 0, 0xf), OKAY); /* ignored */
    CU_ASSERT_EQUAL(rd(OFF(ID)), ATTNKIT_CSR__ID__MAGIC_reset);
}

int ak_test_register(void)
{
    return AK_SUITE("rtl_csr", {"reset values at the PeakRDL header's offsets", test_reset_values},
                    {"descriptor address, byte strobes", test_descriptor_address},
                    {"start pulse, done/error/ERR, counters, interrupt, W1C", test_start_done_irq},
                    {"CAPS.prune from prune_i, pruning error codes", test_caps_prune},
                    {"unmapped -> SLVERR, read-only writes ignored", test_unmapped_and_read_only});
}

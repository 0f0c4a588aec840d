/* RTL unit bench of the controller's invariants (rtl/ak_ctrl.sv and its ak_ctrl_slots,
 * ak_ctrl_front and ak_prune, Verilated with --public-flat-rw; docs/assertions.md): idle after
 * reset no assertion fails; then one fault injected per class of invariant (a flop overwritten
 * between two edges) fails that class's assertion by name at the next edge:
 *  - an illegal FSM state (ctrl_state_legal),
 *  - CYCLES going back during a job (ctrl_counters),
 *  - a K or V buffer half given to two pipeline records (slots_k_half, slots_v_half),
 *  - a query-tile context made ready twice (front_ctx_twice),
 *  - the pruning unit's K FIFO popped while empty (prune_kfifo_underflow: a stray K beat). */
#include <string.h>

#include "ak_test.h"
#include "rtl_units.h"

#define RUN 5u               /* ak_ctrl's Run state (its enum: Idle, DescRd, ..., Run = 5) */
#define FE_LAND 9u           /* ak_ctrl_front's FeLand */
#define REC_VALID (1u << 22) /* ak_ctrl_slots record_t: valid is bit 22, empty 1, half 0 */
#define REC_HALF 1u

/* fired (space-separated names) holds name */
static int has(const char *fired, const char *name)
{
    const size_t n = strlen(name);
    for (const char *p = strstr(fired, name); p; p = strstr(p + 1, name))
        if ((p == fired || p[-1] == ' ') && p[n] == ' ')
            return 1;
    return 0;
}

static void expect(const char *fired, const char *name)
{
    if (!has(fired, name))
        printf("\n    planted %s: fired '%s' ", name, fired);
    CU_ASSERT(has(fired, name));
}

static void test_idle_fires_nothing(void)
{
    ak_rtl_ctrl_reset();
    const char *fired = "";
    for (int i = 0; i < 200; i++)
        fired = ak_rtl_ctrl_edge();
    CU_ASSERT_STRING_EQUAL(fired, "");
}

static void test_fsm_state(void)
{
    ak_rtl_ctrl_reset();
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("state", 13), 0);
    expect(ak_rtl_ctrl_edge(), "ctrl_state_legal");
}

static void test_counters(void)
{
    ak_rtl_ctrl_reset();
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("state", RUN), 0); /* busy: a job runs */
    ak_rtl_ctrl_edge();
    ak_rtl_ctrl_edge();
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("state", RUN), 0);
    CU_ASSERT_STRING_EQUAL(ak_rtl_ctrl_edge(), ""); /* counting up: legal */
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("state", RUN), 0);
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("cycles", 0), 0); /* CYCLES back to 0 mid-job */
    expect(ak_rtl_ctrl_edge(), "ctrl_counters");
}

static void test_buffer_halves(void)
{
    ak_rtl_ctrl_reset();
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("state", RUN), 0);
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("slots.fetch", REC_VALID | REC_HALF), 0);
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("slots.qk", REC_VALID | REC_HALF), 0);
    expect(ak_rtl_ctrl_edge(), "slots_k_half");
    ak_rtl_ctrl_reset();
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("state", RUN), 0);
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("slots.sm", REC_VALID), 0);
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("slots.pv", REC_VALID), 0);
    expect(ak_rtl_ctrl_edge(), "slots_v_half");
    /* different halves: legal */
    ak_rtl_ctrl_reset();
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("state", RUN), 0);
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("slots.sm", REC_VALID), 0);
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("slots.pv", REC_VALID | REC_HALF), 0);
    CU_ASSERT(!has(ak_rtl_ctrl_edge(), "slots_v_half"));
}

static void test_context_twice(void)
{
    ak_rtl_ctrl_reset();
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("state", RUN), 0);
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("front.front", FE_LAND), 0); /* context 0 lands ... */
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("front.ctx_ready", 1), 0);  /* ... but is ready already */
    expect(ak_rtl_ctrl_edge(), "front_ctx_twice");
}

static void test_prune_fifo(void)
{
    ak_rtl_ctrl_reset();
    /* a K beat for the pruning unit (tag 13, its TagK) with no K command in flight */
    ak_rtl_ctrl_beat(13, 1);
    expect(ak_rtl_ctrl_edge(), "prune_kfifo_underflow");
}

int ak_test_register(void)
{
    return AK_SUITE("rtl_ctrl", {"idle after reset fires nothing", test_idle_fires_nothing},
                    {"illegal FSM state", test_fsm_state},
                    {"CYCLES back during a job", test_counters},
                    {"a K or V half given twice", test_buffer_halves},
                    {"a context made ready twice", test_context_twice},
                    {"pruning K FIFO underflow", test_prune_fifo});
}

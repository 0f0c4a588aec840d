/* RTL unit bench of the controller's invariants (rtl/ak_ctrl.sv and its ak_ctrl_slots,
 * ak_ctrl_front and ak_prune, Verilated with --public-flat-rw; docs/assertions.md): idle after
 * reset no assertion fails; then one fault injected per class of invariant (a flop overwritten
 * between two edges) fails that class's assertion by name at the next edge:
 *  - an illegal FSM state (ctrl_state_legal),
 *  - CYCLES going back during a job (ctrl_counters),
 *  - a K or V buffer half given to two pipeline records (slots_k_half, slots_v_half),
 *  - a query-tile context made ready twice (front_ctx_twice),
 *  - the pruning unit's K FIFO popped while empty (prune_kfifo_underflow: a stray K beat). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ak_test.h"
#include "rtl_units.h"

#define REC_VALID (1u << 22) /* ak_ctrl_slots record_t: valid is bit 22, empty 1, half 0 */
#define REC_HALF 1u

/* The value of enumerator name in the first `typedef enum ... { ... }` of the RTL file path
 * that lists it (its position: the enums give no values), so that the states poked below follow
 * the RTL when states are added; -1 if not found. */
static long enum_value(const char *path, const char *name)
{
    char *text = ak_test_read_text(path);
    if (!text)
        return -1;
    long v = -1;
    for (char *e = strstr(text, "typedef enum"); e && v < 0; e = strstr(e + 1, "typedef enum")) {
        char *open = strchr(e, '{'), *close = open ? strchr(open, '}') : NULL;
        if (!close)
            break;
        long pos = 0;
        for (char *p = open + 1; p < close && v < 0; pos++) {
            p += strspn(p, " \t\r\n");
            const size_t n = strcspn(p, ", \t\r\n}");
            if (n == strlen(name) && !strncmp(p, name, n))
                v = pos;
            p += n;
            p += strspn(p, " \t\r\n");
            if (*p == ',')
                p++;
        }
    }
    free(text);
    return v;
}

static unsigned state_run, fe_land; /* ak_ctrl's Run, ak_ctrl_front's FeLand */

static int find_states(void)
{
    const long run = enum_value("rtl/ak_ctrl.sv", "Run");
    const long land = enum_value("rtl/ak_ctrl_front.sv", "FeLand");
    if (run < 0 || land < 0)
        return -1;
    state_run = (unsigned)run;
    fe_land = (unsigned)land;
    return 0;
}

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
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("state", state_run), 0); /* busy: a job runs */
    ak_rtl_ctrl_edge();
    ak_rtl_ctrl_edge();
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("state", state_run), 0);
    CU_ASSERT_STRING_EQUAL(ak_rtl_ctrl_edge(), ""); /* counting up: legal */
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("state", state_run), 0);
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("cycles", 0), 0); /* CYCLES back to 0 mid-job */
    expect(ak_rtl_ctrl_edge(), "ctrl_counters");
}

static void test_buffer_halves(void)
{
    ak_rtl_ctrl_reset();
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("state", state_run), 0);
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("slots.fetch", REC_VALID | REC_HALF), 0);
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("slots.qk", REC_VALID | REC_HALF), 0);
    expect(ak_rtl_ctrl_edge(), "slots_k_half");
    ak_rtl_ctrl_reset();
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("state", state_run), 0);
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("slots.sm", REC_VALID), 0);
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("slots.pv", REC_VALID), 0);
    expect(ak_rtl_ctrl_edge(), "slots_v_half");
    /* different halves: legal */
    ak_rtl_ctrl_reset();
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("state", state_run), 0);
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("slots.sm", REC_VALID), 0);
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("slots.pv", REC_VALID | REC_HALF), 0);
    CU_ASSERT(!has(ak_rtl_ctrl_edge(), "slots_v_half"));
}

static void test_context_twice(void)
{
    ak_rtl_ctrl_reset();
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("state", state_run), 0);
    CU_ASSERT_EQUAL(ak_rtl_ctrl_poke("front.front", fe_land), 0); /* context 0 lands ... */
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
    if (find_states() != 0) {
        fprintf(stderr, "test_rtl_ctrl: no enumerator Run in rtl/ak_ctrl.sv or FeLand in "
                        "rtl/ak_ctrl_front.sv\n");
        return -1;
    }
    return AK_SUITE("rtl_ctrl", {"idle after reset fires nothing", test_idle_fires_nothing},
                    {"illegal FSM state", test_fsm_state},
                    {"CYCLES back during a job", test_counters},
                    {"a K or V half given twice", test_buffer_halves},
                    {"a context made ready twice", test_context_twice},
                    {"pruning K FIFO underflow", test_prune_fifo});
}

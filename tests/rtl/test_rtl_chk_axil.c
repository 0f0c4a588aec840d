/* RTL unit bench of the AXI4-Lite slave checker (rtl/ak_chk_axil.sv, Verilated;
 * docs/assertions.md): seeded legal traffic (a master offering writes and reads with random
 * delays and backpressure, a slave answering each after its request and holding the response)
 * fires nothing; one planted violation per assertion fires it by name. */
#include <string.h>

#include "ak_test.h"
#include "attnkit/rng.h"
#include "rtl_units.h"

typedef struct {
    ak_rng rng;
    ak_rtl_axil_sig s;
    int aw_done, w_done; /* the write's AW, W taken */
    unsigned b_owed, r_owed;
    unsigned bs, rs; /* responses taken */
} traffic;

static int coin(traffic *t, unsigned n)
{
    return ak_rng_u64(&t->rng) % n == 0;
}

static void drive(traffic *t)
{
    ak_rtl_axil_sig *s = &t->s;
    if (!s->awvalid && !s->wvalid && !t->aw_done && !t->w_done && !t->b_owed && coin(t, 3))
        s->awvalid = s->wvalid = 1;
    s->awready = coin(t, 2);
    s->wready = coin(t, 2);
    if (!s->bvalid && t->b_owed && coin(t, 2)) {
        s->bvalid = 1;
        s->bresp = (unsigned)(ak_rng_u64(&t->rng) % 2) * 2;
    }
    s->bready = coin(t, 2);
    if (!s->arvalid && !t->r_owed && coin(t, 3))
        s->arvalid = 1;
    s->arready = coin(t, 2);
    if (!s->rvalid && t->r_owed && coin(t, 2)) {
        s->rvalid = 1;
        s->rdata = (uint32_t)ak_rng_u64(&t->rng);
        s->rresp = 0;
    }
    s->rready = coin(t, 2);
}

static void after_edge(traffic *t)
{
    ak_rtl_axil_sig *s = &t->s;
    if (s->bvalid && s->bready) {
        s->bvalid = 0;
        t->b_owed--;
        t->bs++;
    }
    if (s->rvalid && s->rready) {
        s->rvalid = 0;
        t->r_owed--;
        t->rs++;
    }
    if (s->awvalid && s->awready) {
        s->awvalid = 0;
        t->aw_done = 1;
    }
    if (s->wvalid && s->wready) {
        s->wvalid = 0;
        t->w_done = 1;
    }
    if (t->aw_done && t->w_done) {
        t->aw_done = t->w_done = 0;
        t->b_owed++;
    }
    if (s->arvalid && s->arready) {
        s->arvalid = 0;
        t->r_owed++;
    }
}

static void test_legal_traffic_fires_nothing(void)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        traffic t;
        memset(&t, 0, sizeof t);
        ak_rng_seed(&t.rng, seed);
        ak_rtl_chk_axil_reset();
        const char *fired = "";
        for (unsigned i = 0; i < 20000 && !*fired; i++) {
            drive(&t);
            fired = ak_rtl_chk_axil_cycle(&t.s);
            after_edge(&t);
        }
        CU_ASSERT_STRING_EQUAL(fired, "");
        CU_ASSERT(t.bs > 1000 && t.rs > 1000); /* the traffic moved */
    }
}

/* a fresh checker, then the cycles: only the last fires `name` */
static void expect_fires(const char *name, const ak_rtl_axil_sig *cyc, unsigned n)
{
    ak_rtl_chk_axil_reset();
    for (unsigned i = 0; i + 1 < n; i++)
        CU_ASSERT_STRING_EQUAL(ak_rtl_chk_axil_cycle(&cyc[i]), "");
    const char *fired = ak_rtl_chk_axil_cycle(&cyc[n - 1]);
    if (strcmp(fired, name))
        printf("\n    planted %s: fired '%s' ", name, fired);
    CU_ASSERT_STRING_EQUAL(fired, name);
}

#define EXPECT(name, ...)                                                                       \
    expect_fires(name, (const ak_rtl_axil_sig[]){__VA_ARGS__},                                 \
                 (unsigned)(sizeof((const ak_rtl_axil_sig[]){__VA_ARGS__}) /                   \
                            sizeof(ak_rtl_axil_sig)))

static const ak_rtl_axil_sig WRITE = {.awvalid = 1, .awready = 1, .wvalid = 1, .wready = 1};
static const ak_rtl_axil_sig READ = {.arvalid = 1, .arready = 1};

static void test_planted(void)
{
    const ak_rtl_axil_sig b_wait = {.bvalid = 1, .bresp = 0}, b_changed = {.bvalid = 1, .bresp = 2},
                          none = {0};
    EXPECT("axil_b_stable", WRITE, b_wait, b_changed); /* bresp changed before bready */
    EXPECT("axil_b_stable", WRITE, b_wait, none);      /* bvalid dropped */
    const ak_rtl_axil_sig r_wait = {.rvalid = 1, .rdata = 7}, r_changed = {.rvalid = 1, .rdata = 8};
    EXPECT("axil_r_stable", READ, r_wait, r_changed);
    EXPECT("axil_r_stable", READ, r_wait, none);
    EXPECT("axil_b_unexpected", b_wait); /* nothing asked */
    const ak_rtl_axil_sig aw_only = {.awvalid = 1, .awready = 1};
    EXPECT("axil_b_unexpected", aw_only, b_wait); /* the AW without its W */
    /* a response in the request's own cycle */
    ak_rtl_axil_sig same = WRITE;
    same.bvalid = 1;
    EXPECT("axil_b_unexpected", same);
    EXPECT("axil_r_unexpected", r_wait);
    /* a second R for one read */
    const ak_rtl_axil_sig r_taken = {.rvalid = 1, .rready = 1};
    EXPECT("axil_r_unexpected", READ, r_taken, r_taken);
}

int ak_test_register(void)
{
    return AK_SUITE("rtl_chk_axil",
                    {"legal traffic fires nothing", test_legal_traffic_fires_nothing},
                    {"one planted violation per assertion", test_planted});
}

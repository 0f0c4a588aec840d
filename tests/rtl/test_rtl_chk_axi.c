/* RTL unit bench of the AXI4 master checker (rtl/ak_chk_axi.sv, Verilated; docs/assertions.md):
 * seeded legal traffic on all five channels (bursts up to the 4 KB page end, up to 8 reads in
 * flight, W after AW, random valid delays and backpressure on both sides) fires nothing over
 * thousands of cycles; then one planted violation per assertion, each after a legal prefix,
 * fires that assertion by name, and the cycle before it fires nothing. */
#include <string.h>

#include "ak_test.h"
#include "attnkit/hw_params.h"
#include "attnkit/rng.h"
#include "rtl_units.h"

#define LEGAL_CYCLES 20000
#define INCR 1u
#define SIZE AK_BEAT_BYTES_LOG2

/* ---- legal traffic: a master and a slave that keep every rule ---- */
typedef struct {
    ak_rng rng;
    ak_rtl_axi_sig s;
    unsigned r_left[16], r_head, r_n; /* beats left of each read in flight (AR taken) */
    int aw_pending;             /* an AW is offered */
    unsigned w_left;            /* W beats left of the accepted AW (0: none) */
    unsigned w_len;             /* its beats */
    unsigned b_owed;            /* bursts whose last W was taken, B not yet */
    unsigned beat;              /* W beat counter (the data) */
    unsigned ars, rlasts, aws, bs; /* handshakes so far */
} traffic;

static uint32_t draw(traffic *t, uint32_t n)
{
    return (uint32_t)(ak_rng_u64(&t->rng) % n);
}

/* a legal burst at a random aligned address: 1..64 beats, not past the 4 KB page's end */
static void burst(traffic *t, uint64_t *addr, unsigned *len)
{
    const uint64_t a = (uint64_t)draw(t, 1u << 20) << SIZE;
    const unsigned room = (unsigned)((4096 - (a & 4095)) >> SIZE);
    unsigned beats = 1 + draw(t, AK_DEFAULT_MAX_BURST);
    if (beats > room)
        beats = room;
    *addr = a;
    *len = beats - 1;
}

/* the signals of the next cycle from the state (valid payloads held while not taken) */
static void drive(traffic *t)
{
    ak_rtl_axi_sig *s = &t->s;
    /* AR: offered when fewer than the limit are in flight; held until taken */
    if (!s->arvalid && t->r_n < AK_DEFAULT_RD_OUTSTANDING && draw(t, 3) == 0) {
        s->arvalid = 1;
        burst(t, &s->araddr, &s->arlen);
        s->arsize = SIZE;
        s->arburst = INCR;
    }
    s->arready = draw(t, 2);
    /* R: the slave answers the oldest read in flight, beat by beat */
    s->rvalid = t->r_n && draw(t, 3) != 0;
    s->rlast = t->r_n && t->r_left[t->r_head] == 1;
    s->rready = draw(t, 4) != 0;
    /* AW, then its W beats; the next AW only when they are all taken */
    if (!s->awvalid && !t->w_left && t->b_owed < 4 && draw(t, 4) == 0) {
        s->awvalid = 1;
        burst(t, &s->awaddr, &s->awlen);
        s->awsize = SIZE;
        s->awburst = INCR;
    }
    s->awready = draw(t, 2);
    if (!s->wvalid && t->w_left && draw(t, 3) != 0) {
        s->wvalid = 1;
        for (int w = 0; w < AK_RTL_BEAT_WORDS; w++)
            s->wdata[w] = t->beat * 131u + (uint32_t)w;
        s->wstrb = ~0ull;
        s->wlast = t->w_left == 1;
    }
    s->wready = draw(t, 2);
    s->bvalid = t->b_owed && draw(t, 2);
    s->bready = draw(t, 3) != 0;
}

/* the handshakes of the edge just clocked */
static void after_edge(traffic *t)
{
    ak_rtl_axi_sig *s = &t->s;
    if (s->rvalid && s->rready) {
        if (--t->r_left[t->r_head] == 0) {
            t->rlasts++;
            t->r_head = (t->r_head + 1) % 16;
            t->r_n--;
        }
    }
    if (s->arvalid && s->arready) {
        t->r_left[(t->r_head + t->r_n) % 16] = s->arlen + 1;
        t->r_n++;
        t->ars++;
        s->arvalid = 0;
    }
    if (s->wvalid && s->wready) {
        t->beat++;
        if (--t->w_left == 0)
            t->b_owed++;
        s->wvalid = 0;
    }
    if (s->awvalid && s->awready) {
        t->w_left = t->w_len = s->awlen + 1;
        t->aws++;
        s->awvalid = 0;
    }
    if (s->bvalid && s->bready) {
        t->b_owed--;
        t->bs++;
    }
}

/* n cycles of legal traffic; returns the first assertion that failed ("" none) */
static const char *legal(traffic *t, unsigned n)
{
    const char *fired = "";
    for (unsigned i = 0; i < n && !*fired; i++) {
        drive(t);
        fired = ak_rtl_chk_axi_cycle(&t->s);
        after_edge(t);
    }
    return fired;
}

static void start(traffic *t, uint64_t seed)
{
    memset(t, 0, sizeof *t);
    ak_rng_seed(&t->rng, seed);
    ak_rtl_chk_axi_reset();
}

static void test_legal_traffic_fires_nothing(void)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        traffic t;
        start(&t, seed);
        CU_ASSERT_STRING_EQUAL(legal(&t, LEGAL_CYCLES), "");
        /* (the traffic moved: hundreds of bursts each way, W beats by the thousand) */
        CU_ASSERT(t.ars > 300 && t.rlasts > 300 && t.aws > 100 && t.bs > 100 && t.beat > 1000);
    }
}

/* ---- planted violations: after a legal prefix, the idle bus, then the violation ---- */
static const ak_rtl_axi_sig IDLE = {.arsize = SIZE, .arburst = INCR, .awsize = SIZE,
                                    .awburst = INCR, .bready = 1, .rready = 1};

static ak_rtl_axi_sig ar(uint64_t addr, unsigned len, int ready)
{
    ak_rtl_axi_sig s = IDLE;
    s.arvalid = 1;
    s.araddr = addr;
    s.arlen = len;
    s.arready = ready;
    return s;
}

static ak_rtl_axi_sig aw(uint64_t addr, unsigned len, int ready)
{
    ak_rtl_axi_sig s = IDLE;
    s.awvalid = 1;
    s.awaddr = addr;
    s.awlen = len;
    s.awready = ready;
    return s;
}

static ak_rtl_axi_sig w(uint32_t data, int last, int ready)
{
    ak_rtl_axi_sig s = IDLE;
    s.wvalid = 1;
    s.wdata[0] = data;
    s.wstrb = ~0ull;
    s.wlast = last;
    s.wready = ready;
    return s;
}

/* A fresh checker, a legal prefix of random traffic run dry, the given cycles: the last one
 * (only) fires `name`. */
static void expect_fires(const char *name, const ak_rtl_axi_sig *cyc, unsigned n)
{
    traffic t;
    start(&t, 99);
    CU_ASSERT_STRING_EQUAL(legal(&t, 500), "");
    /* let the prefix's bursts finish legally: no new requests, everything answered */
    for (unsigned i = 0; i < 3000 && (t.r_n || t.w_left || t.b_owed || t.s.arvalid ||
                                      t.s.awvalid || t.s.wvalid);
         i++) {
        ak_rtl_axi_sig *s = &t.s;
        s->arready = s->awready = s->wready = 1;
        s->rvalid = t.r_n != 0;
        s->rlast = t.r_n && t.r_left[t.r_head] == 1;
        s->rready = 1;
        if (!s->wvalid && t.w_left) {
            s->wvalid = 1;
            s->wlast = t.w_left == 1;
        }
        s->bvalid = t.b_owed != 0;
        s->bready = 1;
        CU_ASSERT_STRING_EQUAL(ak_rtl_chk_axi_cycle(s), "");
        after_edge(&t);
    }
    CU_ASSERT_STRING_EQUAL(ak_rtl_chk_axi_cycle(&IDLE), "");
    for (unsigned i = 0; i + 1 < n; i++)
        CU_ASSERT_STRING_EQUAL(ak_rtl_chk_axi_cycle(&cyc[i]), "");
    const char *fired = ak_rtl_chk_axi_cycle(&cyc[n - 1]);
    if (strcmp(fired, name))
        printf("\n    planted %s: fired '%s' ", name, fired);
    CU_ASSERT_STRING_EQUAL(fired, name);
}

#define EXPECT(name, ...)                                                                       \
    expect_fires(name, (const ak_rtl_axi_sig[]){__VA_ARGS__},                                  \
                 (unsigned)(sizeof((const ak_rtl_axi_sig[]){__VA_ARGS__}) / sizeof(ak_rtl_axi_sig)))

static void test_handshake_stability(void)
{
    ak_rtl_axi_sig c1 = ar(0x1000, 3, 0), c2 = IDLE;
    EXPECT("axi_ar_stable", c1, c2); /* arvalid dropped before arready */
    c2 = ar(0x1040, 3, 1);
    EXPECT("axi_ar_stable", c1, c2); /* araddr changed */
    c1 = aw(0x2000, 1, 0);
    c2 = aw(0x2000, 2, 1);
    EXPECT("axi_aw_stable", c1, c2); /* awlen changed */
    c1 = w(5, 0, 0);
    c2 = w(6, 0, 1);
    ak_rtl_axi_sig a = aw(0x2000, 1, 1);
    EXPECT("axi_w_stable", a, c1, c2); /* wdata changed before wready */
}

static void test_burst_rules(void)
{
    ak_rtl_axi_sig c = ar(0x1000, 0, 1);
    c.arburst = 0; /* FIXED */
    EXPECT("axi_ar_burst", c);
    c = ar(0x1020, 0, 1); /* not beat-aligned */
    EXPECT("axi_ar_burst", c);
    c = ar(0x1000, AK_DEFAULT_MAX_BURST, 1); /* MaxBurst + 1 beats */
    EXPECT("axi_ar_burst", c);
    EXPECT("axi_ar_4k", ar(0x1fc0, 1, 1)); /* the page's last beat and the next page's first */
    c = aw(0x3000, 0, 1);
    c.awsize = SIZE - 1;
    EXPECT("axi_aw_burst", c);
    EXPECT("axi_aw_4k", aw(0x3f00, 4, 1));
}

static void test_reads_in_flight(void)
{
    ak_rtl_axi_sig c[AK_DEFAULT_RD_OUTSTANDING + 1];
    for (unsigned i = 0; i <= AK_DEFAULT_RD_OUTSTANDING; i++)
        c[i] = ar(0x10000 + 0x1000ull * i, 0, 1);
    expect_fires("axi_ar_outstanding", c, AK_DEFAULT_RD_OUTSTANDING + 1);
    ak_rtl_axi_sig r = IDLE;
    r.rvalid = r.rready = r.rlast = 1;
    EXPECT("axi_r_unexpected", r); /* nothing in flight */
    /* the read's own R in the cycle of its AR */
    ak_rtl_axi_sig both = ar(0x1000, 0, 1);
    both.rvalid = both.rlast = 1;
    EXPECT("axi_r_unexpected", both);
}

static void test_writes(void)
{
    EXPECT("axi_w_no_aw", w(1, 1, 1)); /* W with no AW */
    ak_rtl_axi_sig a = aw(0x4000, 2, 1);
    EXPECT("axi_wlast", a, w(1, 0, 1), w(2, 1, 1)); /* wlast on beat 2 of 3 */
    EXPECT("axi_wlast", a, w(1, 0, 1), w(2, 0, 1), w(3, 0, 1)); /* no wlast on beat 3 */
    ak_rtl_axi_sig b = IDLE;
    b.bvalid = 1;
    EXPECT("axi_b_unexpected", b); /* B with no write */
    /* B in the cycle of the burst's last W */
    ak_rtl_axi_sig wb = w(1, 1, 1);
    wb.bvalid = 1;
    EXPECT("axi_b_unexpected", aw(0x4000, 0, 1), wb);
    EXPECT("axi_aw_ahead", aw(0x4000, 0, 1), aw(0x5000, 0, 1), aw(0x6000, 0, 1),
           aw(0x7000, 0, 1), aw(0x8000, 0, 1));
}

int ak_test_register(void)
{
    return AK_SUITE("rtl_chk_axi", {"legal traffic fires nothing", test_legal_traffic_fires_nothing},
                    {"handshake stability: AR, AW, W", test_handshake_stability},
                    {"burst rules: type, size, alignment, length, 4 KB", test_burst_rules},
                    {"reads in flight: limit, unexpected R", test_reads_in_flight},
                    {"writes: W after AW, wlast, unexpected B, AWs ahead", test_writes});
}

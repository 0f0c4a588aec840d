/* The AXI4 memory model of mem_model.h: bounded rings of read bursts, write bursts awaiting
 * data, early write data and pending write responses; outputs are a function of that state
 * (and of the cycle's jitter draws), so they are stable within a cycle. The bytes go through a
 * storage (ak_mem_storage): the model's own array, or an external one. Also checks the
 * master's side of the protocol (payload held while valid waits, wlast on the last beat, no
 * 4 KB crossing, the accelerator's contract: INCR, full aligned 64-byte beats, <= 64 beats). */
#include "mem_model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LATENCY 20u
#define BURST_FIXED 0u
#define BURST_INCR 1u

typedef struct {
    uint64_t addr, ready; /* start address; first cycle the burst's response may go out */
    uint32_t len, beat;   /* beats - 1; next beat */
    uint8_t size, burst, err, resp;
} burst;

typedef struct {
    uint8_t data[AK_BEAT_BYTES];
    uint64_t strb;
    uint8_t last;
} wbeat;

struct ak_mem {
    uint8_t *bytes;                  /* the own array (NULL with an external storage) */
    ak_mem_storage store;            /* where beats read and write: the own array or external */
    uint64_t rbeat_cycle;            /* 1 + the cycle whose offered read beat rbeat holds */
    uint8_t rbeat_resp;
    uint8_t rbeat[AK_BEAT_BYTES];
    ak_mem_config cfg;
    ak_jitter jit;                   /* this cycle's backpressure draws, the delay sequence */
    uint32_t r_credit, w_credit;     /* bandwidth: bytes the R / W channel may move */
    burst rq[AK_MEM_MAX_READS];
    unsigned rq_head, rq_n;
    burst awq[AK_MEM_MAX_WRITES], bq[AK_MEM_MAX_WRITES];
    unsigned awq_head, awq_n, bq_head, bq_n;
    wbeat *wbuf; /* AK_MEM_WBUF_BEATS */
    unsigned wb_head, wb_n;
    ak_axi_m2s prev;         /* the master's signals at the last edge */
    ak_axi_s2m prev_out;     /* ours at the last edge */
    ak_mem_stats st;
    ak_mem_region regions[AK_MEM_MAX_REGIONS]; /* DMA confinement; n 0: no check */
    unsigned n_regions;
    ak_mem_violation viol;
};

static void draw_jitter(ak_mem *m)
{
    if (m->cfg.jitter_seed)
        ak_jitter_cycle(&m->jit);
}

static uint64_t extra_delay(ak_mem *m)
{
    return m->cfg.jitter_seed ? ak_jitter_extra(&m->jit, m->cfg.latency) : 0;
}

static void protocol_error(ak_mem *m, const char *fmt, ...)
{
    if (m->st.protocol_errors++ == 0) {
        int n = snprintf(m->st.first_protocol_error, sizeof m->st.first_protocol_error,
                         "cycle %llu: ", (unsigned long long)m->st.cycles);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(m->st.first_protocol_error + n, sizeof m->st.first_protocol_error - (size_t)n,
                  fmt, ap);
        va_end(ap);
    }
}

/* The own array's storage callbacks (the model has checked the range). */
static int own_read(void *ctx, uint64_t addr, uint8_t *dst, unsigned n)
{
    const ak_mem *m = ctx;
    memcpy(dst, m->bytes + addr, n);
    return 0;
}

static int own_write(void *ctx, uint64_t addr, const uint8_t *src, unsigned n, uint64_t strb)
{
    ak_mem *m = ctx;
    for (unsigned i = 0; i < n; i++)
        if (strb >> i & 1)
            m->bytes[addr + i] = src[i];
    return 0;
}

/* storage NULL: an own array of cfg->size bytes. */
static ak_status create(const ak_mem_config *cfg, const ak_mem_storage *storage, ak_mem **out)
{
    if (!cfg || !out || cfg->size == 0 || cfg->bytes_per_cycle > AK_BEAT_BYTES)
        return AK_EINVAL;
    *out = NULL;
    ak_mem *m = calloc(1, sizeof *m);
    if (!m)
        return AK_ENOMEM;
    m->cfg = *cfg;
    if (m->cfg.latency == 0)
        m->cfg.latency = DEFAULT_LATENCY;
    if (m->cfg.bytes_per_cycle == 0)
        m->cfg.bytes_per_cycle = AK_BEAT_BYTES;
    if (storage) {
        m->store = *storage;
    } else {
        m->bytes = calloc(1, cfg->size); /* untouched pages cost nothing */
        m->store = (ak_mem_storage){.ctx = m, .read = own_read, .write = own_write};
    }
    m->wbuf = calloc(AK_MEM_WBUF_BEATS, sizeof *m->wbuf);
    if ((!storage && !m->bytes) || !m->wbuf) {
        ak_mem_destroy(m);
        return AK_ENOMEM;
    }
    ak_mem_reset(m);
    *out = m;
    return AK_OK;
}

ak_status ak_mem_create(const ak_mem_config *cfg, ak_mem **out)
{
    return create(cfg, NULL, out);
}

ak_status ak_mem_create_with_storage(const ak_mem_config *cfg, const ak_mem_storage *storage,
                                     ak_mem **out)
{
    if (!storage || !storage->read || !storage->write)
        return AK_EINVAL;
    return create(cfg, storage, out);
}

void ak_mem_destroy(ak_mem *m)
{
    if (!m)
        return;
    free(m->bytes);
    free(m->wbuf);
    free(m);
}

void ak_mem_reset(ak_mem *m)
{
    m->rq_n = m->awq_n = m->bq_n = m->wb_n = 0;
    m->rq_head = m->awq_head = m->bq_head = m->wb_head = 0;
    memset(&m->st, 0, sizeof m->st);
    memset(&m->viol, 0, sizeof m->viol);
    memset(&m->prev, 0, sizeof m->prev);
    memset(&m->prev_out, 0, sizeof m->prev_out);
    m->rbeat_cycle = 0;
    ak_jitter_seed(&m->jit, m->cfg.jitter_seed);
    m->r_credit = m->w_credit = 2 * AK_BEAT_BYTES;
    draw_jitter(m);
}

/* Where beat `beat` of burst b lies: its first byte address, first lane and byte count. */
static void beat_span(const burst *b, uint32_t beat, uint64_t *addr, unsigned *lane,
                      unsigned *nbytes)
{
    const uint64_t bytes = 1ull << b->size;
    const uint64_t a = (b->burst == BURST_FIXED || beat == 0)
                           ? b->addr
                           : (b->addr & ~(bytes - 1)) + (uint64_t)beat * bytes;
    *addr = a;
    *lane = (unsigned)(a % AK_BEAT_BYTES);
    *nbytes = (unsigned)(((a & ~(bytes - 1)) + bytes) - a);
}

static int beat_in_range(const ak_mem *m, const burst *b, uint32_t beat)
{
    uint64_t a;
    unsigned lane, n;
    if (b->err)
        return 0;
    beat_span(b, beat, &a, &lane, &n);
    return a < m->cfg.size && n <= m->cfg.size - a;
}

/* The read beat offered in the current cycle, from the storage (once per cycle: the edge
 * reuses what ak_mem_drive fetched). A failed read answers SLVERR with zero data. */
static void fetch_read_beat(ak_mem *m, const burst *b)
{
    if (m->rbeat_cycle == m->st.cycles + 1)
        return;
    m->rbeat_cycle = m->st.cycles + 1;
    m->rbeat_resp = AK_MEM_RESP_SLVERR;
    if (beat_in_range(m, b, b->beat)) {
        uint64_t a;
        unsigned lane, n;
        beat_span(b, b->beat, &a, &lane, &n);
        if (m->store.read(m->store.ctx, a, m->rbeat + lane, n) == 0) {
            memset(m->rbeat, 0, lane);
            memset(m->rbeat + lane + n, 0, AK_BEAT_BYTES - lane - n);
            m->rbeat_resp = AK_MEM_RESP_OKAY;
            return;
        }
    }
    memset(m->rbeat, 0, sizeof m->rbeat);
}

/* The outputs for the current cycle; rdata only when `data` (the edge does not need it). */
static void compute(ak_mem *m, ak_axi_s2m *o, int data)
{
    memset(o, 0, sizeof *o);
    o->arready = m->rq_n < AK_MEM_MAX_READS;
    if (m->rq_n) {
        const burst *b = &m->rq[m->rq_head];
        if (m->st.cycles >= b->ready && !m->jit.drop_r && m->r_credit >= AK_BEAT_BYTES) {
            fetch_read_beat(m, b);
            o->rvalid = 1;
            o->rlast = b->beat == b->len;
            o->rresp = m->rbeat_resp;
            if (data)
                memcpy(o->rdata, m->rbeat, sizeof o->rdata);
        }
    }
    o->awready = m->awq_n + m->bq_n < AK_MEM_MAX_WRITES && !m->jit.drop_aw;
    o->wready = m->wb_n < AK_MEM_WBUF_BEATS && !m->jit.drop_w && m->w_credit >= AK_BEAT_BYTES;
    if (m->bq_n && m->st.cycles >= m->bq[m->bq_head].ready) {
        o->bvalid = 1;
        o->bresp = m->bq[m->bq_head].resp;
    }
}

void ak_mem_drive(ak_mem *m, ak_axi_s2m *out)
{
    compute(m, out, 1);
}

/* A new burst from an AR or AW handshake, with the checks of the AXI rules and of the
 * accelerator's contract (docs/architecture.md). */
static burst new_burst(ak_mem *m, const char *ch, uint64_t addr, uint8_t len, uint8_t size,
                       uint8_t kind)
{
    burst b = {.addr = addr, .len = len, .size = size, .burst = kind};
    if (size > 6 || kind > BURST_INCR) { /* wider than the bus, WRAP or reserved */
        protocol_error(m, "%s burst at 0x%llx: size %u, burst type %u unsupported", ch,
                       (unsigned long long)addr, size, kind);
        b.err = 1;
        b.size = 0;
        return b;
    }
    const uint64_t last = (kind == BURST_INCR)
                              ? (addr & ~((1ull << size) - 1)) + ((uint64_t)len + 1) * (1ull << size) - 1
                              : addr;
    if (kind == BURST_INCR && (addr >> 12) != (last >> 12))
        protocol_error(m, "%s burst 0x%llx+%u beats crosses a 4 KB boundary", ch,
                       (unsigned long long)addr, len + 1u);
    else if (kind != BURST_INCR || size != AK_BEAT_BYTES_LOG2 || addr % AK_BEAT_BYTES || len > 63)
        protocol_error(m, "%s burst 0x%llx len %u size %u type %u: not INCR of aligned full beats, <= 64",
                       ch, (unsigned long long)addr, len, size, kind);
    return b;
}

/* 1 if [addr, addr + bytes - 1] lies in the union of the regions of that kind. */
static int covered(const ak_mem *m, int write, uint64_t addr, uint64_t bytes)
{
    if (bytes == 0 || bytes - 1 > UINT64_MAX - addr)
        return 0; /* wraps past 2^64 */
    const uint64_t last = addr + (bytes - 1);
    uint64_t pos = addr;
    for (;;) {
        unsigned i = 0;
        while (i < m->n_regions && !(m->regions[i].write == write && m->regions[i].first <= pos &&
                                     pos <= m->regions[i].last))
            i++;
        if (i == m->n_regions)
            return 0;
        if (m->regions[i].last >= last)
            return 1;
        pos = m->regions[i].last + 1;
    }
}

/* DMA confinement: an accepted burst against the job's regions. */
static void confine(ak_mem *m, int write, uint64_t addr, uint8_t len, uint8_t size)
{
    const uint64_t sz = 1ull << (size > 6 ? 6 : size); /* (a size above 6 is a protocol error) */
    const uint64_t bytes = ((uint64_t)len + 1) * sz - (addr & (sz - 1));
    if (!m->n_regions || covered(m, write, addr, bytes))
        return;
    if (m->viol.count++ == 0) {
        m->viol.write = write;
        m->viol.addr = addr;
        m->viol.bytes = bytes;
        m->viol.cycle = m->st.cycles;
    }
}

static void write_beat(ak_mem *m, burst *b, const wbeat *w)
{
    m->st.write_beats++;
    int ok = beat_in_range(m, b, b->beat);
    if (ok) {
        uint64_t a;
        unsigned lane, n;
        beat_span(b, b->beat, &a, &lane, &n);
        const uint64_t strb = (w->strb >> lane) & (n < 64 ? (1ull << n) - 1 : ~0ull);
        ok = m->store.write(m->store.ctx, a, w->data + lane, n, strb) == 0;
    }
    if (!ok) {
        b->resp = AK_MEM_RESP_SLVERR;
        m->st.slverr_beats++;
    }
    const int last = b->beat == b->len;
    if (w->last != last)
        protocol_error(m, "write burst 0x%llx: wlast=%u on beat %u of %u",
                       (unsigned long long)b->addr, w->last, b->beat + 1, b->len + 1);
    b->beat++;
}

/* Matches buffered write beats with the write bursts awaiting data, in order. */
static void drain_writes(ak_mem *m)
{
    while (m->wb_n && m->awq_n) {
        burst *b = &m->awq[m->awq_head];
        write_beat(m, b, &m->wbuf[m->wb_head]);
        m->wb_head = (m->wb_head + 1) % AK_MEM_WBUF_BEATS;
        m->wb_n--;
        if (b->beat > b->len) {
            b->ready = m->st.cycles + m->cfg.latency + extra_delay(m);
            m->bq[(m->bq_head + m->bq_n++) % AK_MEM_MAX_WRITES] = *b;
            m->awq_head = (m->awq_head + 1) % AK_MEM_MAX_WRITES;
            m->awq_n--;
        }
    }
}

/* AXI: once valid is up and not yet taken, it stays up with the same payload. */
static void check_stable(ak_mem *m, const ak_axi_m2s *in)
{
    const ak_axi_m2s *p = &m->prev;
    if (p->arvalid && !m->prev_out.arready &&
        (!in->arvalid || in->araddr != p->araddr || in->arlen != p->arlen))
        protocol_error(m, "arvalid dropped or AR changed before arready");
    if (p->awvalid && !m->prev_out.awready &&
        (!in->awvalid || in->awaddr != p->awaddr || in->awlen != p->awlen))
        protocol_error(m, "awvalid dropped or AW changed before awready");
    if (p->wvalid && !m->prev_out.wready &&
        (!in->wvalid || in->wlast != p->wlast || in->wstrb != p->wstrb ||
         memcmp(in->wdata, p->wdata, sizeof in->wdata)))
        protocol_error(m, "wvalid dropped or W changed before wready");
}

void ak_mem_tick(ak_mem *m, const ak_axi_m2s *in)
{
    ak_axi_s2m o;
    compute(m, &o, 0);
    check_stable(m, in);
    /* R first: it only pops the head, the AR push goes to the tail */
    if (o.rvalid && in->rready) {
        burst *b = &m->rq[m->rq_head];
        m->r_credit -= AK_BEAT_BYTES;
        m->st.read_beats++;
        m->st.slverr_beats += o.rresp != AK_MEM_RESP_OKAY;
        if (b->beat++ == b->len) {
            m->rq_head = (m->rq_head + 1) % AK_MEM_MAX_READS;
            m->rq_n--;
        }
    }
    if (in->arvalid && o.arready) {
        burst b = new_burst(m, "read", in->araddr, in->arlen, in->arsize, in->arburst);
        confine(m, 0, in->araddr, in->arlen, in->arsize);
        b.ready = m->st.cycles + m->cfg.latency + extra_delay(m);
        m->rq[(m->rq_head + m->rq_n++) % AK_MEM_MAX_READS] = b;
        m->st.read_bursts++;
    }
    if (o.bvalid && in->bready) {
        m->bq_head = (m->bq_head + 1) % AK_MEM_MAX_WRITES;
        m->bq_n--;
        m->st.write_responses++;
    }
    if (in->awvalid && o.awready) {
        m->awq[(m->awq_head + m->awq_n++) % AK_MEM_MAX_WRITES] =
            new_burst(m, "write", in->awaddr, in->awlen, in->awsize, in->awburst);
        m->st.write_bursts++;
        confine(m, 1, in->awaddr, in->awlen, in->awsize);
    }
    if (in->wvalid && o.wready) {
        m->w_credit -= AK_BEAT_BYTES;
        wbeat *w = &m->wbuf[(m->wb_head + m->wb_n++) % AK_MEM_WBUF_BEATS];
        memcpy(w->data, in->wdata, sizeof w->data);
        w->strb = in->wstrb;
        w->last = in->wlast;
    }
    drain_writes(m);
    const uint32_t cap = 2 * AK_BEAT_BYTES, bpc = m->cfg.bytes_per_cycle;
    m->r_credit = m->r_credit + bpc > cap ? cap : m->r_credit + bpc;
    m->w_credit = m->w_credit + bpc > cap ? cap : m->w_credit + bpc;
    m->prev = *in;
    m->prev_out = o;
    m->st.cycles++;
    draw_jitter(m);
}

static int in_range(const ak_mem *m, uint64_t addr, uint64_t n)
{
    return addr <= m->cfg.size && n <= m->cfg.size - addr;
}

ak_status ak_mem_write(ak_mem *m, uint64_t addr, const void *src, uint64_t n)
{
    if (!m || (n && !src) || !m->bytes)
        return AK_EINVAL;
    if (!in_range(m, addr, n))
        return AK_ERANGE;
    if (n)
        memcpy(m->bytes + addr, src, n);
    return AK_OK;
}

ak_status ak_mem_read(const ak_mem *m, uint64_t addr, void *dst, uint64_t n)
{
    if (!m || (n && !dst) || !m->bytes)
        return AK_EINVAL;
    if (!in_range(m, addr, n))
        return AK_ERANGE;
    if (n)
        memcpy(dst, m->bytes + addr, n);
    return AK_OK;
}

ak_status ak_mem_fill(ak_mem *m, uint64_t addr, uint8_t value, uint64_t n)
{
    if (!m || !m->bytes)
        return AK_EINVAL;
    if (!in_range(m, addr, n))
        return AK_ERANGE;
    memset(m->bytes + addr, value, n);
    return AK_OK;
}

uint64_t ak_mem_size(const ak_mem *m)
{
    return m->cfg.size;
}

ak_status ak_mem_set_regions(ak_mem *m, const ak_mem_region *r, unsigned n)
{
    if (!m || n > AK_MEM_MAX_REGIONS || (n && !r))
        return AK_EINVAL;
    for (unsigned i = 0; i < n; i++)
        if (r[i].first > r[i].last)
            return AK_EINVAL;
    if (n)
        memcpy(m->regions, r, n * sizeof *r);
    m->n_regions = n;
    memset(&m->viol, 0, sizeof m->viol);
    return AK_OK;
}

void ak_mem_get_violation(const ak_mem *m, ak_mem_violation *v)
{
    *v = m->viol;
}

void ak_mem_get_stats(const ak_mem *m, ak_mem_stats *st)
{
    *st = m->st;
}

unsigned ak_mem_outstanding(const ak_mem *m)
{
    return m->rq_n + m->awq_n + m->bq_n;
}

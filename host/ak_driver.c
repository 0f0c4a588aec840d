/* The attnkit host driver (ak_driver.h): CSR sequences over a backend, job images through the
 * memory window. Offsets are offsetof(attnkit_csr_t, REG) and fields the PeakRDL _bm/_bp
 * macros; error names and texts come from attnkit_err_text.h, generated from the same enum. */
#include "ak_driver.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnkit/numerics.h"
#include "attnkit_csr.h"
#include "attnkit_err.h"

#define REG(r) ((uint32_t)offsetof(attnkit_csr_t, r))
#define FIELD(v, reg, f) (((v) & ATTNKIT_CSR__##reg##__##f##_bm) >> ATTNKIT_CSR__##reg##__##f##_bp)
#define DEFAULT_OFFSET 4096u
#define DEFAULT_SCALE 64u
#define POISON 0xA5u      /* the output region before a job: unwritten rows show */
#define ABORT_DRAIN 1024u /* the drain budget: budget_scale x (mem_latency + this) cycles */

static const struct {
    uint32_t code;
    const char *name, *text;
} hw_errs[] = {
#include "attnkit_err_text.h"
};

struct ak_drv {
    ak_backend be;
    ak_drv_config cfg;
    ak_drv_info info;
};

const char *ak_hw_err_name(uint32_t code)
{
    for (size_t i = 0; i < sizeof hw_errs / sizeof hw_errs[0]; i++)
        if (hw_errs[i].code == code)
            return hw_errs[i].name;
    return NULL;
}

const char *ak_hw_err_text(uint32_t code)
{
    for (size_t i = 0; i < sizeof hw_errs / sizeof hw_errs[0]; i++)
        if (hw_errs[i].code == code)
            return hw_errs[i].text;
    return NULL;
}

static void say(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t len, const char *fmt, ...)
{
    if (!buf || !len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

/* A backend's failure: AK_EBACKEND, but an RTL assertion (AK_EASSERT) stays itself. */
static ak_status be_st(ak_status st)
{
    return st == AK_OK || st == AK_EASSERT ? st : AK_EBACKEND;
}

/* After AK_EASSERT: the backend's line on the assertion into msg (replacing what is there). */
static void assert_say(const ak_drv *d, char *msg, size_t len)
{
    if (d->be.assert_msg)
        d->be.assert_msg(d->be.ctx, msg, len);
    else
        say(msg, len, "%s: an RTL assertion failed", d->be.name);
}

static ak_status rd(ak_drv *d, uint32_t addr, uint32_t *v)
{
    return be_st(d->be.csr_read(d->be.ctx, addr, v));
}

static ak_status wr(ak_drv *d, uint32_t addr, uint32_t v)
{
    return be_st(d->be.csr_write(d->be.ctx, addr, v));
}

static ak_status rd64(ak_drv *d, uint32_t lo, uint32_t hi, uint64_t *v)
{
    uint32_t a, b;
    ak_status st = rd(d, lo, &a);
    if (st == AK_OK)
        st = rd(d, hi, &b);
    *v = st == AK_OK ? (uint64_t)b << 32 | a : 0;
    return st;
}

ak_status ak_drv_open(const ak_backend *be, const ak_drv_config *cfg, ak_drv **out,
                      char *err, size_t errlen)
{
    if (!be || !out || !be->csr_read || !be->csr_write || !be->mem_write || !be->mem_read ||
        !be->wait_irq) {
        if (be && be->close)
            be->close(be->ctx);
        say(err, errlen, "incomplete backend");
        return AK_EINVAL;
    }
    *out = NULL;
    ak_drv *d = calloc(1, sizeof *d);
    if (!d) {
        if (be->close)
            be->close(be->ctx);
        return AK_ENOMEM;
    }
    d->be = *be;
    if (cfg)
        d->cfg = *cfg;
    if (!d->cfg.offset)
        d->cfg.offset = DEFAULT_OFFSET;
    if (!d->cfg.budget_scale)
        d->cfg.budget_scale = DEFAULT_SCALE;
    uint32_t id = 0, ver = 0, caps = 0;
    ak_status st = rd(d, REG(ID), &id);
    if (st == AK_OK)
        st = rd(d, REG(VERSION), &ver);
    if (st == AK_OK)
        st = rd(d, REG(CAPS), &caps);
    ak_drv_info *in = &d->info;
    in->numerics = FIELD(ver, VERSION, NUMERICS);
    in->minor = FIELD(ver, VERSION, MINOR);
    in->major = FIELD(ver, VERSION, MAJOR);
    in->pe_rows = FIELD(caps, CAPS, PE_ROWS);
    in->pe_cols = FIELD(caps, CAPS, PE_COLS);
    in->max_head_dim = FIELD(caps, CAPS, MAX_HEAD_DIM);
    in->pes = in->pe_rows * in->pe_cols + 256u;
    in->prune = FIELD(caps, CAPS, PRUNE);
    if (st != AK_OK) {
        say(err, errlen, "%s: reading ID/VERSION/CAPS failed", be->name);
    } else if (FIELD(id, ID, MAGIC) != ATTNKIT_CSR__ID__MAGIC_reset) {
        say(err, errlen, "%s: ID is 0x%08x, not 0x%08x ('AKIT')", be->name, id,
            ATTNKIT_CSR__ID__MAGIC_reset);
        st = AK_ENODEV;
    } else if (in->numerics != AK_NUMERICS_VERSION) {
        say(err, errlen, "%s: numerics version %u, this driver implements %d", be->name,
            in->numerics, AK_NUMERICS_VERSION);
        st = AK_EVERSION;
    } else if (in->pe_rows == 0 || in->pe_cols == 0) {
        say(err, errlen, "%s: CAPS 0x%08x has no PE array", be->name, caps);
        st = AK_ENODEV;
    }
    if (st != AK_OK) {
        ak_drv_close(d);
        return st;
    }
    *out = d;
    return AK_OK;
}

void ak_drv_close(ak_drv *d)
{
    if (!d)
        return;
    if (d->be.close)
        d->be.close(d->be.ctx);
    free(d);
}

const ak_drv_info *ak_drv_get_info(const ak_drv *d)
{
    return &d->info;
}

const ak_backend *ak_drv_backend(const ak_drv *d)
{
    return &d->be;
}

static uint64_t udiv_up(uint64_t a, uint64_t b)
{
    return (a + b - 1) / b;
}

uint64_t ak_drv_budget(const ak_drv *d, const ak_attn_job *job)
{
    if (d->cfg.max_cycles)
        return d->cfg.max_cycles;
    const uint64_t rows = d->info.pe_rows, dd = job->d, lat = d->be.mem_latency + 16;
    uint64_t slot = dd;
    if (rows * dd / 16 > slot)
        slot = rows * dd / 16;
    if (rows + 2 > slot)
        slot = rows + 2;
    const ak_mask *m = job->mask;
    const uint32_t B = m ? m->block : 16, qblocks = (uint32_t)udiv_up(job->nq, B);
    uint64_t total = 0;
    for (uint32_t h = 0; h < job->heads; h++)
        for (uint32_t qb = 0; qb < qblocks; qb++) {
            uint32_t n = 0;
            const uint32_t *list = m ? ak_mask_list(m, h, qb, &n) : NULL;
            uint64_t ktiles = 0;
            for (uint32_t x = 0; x < n; x++) {
                const uint64_t k0 = (uint64_t)list[x] * B;
                const uint64_t keys = k0 < job->nk ? (job->nk - k0 < B ? job->nk - k0 : B) : 0;
                ktiles += udiv_up(keys, 16);
            }
            const uint64_t qrows = job->nq - qb * B < B ? job->nq - qb * B : B;
            /* slots incl. pipeline fill; setup and finish: ~8 round trips, list, Q and O
             * beats, the divider and requantiser */
            const uint64_t per_tile = (ktiles + 2) * slot + 8 * lat + n + 4 * dd + 64;
            total += udiv_up(qrows, rows) * per_tile;
        }
    return d->cfg.budget_scale * (total + 8 * lat) + 10000;
}

uint64_t ak_drv_budget_prune(const ak_drv *d, const ak_attn_job *job, const ak_prune_job *prune)
{
    const uint64_t base = ak_drv_budget(d, job);
    if (d->cfg.max_cycles || !prune || prune->mode == AK_PRUNE_NONE)
        return base;
    /* the pruning phase: per probe row (heads for EViT, heads x window for eviction) its
       logits again, nk * d / 64 cycles, and ~200 of setup and memory round trips; then up to
       64 passes of the radix top-k over nk scores (nk / 16 beats + 2), 40 cycles a beat with
       the score and index writes. Generous, like the rest:
         heads * window * (nk * d / 64 + 200) + 64 * (nk / 16 + 2) * 40 cycles,
       times budget_scale */
    const uint64_t window = prune->mode == AK_PRUNE_EVICT ? prune->window : 1;
    const uint64_t nk = job->nk, dd = job->d;
    const uint64_t phase = (uint64_t)job->heads * window * (nk * dd / 64 + 200) +
                           64 * (nk / 16 + 2) * 40;
    return base + d->cfg.budget_scale * phase;
}

static ak_status load(ak_drv *d, const ak_attn_job *job, const ak_prune_job *prune, int ofx,
                      ak_job_layout *lay);

ak_status ak_drv_load(ak_drv *d, const ak_attn_job *job, ak_job_layout *lay)
{
    return ak_drv_load_prune(d, job, NULL, lay);
}

ak_status ak_drv_load_prune(ak_drv *d, const ak_attn_job *job, const ak_prune_job *prune,
                            ak_job_layout *lay)
{
    return load(d, job, prune, 0, lay);
}

/* ak_drv_load_prune; ofx: with the debug mode's o_fx region (poisoned like o) */
static ak_status load(ak_drv *d, const ak_attn_job *job, const ak_prune_job *prune, int ofx,
                      ak_job_layout *lay)
{
    if (!d || !job || !lay)
        return AK_EINVAL;
    const uint64_t base = d->be.mem_base + d->cfg.offset;
    const ak_prune_job none = {.mode = AK_PRUNE_NONE};
    if (base % AK_JOB_ALIGN || ak_job_layout_plan(job, base, lay) != AK_OK ||
        ak_job_layout_add_prune(lay, job->nk, prune ? prune : &none) != AK_OK ||
        (ofx && ak_job_layout_add_ofx(lay, job->heads, job->nq, job->d) != AK_OK))
        return AK_EINVAL;
    if (lay->end > d->be.mem_base + d->be.mem_size)
        return AK_ERANGE;
    const uint64_t in_bytes = lay->o - lay->desc;
    uint8_t *img = malloc(in_bytes > lay->o_bytes ? in_bytes : lay->o_bytes);
    if (!img)
        return AK_ENOMEM;
    ak_status st = AK_OK;
    if (ak_job_image_write(job, lay, img) != AK_OK)
        st = AK_EINVAL;
    else if (d->be.mem_write(d->be.ctx, lay->desc, img, in_bytes) != AK_OK)
        st = AK_EBACKEND;
    if (st == AK_OK) {
        memset(img, POISON, lay->o_bytes);
        if (d->be.mem_write(d->be.ctx, lay->o, img, lay->o_bytes) != AK_OK)
            st = AK_EBACKEND;
    }
    free(img);
    /* the pruning (and o_fx) regions poisoned too: what the device did not write shows */
    const uint64_t pbytes = lay->end - lay->score;
    if (st == AK_OK && pbytes) {
        uint8_t *poison = malloc(pbytes);
        if (!poison)
            return AK_ENOMEM;
        memset(poison, POISON, pbytes);
        if (d->be.mem_write(d->be.ctx, lay->score, poison, pbytes) != AK_OK)
            st = AK_EBACKEND;
        free(poison);
    }
    return st;
}

void ak_drv_prune_out_free(ak_drv_prune_out *p)
{
    if (!p)
        return;
    free(p->score);
    free(p->kept);
    free(p->fused);
    memset(p, 0, sizeof *p);
}

static uint32_t le32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

ak_status ak_drv_read_prune(ak_drv *d, const ak_job_layout *lay, uint32_t nk,
                            ak_drv_prune_out *out)
{
    if (!d || !lay || !out)
        return AK_EINVAL;
    memset(out, 0, sizeof *out);
    if (lay->prune.mode == AK_PRUNE_NONE)
        return AK_OK;
    out->nk = nk;
    out->n_kept = (uint32_t)(lay->kept_bytes / 4);
    out->n_fused = (uint32_t)(lay->fused_bytes / 2);
    const uint64_t n = lay->end - lay->score;
    uint8_t *buf = malloc(n ? n : 1);
    out->score = malloc(sizeof *out->score * (nk ? nk : 1));
    out->kept = malloc(sizeof *out->kept * (out->n_kept ? out->n_kept : 1));
    out->fused = malloc(sizeof *out->fused * (out->n_fused ? out->n_fused : 1));
    ak_status st = buf && out->score && out->kept && out->fused ? AK_OK : AK_ENOMEM;
    if (st == AK_OK && d->be.mem_read(d->be.ctx, lay->score, buf, n) != AK_OK)
        st = AK_EBACKEND;
    if (st == AK_OK) {
        const uint8_t *sc = buf, *kp = buf + (lay->kept - lay->score),
                      *fu = buf + (lay->fused - lay->score);
        for (uint32_t j = 0; j < nk; j++)
            out->score[j] = le32(sc + 4ull * j);
        for (uint32_t j = 0; j < out->n_kept; j++)
            out->kept[j] = le32(kp + 4ull * j);
        for (uint32_t j = 0; j < out->n_fused; j++)
            out->fused[j] = (uint16_t)(fu[2ull * j] | fu[2ull * j + 1] << 8);
    }
    free(buf);
    if (st != AK_OK)
        ak_drv_prune_out_free(out);
    return st;
}

ak_status ak_drv_start(ak_drv *d, uint64_t desc_addr)
{
    uint32_t s;
    ak_status st = rd(d, REG(STATUS), &s);
    if (st != AK_OK)
        return st;
    if (FIELD(s, STATUS, BUSY))
        return AK_EBUSY;
    if (FIELD(s, STATUS, DONE) && (st = wr(d, REG(STATUS), ATTNKIT_CSR__STATUS__DONE_bm)))
        return st;
    if ((st = wr(d, REG(DESC_ADDR_LO), (uint32_t)desc_addr)) ||
        (st = wr(d, REG(DESC_ADDR_HI), (uint32_t)(desc_addr >> 32))))
        return st;
    if (d->be.dma_begin)
        d->be.dma_begin(d->be.ctx, desc_addr);
    return wr(d, REG(CTRL), ATTNKIT_CSR__CTRL__START_bm | ATTNKIT_CSR__CTRL__IRQ_EN_bm);
}

static ak_status read_counters(ak_drv *d, ak_drv_result *r)
{
    uint32_t e = 0;
    ak_status st = rd(d, REG(STATUS), &r->status_reg);
    if (st == AK_OK)
        st = rd(d, REG(ERR), &e);
    r->err_code = FIELD(e, ERR, CODE);
    if (st == AK_OK)
        st = rd64(d, REG(CYCLES_LO), REG(CYCLES_HI), &r->cycles);
    if (st == AK_OK)
        st = rd64(d, REG(STALLS_LO), REG(STALLS_HI), &r->stalls);
    if (st == AK_OK)
        st = rd64(d, REG(MACS_LO), REG(MACS_HI), &r->macs);
    return st;
}

ak_status ak_drv_abort(ak_drv *d, uint64_t max_cycles, ak_drv_result *res)
{
    ak_drv_result r = {0};
    if (!d) {
        r.status = AK_EINVAL;
        say(r.msg, sizeof r.msg, "no driver");
        if (res)
            *res = r;
        return r.status;
    }
    r.budget = max_cycles ? max_cycles : d->cfg.budget_scale * (d->be.mem_latency + ABORT_DRAIN);
    uint32_t s = 0;
    ak_status st = rd(d, REG(STATUS), &s);
    const int busy = st == AK_OK && FIELD(s, STATUS, BUSY);
    /* a done left over from an earlier job would end the wait below at once */
    if (busy && FIELD(s, STATUS, DONE))
        st = wr(d, REG(STATUS), ATTNKIT_CSR__STATUS__DONE_bm);
    if (busy && st == AK_OK)
        st = wr(d, REG(CTRL), ATTNKIT_CSR__CTRL__ABORT_bm | ATTNKIT_CSR__CTRL__IRQ_EN_bm);
    if (busy && st == AK_OK) {
        const ak_status w = d->be.wait_irq(d->be.ctx, r.budget, &r.waited);
        st = w == AK_ETIMEOUT ? AK_OK : w;
    }
    if (st == AK_OK)
        st = read_counters(d, &r);
    if (st != AK_OK) {
        st = AK_EBACKEND;
        say(r.msg, sizeof r.msg, "%s: CSR access or wait failed during the abort", d->be.name);
    } else if (FIELD(r.status_reg, STATUS, BUSY)) {
        st = AK_EHANG;
        say(r.msg, sizeof r.msg, "still busy %llu cycles after CTRL.abort (STATUS 0x%x)",
            (unsigned long long)r.waited, r.status_reg);
    } else {
        if (busy)
            say(r.msg, sizeof r.msg, "aborted, idle");
        else
            say(r.msg, sizeof r.msg, "idle: no job to abort");
        if (busy && FIELD(r.status_reg, STATUS, DONE) &&
            wr(d, REG(STATUS), ATTNKIT_CSR__STATUS__DONE_bm) != AK_OK) {
            st = AK_EBACKEND;
            say(r.msg, sizeof r.msg, "%s: clearing STATUS.done failed", d->be.name);
        }
    }
    r.status = st;
    if (res)
        *res = r;
    return st;
}

/* After a hang: ak_drv_abort within the drain budget; its outcome appended to r's message. */
static void abort_job(ak_drv *d, ak_drv_result *r)
{
    ak_drv_result a;
    const ak_status st = ak_drv_abort(d, 0, &a);
    const size_t n = strlen(r->msg);
    say(r->msg + n, sizeof r->msg - n, "; %s", st == AK_OK ? "aborted, idle" : a.msg);
}

ak_status ak_drv_wait(ak_drv *d, uint64_t budget, ak_drv_result *res)
{
    ak_drv_result r = {.budget = budget};
    const ak_status w = d->be.wait_irq(d->be.ctx, budget, &r.waited);
    ak_status st = AK_OK;
    if (w != AK_OK && w != AK_ETIMEOUT) {
        st = be_st(w);
        say(r.msg, sizeof r.msg, "%s: waiting for the interrupt failed", d->be.name);
    } else if ((st = read_counters(d, &r)) != AK_OK) {
        say(r.msg, sizeof r.msg, "%s: reading STATUS/ERR/counters failed", d->be.name);
    } else if (w == AK_ETIMEOUT) {
        st = AK_EHANG;
        say(r.msg, sizeof r.msg,
            "hang: no interrupt within the budget of %llu cycles (waited %llu; STATUS 0x%x, "
            "busy %u, CYCLES %llu)",
            (unsigned long long)budget, (unsigned long long)r.waited, r.status_reg,
            (unsigned)FIELD(r.status_reg, STATUS, BUSY), (unsigned long long)r.cycles);
        abort_job(d, &r);
    } else if (!FIELD(r.status_reg, STATUS, DONE)) {
        st = AK_EBACKEND;
        say(r.msg, sizeof r.msg, "interrupt without STATUS.done (STATUS 0x%x)", r.status_reg);
    } else {
        if (FIELD(r.status_reg, STATUS, ERROR)) {
            const char *name = ak_hw_err_name(r.err_code), *text = ak_hw_err_text(r.err_code);
            st = AK_EHW;
            say(r.msg, sizeof r.msg, "hardware error %u %s: %s (after %llu cycles)",
                r.err_code, name ? name : "(unknown code)", text ? text : "not in the register map",
                (unsigned long long)r.cycles);
        }
        if (wr(d, REG(STATUS), ATTNKIT_CSR__STATUS__DONE_bm) != AK_OK && st == AK_OK) {
            st = AK_EBACKEND;
            say(r.msg, sizeof r.msg, "%s: clearing STATUS.done failed", d->be.name);
        }
    }
    if (st == AK_EASSERT)
        assert_say(d, r.msg, sizeof r.msg);
    char dma[160];
    if (d->be.dma_check && d->be.dma_check(d->be.ctx, dma, sizeof dma) != AK_OK) {
        char was[sizeof r.msg];
        snprintf(was, sizeof was, "%s", r.msg);
        say(r.msg, sizeof r.msg, "%s%s%s", dma, was[0] ? "; " : "", was);
        if (st != AK_EASSERT)
            st = AK_EDMA;
    }
    r.status = st;
    if (res)
        *res = r;
    return st;
}

ak_status ak_drv_read_output(ak_drv *d, const ak_attn_job *job, const ak_job_layout *lay,
                             int8_t *out)
{
    uint8_t *o = malloc(lay->o_bytes);
    if (!o)
        return AK_ENOMEM;
    ak_status st = AK_EBACKEND;
    if (d->be.mem_read(d->be.ctx, lay->o, o, lay->o_bytes) == AK_OK) {
        ak_job_output_read(job, lay, o, out);
        st = AK_OK;
    }
    free(o);
    return st;
}

ak_status ak_drv_run(ak_drv *d, const ak_attn_job *job, int8_t *out, ak_drv_result *res)
{
    return ak_drv_run_prune(d, job, NULL, out, NULL, res);
}

static ak_status run(ak_drv *d, const ak_attn_job *job, const ak_prune_job *prune, int8_t *out,
                     int32_t *out_fx, ak_drv_prune_out *pout, ak_drv_result *res);

ak_status ak_drv_run_prune(ak_drv *d, const ak_attn_job *job, const ak_prune_job *prune,
                           int8_t *out, ak_drv_prune_out *pout, ak_drv_result *res)
{
    return run(d, job, prune, out, NULL, pout, res);
}

ak_status ak_drv_run_ofx(ak_drv *d, const ak_attn_job *job, const ak_prune_job *prune,
                         int8_t *out, int32_t *out_fx, ak_drv_prune_out *pout,
                         ak_drv_result *res)
{
    if (!out_fx) {
        if (res) {
            memset(res, 0, sizeof *res);
            res->status = AK_EINVAL;
            say(res->msg, sizeof res->msg, "missing o_fx output buffer");
        }
        return AK_EINVAL;
    }
    return run(d, job, prune, out, out_fx, pout, res);
}

/* ak_drv_run_prune; out_fx not NULL: in debug mode, o_fx read back into it */
static ak_status run(ak_drv *d, const ak_attn_job *job, const ak_prune_job *prune, int8_t *out,
                     int32_t *out_fx, ak_drv_prune_out *pout, ak_drv_result *res)
{
    if (!res)
        return AK_EINVAL;
    memset(res, 0, sizeof *res);
    if (pout)
        memset(pout, 0, sizeof *pout);
    if (!d || !job || !out) {
        res->status = AK_EINVAL;
        say(res->msg, sizeof res->msg, "missing driver, job or output buffer");
        return res->status;
    }
    ak_job_layout lay;
    const char *why = NULL;
    if (prune && ak_attn_job_check(job, NULL) == AK_OK &&
        ak_prune_job_check(prune, job->heads, job->nq, job->nk, AK_MAX_PROBE_ROWS,
                           AK_MAX_PRUNE_TOKENS, &why) !=
            AK_OK) {
        res->status = AK_EINVAL;
        say(res->msg, sizeof res->msg, "malformed pruning spec: %s", why ? why : "?");
        return res->status;
    }
    ak_status st = load(d, job, prune, out_fx != NULL, &lay);
    if (st == AK_EINVAL && ak_attn_job_check(job, &why) != AK_OK)
        say(res->msg, sizeof res->msg, "malformed job: %s", why ? why : "?");
    else if (st == AK_EINVAL && !job->mask)
        say(res->msg, sizeof res->msg, "the job needs a mask (a dense one for dense attention)");
    else if (st == AK_ERANGE)
        say(res->msg, sizeof res->msg, "job needs %llu bytes, the %s window holds %llu",
            (unsigned long long)(lay.end - d->be.mem_base), d->be.name,
            (unsigned long long)d->be.mem_size);
    else if (st != AK_OK)
        say(res->msg, sizeof res->msg, "writing the job image: %s", ak_strerror(st));
    if (st == AK_OK && d->be.job_begin)
        d->be.job_begin(d->be.ctx, &lay);
    if (st == AK_OK && (st = ak_drv_start(d, lay.desc)) != AK_OK)
        say(res->msg, sizeof res->msg, "starting the job: %s", ak_strerror(st));
    if (st == AK_EASSERT)
        assert_say(d, res->msg, sizeof res->msg);
    if (st != AK_OK) {
        res->status = st;
        return st;
    }
    uint64_t budget = ak_drv_budget_prune(d, job, prune);
    if (out_fx && !d->cfg.max_cycles) /* the o_fx writes: 4 bytes an output, a write per tile */
        budget += d->cfg.budget_scale *
                  (lay.ofx_bytes / AK_BEAT_BYTES +
                   (uint64_t)job->heads * udiv_up(job->nq, d->info.pe_rows) *
                       (4 * (d->be.mem_latency + 16)));
    st = ak_drv_wait(d, budget, res);
    res->layout = lay;
    if (st == AK_OK && (st = ak_drv_read_output(d, job, &lay, out)) != AK_OK) {
        res->status = st;
        say(res->msg, sizeof res->msg, "reading the output back: %s", ak_strerror(st));
    }
    if (st == AK_OK && out_fx) {
        uint8_t *b = malloc(lay.ofx_bytes);
        st = !b ? AK_ENOMEM
             : d->be.mem_read(d->be.ctx, lay.ofx, b, lay.ofx_bytes) != AK_OK ? AK_EBACKEND
                                                                            : AK_OK;
        if (st == AK_OK)
            ak_job_ofx_read(&lay, b, out_fx);
        free(b);
        if (st != AK_OK) {
            res->status = st;
            say(res->msg, sizeof res->msg, "reading o_fx back: %s", ak_strerror(st));
        }
    }
    if (st == AK_OK && pout && (st = ak_drv_read_prune(d, &lay, job->nk, pout)) != AK_OK) {
        res->status = st;
        say(res->msg, sizeof res->msg, "reading the pruning regions back: %s",
            ak_strerror(st));
    }
    return st;
}

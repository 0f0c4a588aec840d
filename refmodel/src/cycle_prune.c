/* The cycle model of the pruning unit (rtl/ak_prune.sv, docs/architecture.md "Token pruning
 * and KV-cache eviction"): its region check after Check (a serial division of DivLatency-free
 * length) and its phase after the last output write: the probe walk (reads of each probe
 * row's Q, quantisation entry, kv_off words, kv-block list and K rows, which the read master
 * and the memory model time), the divider's drain, ak_topk's passes over the scores on chip,
 * the emit scan, and the three writes. Only the timing: the scores, and so which tokens are
 * kept, never change a cycle (the unit's passes and scans do not depend on them). */
#include <stdint.h>

#include "attnkit/job_image.h"
#include "attnkit/prune.h"
#include "cycle_model_int.h"

#define KFIFO 8        /* ak_prune KFifo: K commands in flight */
#define VDIV_STEPS 37  /* ak_prune NumBits: the check's serial division */
#define SCORE_LANES 16 /* ak_prune SLanes: scores a beat */

void ak_cm_prune_init(model *M)
{
    const job_view *J = &M->j;
    const ak_prune_job *pj = &J->lay->prune;
    prune_model *P = &M->p;
    *P = (prune_model){.mode = pj->mode};
    if (pj->mode == AK_PRUNE_NONE)
        return;
    const uint32_t nk = J->nk;
    if (pj->mode == AK_PRUNE_EVIT) {
        P->window = 1;
        P->first_row = 0;
        P->cand = nk - 1;
        P->k = (uint32_t)(((uint64_t)pj->keep_ppm * (nk - 1) + AK_PPM - 1) / AK_PPM);
        P->kept = P->k + 1;
        P->pruned = nk - P->kept;
    } else {
        const uint32_t sinks = pj->sinks < nk ? pj->sinks : nk;
        const uint32_t recent = pj->recent < nk - sinks ? pj->recent : nk - sinks;
        P->window = pj->window;
        P->first_row = J->nq - pj->window;
        P->cand = nk - sinks - recent;
        P->k = pj->budget >= nk ? P->cand : pj->budget - sinks - recent;
        P->kept = pj->budget > nk ? nk : pj->budget;
        P->pruned = 0; /* eviction writes no weights */
    }
    P->rows = J->heads * P->window;
    P->top_bit = 15;
    for (uint32_t b = 0; (1u << b) < AK_MAX_PROBE_ROWS; b++) /* ak_prune's top_bit_w */
        if (P->rows > (1u << b))
            P->top_bit = 16 + b;
    P->sbeats = (nk + SCORE_LANES - 1) / SCORE_LANES;
}

/* ---- the probe walk (ak_prune's issue side) ---- */

static uint32_t probe_row(const prune_model *P)
{
    return P->first_row + P->iw;
}

/* The row's key limit (numerics.md 4): nk, or i + 1 + nk - nq when token-causal. */
static int64_t key_limit(const job_view *J, uint32_t row)
{
    int64_t lim = J->nk;
    const int64_t c = (int64_t)row + 1 + J->nk - J->nq;
    return J->causal && c < lim ? c : lim;
}

static uint64_t list_index(const job_view *J, const prune_model *P)
{
    return (J->per_head ? (uint64_t)P->ih * J->qblocks : 0) + (probe_row(P) >> J->log2_block);
}

/* The current list entry's keys: [key0, key_end); reads = it has keys below the limit. */
static void entry_keys(const model *M, uint64_t *key0, uint64_t *key_end, int *reads)
{
    const job_view *J = &M->j;
    const int64_t lim = key_limit(J, probe_row(&M->p));
    *key0 = (uint64_t)J->mask->kv_idx[M->p.e] << J->log2_block;
    *key_end = *key0 + ((uint64_t)1 << J->log2_block);
    if ((int64_t)*key_end > lim)
        *key_end = (uint64_t)lim;
    *reads = (int64_t)*key0 < lim;
}

void ak_cm_prune_comb(const model *M, cycle *c)
{
    const prune_model *P = &M->p;
    const job_view *J = &M->j;
    const ak_job_layout *L = J->lay;
    c->vcheck_done = P->vcmp;
    c->prune_done = P->ph == P_FINISH;
    c->prune_wr_valid = 0;
    if (M->state != S_PRUNE)
        return;
    c->cmd_valid = 0;
    c->cmd_beats = 1;
    switch (P->ph) {
    case P_ROW_Q: {
        const uint64_t a = L->q + (uint64_t)P->ih * J->qstride + ((uint64_t)probe_row(P) << J->log2_d);
        c->cmd_valid = 1;
        c->cmd_addr = a & ~63ull;
        c->cmd_beats = J->d == 128 ? 2 : 1;
        c->cmd_tag = TAG_P_Q;
        break;
    }
    case P_ROW_QNT:
        c->cmd_valid = 1;
        c->cmd_addr = (L->desc + 0x80 + 16ull * P->ih) & ~63ull;
        c->cmd_tag = TAG_P_QNT;
        break;
    case P_ROW_OFF: {
        const uint64_t a = L->kv_off + 4 * list_index(J, P);
        c->cmd_valid = 1;
        c->cmd_addr = a & ~63ull;
        c->cmd_beats = ((a >> 2) & 15) == 15 ? 2 : 1;
        c->cmd_tag = TAG_P_OFF;
        break;
    }
    case P_IDX_RD:
        c->cmd_valid = 1;
        c->cmd_addr = (L->kv_idx + 4ull * P->e) & ~63ull;
        c->cmd_tag = TAG_P_IDX;
        break;
    case P_ENTRY: {
        uint64_t key0, key_end;
        int reads;
        entry_keys(M, &key0, &key_end, &reads);
        if (reads && P->kf_n != KFIFO) {
            c->cmd_valid = 1;
            c->cmd_addr = L->k + (uint64_t)P->ih * J->kvstride + (key0 << J->log2_d);
            c->cmd_beats = beats_of((key_end - key0) << J->log2_d);
            c->cmd_tag = TAG_P_K;
        }
        break;
    }
    case P_WR_SCORE:
        c->prune_wr_valid = !P->wr_wait;
        c->prune_wr_addr = L->score;
        c->prune_wr_bytes = (uint64_t)J->nk * 4;
        break;
    case P_WR_KEPT:
        c->prune_wr_valid = P->kept != 0 && !P->wr_wait;
        c->prune_wr_addr = L->kept;
        c->prune_wr_bytes = (uint64_t)P->kept * 4;
        break;
    case P_WR_FUSED:
        c->prune_wr_valid = P->mode == AK_PRUNE_EVIT && P->pruned != 0 && !P->wr_wait;
        c->prune_wr_addr = L->fused;
        c->prune_wr_bytes = (uint64_t)P->pruned * 2;
        break;
    default: break;
    }
}

/* The beat the read master delivers this cycle, if it is the pruning unit's (after
 * ak_cm_rd_comb, before the read master's clock). */
void ak_cm_prune_beat(const model *M, cycle *c)
{
    const rd_state *R = &M->rd;
    c->p_beat = c->beat_valid && R->f_tag[R->rd] >= TAG_P_Q;
    c->p_beat_tag = R->f_tag[R->rd];
    c->p_beat_last = c->mo.rlast && R->f_end[R->rd];
    c->p_rd_idle = !R->busy && R->count == 0;
}

/* ak_topk's control at the clock edge; beat: a beat streamed this cycle. */
static void topk_clock(prune_model *P, uint32_t nk, int start, int beat)
{
    P->tk_pass = 0;
    P->tk_done = 0;
    if (P->tk_phase == TK_IDLE) {
        if (start) {
            P->tk_bit = P->top_bit;
            P->tk_phase = P->k == 0 || P->k >= P->cand ? TK_SELECT : TK_BISECT;
            P->tk_seen = 0;
            P->tk_pass = 1;
            P->tk_pass_wait = 1;
        }
    } else if (P->tk_pass_wait && beat) {
        const int last = SCORE_LANES >= nk - P->tk_seen;
        P->tk_seen += SCORE_LANES;
        if (last) {
            P->tk_seen = 0;
            P->tk_pass_wait = 0;
            if (P->tk_phase == TK_BISECT) {
                if (P->tk_bit == 0)
                    P->tk_phase = TK_COUNT_ABOVE;
                else
                    P->tk_bit--;
            } else if (P->tk_phase == TK_COUNT_ABOVE) {
                P->tk_phase = TK_SELECT;
            } else {
                P->tk_phase = TK_IDLE;
                P->tk_done = 1;
            }
        }
    } else if (!P->tk_pass_wait) {
        P->tk_pass = 1;
        P->tk_pass_wait = 1;
    }
}

void ak_cm_prune_clock(model *M, const cycle *c)
{
    prune_model *P = &M->p;
    const job_view *J = &M->j;
    if (P->mode == AK_PRUNE_NONE)
        return;
    /* PruneCheck: a cycle for the job's fields to be latched, the division's VDIV_STEPS
       cycles, then the verdict for one */
    P->vcmp = 0;
    const int vstart = P->vstart;
    P->vstart = c->state == S_CHECK && M->state == S_PRUNE_CHECK;
    if (vstart) {
        P->vdiv_run = 1;
        P->div_step = 0;
    } else if (P->vdiv_run) {
        if (P->div_step == VDIV_STEPS - 1) {
            P->vdiv_run = 0;
            P->vcmp = 1;
        }
        P->div_step++;
    }
    const int start = c->state == S_RUN && M->state == S_PRUNE;
    const int rd_go = c->rd_go && c->state == S_PRUNE;
    const int b_k = c->p_beat && c->p_beat_tag == TAG_P_K;
    const int b_off_last = c->p_beat && c->p_beat_tag == TAG_P_OFF && c->p_beat_last;
    const int b_idx = c->p_beat && c->p_beat_tag == TAG_P_IDX;
    /* the entry's handling this cycle */
    int entry_done = 0, k_issue = 0;
    if (P->ph == P_ENTRY) {
        uint64_t key0, key_end;
        int reads;
        entry_keys(M, &key0, &key_end, &reads);
        k_issue = reads && P->kf_n != KFIFO && rd_go;
        entry_done = k_issue || !reads;
    }
    const int last_row = P->r + 1 == P->rows;
    const int rd_idle = c->p_rd_idle;
    const int div_busy = P->div_line != 0;
    const int beat = P->tk_pass || P->feeding; /* ak_topk's beat this cycle */
    /* the phase machine */
    int ph = P->ph, row_next = 0;
    switch (P->ph) {
    case P_IDLE: if (start) ph = P_ROW_Q; break;
    case P_ROW_Q: if (rd_go) ph = P_ROW_QNT; break;
    case P_ROW_QNT: if (rd_go) ph = P_ROW_OFF; break;
    case P_ROW_OFF: if (rd_go) ph = P_OFF_WAIT; break;
    case P_OFF_WAIT:
        if (P->off_landed) {
            if (P->e != P->e_end)
                ph = P_IDX_RD;
            else if (last_row)
                ph = P_PROBE_DRAIN;
            else
                ph = P_ROW_Q, row_next = 1;
        }
        break;
    case P_IDX_RD: if (rd_go) ph = P_IDX_WAIT; break;
    case P_IDX_WAIT: if (P->idx_landed) ph = P_ENTRY; break;
    case P_ENTRY:
        if (entry_done) {
            if (P->e + 1 == P->e_end && last_row)
                ph = P_PROBE_DRAIN;
            else if (P->e + 1 == P->e_end)
                ph = P_ROW_Q, row_next = 1;
            else if ((P->e & 15) == 15)
                ph = P_IDX_RD;
        }
        break;
    case P_PROBE_DRAIN:
        if (rd_idle && P->kf_n == 0 && !P->a_valid && !div_busy)
            ph = P_SELECT;
        break;
    case P_SELECT: if (P->tk_done) ph = P_EMIT; break;
    case P_EMIT: if (P->ej + 1 == J->nk) ph = P_EMIT_DRAIN; break;
    case P_EMIT_DRAIN: if (P->drain == AK_DIV_LATENCY - 1) ph = P_WR_SCORE; break;
    case P_WR_SCORE: case P_WR_KEPT: case P_WR_FUSED: {
        const int has = P->ph == P_WR_SCORE || (P->ph == P_WR_KEPT && P->kept != 0) ||
                        (P->ph == P_WR_FUSED && P->mode == AK_PRUNE_EVIT && P->pruned != 0);
        if (!has || (P->wr_wait && c->wr_done))
            ph = P->ph == P_WR_SCORE ? P_WR_KEPT : P->ph == P_WR_KEPT ? P_WR_FUSED : P_FINISH;
        break;
    }
    case P_FINISH: ph = P_IDLE; break;
    default: break;
    }
    const int tk_start = P->ph == P_PROBE_DRAIN && ph == P_SELECT;

    /* registers */
    if (P->ph == P_ROW_OFF) { /* the words that land: kv_off[list], kv_off[list + 1] */
        const uint64_t x = list_index(J, P);
        P->e = J->mask->kv_off[x];
        P->e_end = J->mask->kv_off[x + 1];
    }
    if (P->ph == P_ENTRY && entry_done)
        P->e++;
    P->kf_n = P->kf_n + (uint32_t)k_issue - (uint32_t)(b_k && c->p_beat_last);
    if (P->ph == P_ROW_OFF)
        P->off_landed = 0;
    else if (b_off_last)
        P->off_landed = 1;
    if (P->ph == P_IDX_RD)
        P->idx_landed = 0;
    else if (b_idx)
        P->idx_landed = 1;
    /* stage A holds a key to divide after a K beat (d = 128: after its second beat) */
    const int a_in = b_k && (J->d != 128 || (P->k_beats & 1));
    P->div_line = ((P->div_line << 1) | (uint32_t)P->a_valid) & ((1u << AK_DIV_LATENCY) - 1);
    P->a_valid = a_in;
    P->k_beats += (uint64_t)b_k;
    /* ak_topk and the stream of scores it reads */
    if (beat) {
        const uint32_t fb = P->tk_pass ? 0 : P->feed;
        P->feeding = fb + 1 < P->sbeats;
        P->feed = fb + 1;
    }
    topk_clock(P, J->nk, tk_start, beat);
    if (tk_start)
        P->ej = 0;
    else if (P->ph == P_EMIT)
        P->ej++;
    P->drain = P->ph == P_EMIT_DRAIN ? P->drain + 1 : 0;
    if (c->prune_wr_valid && c->wr_cmd_ready)
        P->wr_wait = 1;
    else if (c->wr_done)
        P->wr_wait = 0;
    if (start) {
        P->r = P->ih = P->iw = 0;
    } else if (row_next) {
        P->r++;
        if (P->iw + 1 == P->window) {
            P->iw = 0;
            P->ih++;
        } else {
            P->iw++;
        }
    }
    P->ph = ph;
}

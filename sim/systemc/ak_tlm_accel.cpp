// The loosely-timed TLM-2.0 model of the accelerator (ak_tlm_accel.h).
#include "ak_tlm_accel.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "attnkit/attention.h"
#include "attnkit/job_image.h"
#include "attnkit/numerics.h"
#include "attnkit/prune.h"
#include "attnkit_csr.h"
#include "attnkit_desc.h"
#include "attnkit_err.h"

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

#define OFF(reg) ((uint32_t)offsetof(attnkit_csr_t, reg))
#define FIELD(v, reg, f) (((v) & ATTNKIT_CSR__##reg##__##f##_bm) >> ATTNKIT_CSR__##reg##__##f##_bp)
#define PUT(reg, f, x) (((uint32_t)(x) << ATTNKIT_CSR__##reg##__##f##_bp) & ATTNKIT_CSR__##reg##__##f##_bm)

namespace {
constexpr uint32_t kCsrWindow = 256;  // the RTL's CSR address is 8 bits wide
constexpr uint32_t kKeyTile = 16;     // keys per tile (numerics), the PE array's columns
constexpr uint64_t kBeat = AK_BEAT_BYTES;

uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t le64(const uint8_t *p, uint32_t lo, uint32_t hi)
{
    return (uint64_t)le32(p + hi) << 32 | le32(p + lo);
}

uint32_t field(uint32_t w, uint32_t lsb, uint32_t width)
{
    return width >= 32 ? w >> lsb : (w >> lsb) & ((1u << width) - 1);
}

uint64_t beats_of(uint64_t bytes)
{
    return (bytes + kBeat - 1) / kBeat;
}

// [a, a + n) ends above 2^64
bool past_top(uint64_t a, uint64_t n)
{
    return a != 0 && n > 0 - a;
}

uint64_t align_up(uint64_t x)
{
    return (x + kBeat - 1) / kBeat * kBeat;
}

double seconds_since(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

uint64_t cycles_between(const sc_time &from, const sc_time &to, const sc_time &clock)
{
    return to > from ? (uint64_t)((to - from).value() / clock.value()) : 0;
}
} // namespace

ak_tlm_accel::params::params()
    : clock(4, sc_core::SC_NS), threads(1), dmi(true), csr_delay(4, sc_core::SC_NS)
{
    ak_hw_config_default(&hw);
    ak_mem_timing_default(&mem);
}

// Everything a job read and computed.
struct ak_tlm_accel::job {
    uint64_t desc = 0, q = 0, k = 0, v = 0, o = 0, off = 0, idx = 0;
    uint32_t heads = 0, nq = 0, nk = 0, d = 0, block = 0, qblocks = 0, kblocks = 0;
    bool causal = false, per_head = false;
    uint64_t qstride = 0, kvstride = 0;
    std::vector<int8_t> qd, kd, vd, out;
    std::vector<ak_head_quant> quant;
    std::vector<uint32_t> raw_off, raw_idx; // kv_off words and kv_idx entries as in memory
    ak_cycle_report rep{};
    std::vector<uint64_t> head_end;
    // token pruning or KV-cache eviction (descriptor PRUNE..FUSED): the regions and what the
    // reference model (prune.h) puts in them
    ak_prune_job prune{};
    uint64_t score = 0, kept = 0, fused = 0;
    std::vector<uint8_t> score_out, kept_out, fused_out;
};

ak_tlm_accel::ak_tlm_accel(sc_core::sc_module_name name, const params &p)
    : sc_core::sc_module(name), csr("csr"), mem("mem"), irq("irq"), p_(p)
{
    csr.register_b_transport(this, &ak_tlm_accel::csr_b_transport);
    csr.register_transport_dbg(this, &ak_tlm_accel::csr_transport_dbg);
    mem.register_invalidate_direct_mem_ptr(this, &ak_tlm_accel::invalidate_dmi);
    SC_THREAD(job_thread);
    // the reference model and the cycle model run on this thread's stack
    set_stack_size(16u << 20);
    SC_METHOD(irq_method);
    sensitive << irq_ev_;
}

bool ak_tlm_accel::configure(const params &p)
{
    if (busy_)
        return false;
    p_ = p;
    dmi_valid_ = false;
    return true;
}

void ak_tlm_accel::reset()
{
    gen_++;
    desc_lo_ = ATTNKIT_CSR__DESC_ADDR_LO__ADDR_reset;
    desc_hi_ = ATTNKIT_CSR__DESC_ADDR_HI__ADDR_reset;
    irq_en_ = ATTNKIT_CSR__CTRL__IRQ_EN_reset;
    done_ = ATTNKIT_CSR__STATUS__DONE_reset;
    error_ = ATTNKIT_CSR__STATUS__ERROR_reset;
    busy_ = ATTNKIT_CSR__STATUS__BUSY_reset;
    err_code_ = ATTNKIT_CSR__ERR__CODE_reset;
    cycles_ = ATTNKIT_CSR__CYCLES_LO__COUNT_reset;
    stalls_ = ATTNKIT_CSR__STALLS_LO__COUNT_reset;
    macs_ = ATTNKIT_CSR__MACS_LO__COUNT_reset;
    start_pending_ = abort_req_ = false;
    start_ev_.cancel();
    abort_ev_.notify(SC_ZERO_TIME); // a job waiting in flight wakes and drops itself
    irq_ev_.notify(SC_ZERO_TIME);
    dmi_valid_ = false;
    stats_ = stats_t{};
}

void ak_tlm_accel::irq_method()
{
    irq.write(irq_level());
}

// ---- CSRs ------------------------------------------------------------------------------------

bool ak_tlm_accel::csr_read(uint32_t addr, const sc_time &when, uint32_t &v) const
{
    v = 0;
    if (addr == OFF(ID)) {
        v = PUT(ID, MAGIC, ATTNKIT_CSR__ID__MAGIC_reset);
    } else if (addr == OFF(VERSION)) {
        v = PUT(VERSION, NUMERICS, ATTNKIT_CSR__VERSION__NUMERICS_reset) |
            PUT(VERSION, MINOR, ATTNKIT_CSR__VERSION__MINOR_reset) |
            PUT(VERSION, MAJOR, ATTNKIT_CSR__VERSION__MAJOR_reset);
    } else if (addr == OFF(CTRL)) {
        v = PUT(CTRL, IRQ_EN, irq_en_); // start and abort are pulses: read back 0
    } else if (addr == OFF(STATUS)) {
        v = PUT(STATUS, BUSY, busy_) | PUT(STATUS, DONE, done_) | PUT(STATUS, ERROR, error_);
    } else if (addr == OFF(ERR)) {
        v = PUT(ERR, CODE, err_code_);
    } else if (addr == OFF(DESC_ADDR_LO)) {
        v = desc_lo_;
    } else if (addr == OFF(DESC_ADDR_HI)) {
        v = desc_hi_;
    } else if (addr == OFF(CYCLES_LO) || addr == OFF(CYCLES_HI)) {
        // live while a job runs (cycles since its start), as the RTL's counter
        const uint64_t c = busy_ ? cycles_between(t_start_, when, p_.clock) : cycles_;
        v = addr == OFF(CYCLES_LO) ? (uint32_t)c : (uint32_t)(c >> 32);
    } else if (addr == OFF(STALLS_LO)) {
        v = (uint32_t)stalls_;
    } else if (addr == OFF(STALLS_HI)) {
        v = (uint32_t)(stalls_ >> 32);
    } else if (addr == OFF(MACS_LO)) {
        v = (uint32_t)macs_;
    } else if (addr == OFF(MACS_HI)) {
        v = (uint32_t)(macs_ >> 32);
    } else if (addr == OFF(CAPS)) {
        v = PUT(CAPS, PE_ROWS, p_.hw.rows) | PUT(CAPS, PE_COLS, kKeyTile) |
            PUT(CAPS, MAX_HEAD_DIM, p_.hw.max_head_dim) | PUT(CAPS, PRUNE, 1);
    } else {
        return false;
    }
    return true;
}

// 0: done; -1: unmapped address.
int ak_tlm_accel::csr_write(uint32_t addr, uint32_t data, const uint8_t be[4], const sc_time &when)
{
    const sc_time now = sc_core::sc_time_stamp(), in = when > now ? when - now : SC_ZERO_TIME;
    if (addr == OFF(CTRL)) {
        if (!be[0])
            return 0;
        const bool start = FIELD(data, CTRL, START), abort = FIELD(data, CTRL, ABORT);
        irq_en_ = FIELD(data, CTRL, IRQ_EN);
        if (busy_ && abort) {
            // ends the running job (ABORTED); a start in the same word is ignored, as the RTL's
            // controller only takes a start when idle
            abort_req_ = true;
            t_abort_ = when;
            abort_ev_.notify(in);
        } else if (!busy_ && start) {
            busy_ = true;
            start_pending_ = true;
            abort_req_ = false;
            t_start_ = when;
            job_desc_ = (uint64_t)desc_hi_ << 32 | desc_lo_;
            cycles_ = stalls_ = macs_ = 0;
            stats_.jobs++;
            start_ev_.notify(in);
        }
        irq_ev_.notify(in);
    } else if (addr == OFF(STATUS)) {
        if (be[0] && FIELD(data, STATUS, DONE)) {
            done_ = false;
            irq_ev_.notify(in);
        }
    } else if (addr == OFF(DESC_ADDR_LO) || addr == OFF(DESC_ADDR_HI)) {
        uint32_t &r = addr == OFF(DESC_ADDR_LO) ? desc_lo_ : desc_hi_;
        for (int b = 0; b < 4; b++)
            if (be[b])
                r = (r & ~(0xffu << (8 * b))) | (data & (0xffu << (8 * b)));
    } else if (addr == OFF(ID) || addr == OFF(VERSION) || addr == OFF(ERR) ||
               addr == OFF(CYCLES_LO) || addr == OFF(CYCLES_HI) || addr == OFF(STALLS_LO) ||
               addr == OFF(STALLS_HI) || addr == OFF(MACS_LO) || addr == OFF(MACS_HI) ||
               addr == OFF(CAPS)) {
        // read-only: ignored
    } else {
        return -1;
    }
    return 0;
}

void ak_tlm_accel::csr_b_transport(tlm::tlm_generic_payload &gp, sc_time &delay)
{
    const tlm::tlm_command cmd = gp.get_command();
    const uint64_t addr = gp.get_address();
    const unsigned int len = gp.get_data_length();
    unsigned char *ptr = gp.get_data_ptr();
    const unsigned char *bep = gp.get_byte_enable_ptr();
    const unsigned int be_len = gp.get_byte_enable_length();
    if (cmd == tlm::TLM_IGNORE_COMMAND) {
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    if (len != 4 || gp.get_streaming_width() < 4) {
        gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE); // 32-bit registers only
        return;
    }
    if (bep && be_len == 0) {
        gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    const sc_time when = sc_core::sc_time_stamp() + delay;
    delay += p_.csr_delay;
    if (addr % 4 || addr >= kCsrWindow) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    uint8_t be[4];
    for (unsigned b = 0; b < 4; b++)
        be[b] = !bep || bep[b % be_len] == TLM_BYTE_ENABLED;
    bool ok;
    if (cmd == tlm::TLM_READ_COMMAND) {
        uint32_t v;
        ok = csr_read((uint32_t)addr, when, v);
        if (ok)
            for (unsigned b = 0; b < 4; b++)
                if (be[b])
                    ptr[b] = (uint8_t)(v >> (8 * b));
    } else {
        ok = csr_write((uint32_t)addr, le32(ptr), be, when) == 0;
    }
    gp.set_response_status(ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

// Debug reads of the registers (no side effect); debug writes are refused.
unsigned int ak_tlm_accel::csr_transport_dbg(tlm::tlm_generic_payload &gp)
{
    const uint64_t addr = gp.get_address();
    if (gp.get_command() != tlm::TLM_READ_COMMAND || gp.get_data_length() != 4 || addr % 4 ||
        addr >= kCsrWindow)
        return 0;
    uint32_t v;
    if (!csr_read((uint32_t)addr, sc_core::sc_time_stamp(), v))
        return 0;
    for (unsigned b = 0; b < 4; b++)
        gp.get_data_ptr()[b] = (uint8_t)(v >> (8 * b));
    return 4;
}

// ---- memory ----------------------------------------------------------------------------------

void ak_tlm_accel::invalidate_dmi(sc_dt::uint64 start, sc_dt::uint64 end)
{
    if (dmi_valid_ && start <= dmi_.get_end_address() && end >= dmi_.get_start_address())
        dmi_valid_ = false;
}

// One access to memory: through the DMI pointer where granted, else b_transport annotated at
// the quantum keeper's local time (the target's own delay is not added to the job: the cycle
// model counts the memory's time). False on an error response.
bool ak_tlm_accel::mem_access(tlm::tlm_command cmd, uint64_t addr, uint8_t *data, uint64_t n)
{
    const bool rd = cmd == tlm::TLM_READ_COMMAND;
    if (p_.dmi && !dmi_valid_) {
        tlm::tlm_generic_payload gp;
        gp.set_command(cmd);
        gp.set_address(addr);
        dmi_ = tlm::tlm_dmi();
        dmi_valid_ = mem->get_direct_mem_ptr(gp, dmi_);
    }
    if (p_.dmi && dmi_valid_ && addr >= dmi_.get_start_address() && n &&
        addr - dmi_.get_start_address() + (n - 1) <= dmi_.get_end_address() - dmi_.get_start_address() &&
        (rd ? dmi_.is_read_allowed() : dmi_.is_write_allowed())) {
        uint8_t *p = dmi_.get_dmi_ptr() + (addr - dmi_.get_start_address());
        if (rd)
            std::memcpy(data, p, n);
        else
            std::memcpy(p, data, n);
        stats_.dmi_accesses++;
    } else {
        tlm::tlm_generic_payload gp;
        gp.set_command(cmd);
        gp.set_address(addr);
        gp.set_data_ptr(data);
        gp.set_data_length((unsigned int)n);
        gp.set_streaming_width((unsigned int)n);
        gp.set_byte_enable_ptr(nullptr);
        gp.set_dmi_allowed(false);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time delay = qk_.get_local_time();
        mem->b_transport(gp, delay);
        stats_.transactions++;
        if (gp.is_response_error())
            return false;
    }
    (rd ? stats_.bytes_read : stats_.bytes_written) += n;
    return true;
}

// A read of n bytes (whole beats) as the RTL's read master issues it.
bool ak_tlm_accel::rd(uint64_t addr, uint64_t n, uint8_t *dst)
{
    est_cycles_ += p_.mem.latency + beats_of(n);
    return mem_access(tlm::TLM_READ_COMMAND, addr, dst, n);
}

// ---- the job ---------------------------------------------------------------------------------

namespace {
bool overlaps(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
    return an && bn && a < b + bn && b < a + an;
}
} // namespace

// The descriptor's pruning fields (version 2) and their checks: ERR PRUNE for parameters out of
// range (ak_prune_job_check with AK_MAX_PROBE_ROWS probe rows and AK_MAX_PRUNE_TOKENS keys),
// MISALIGNED for an output region off a beat, REGION_OVERLAP for one overlapping the descriptor, Q, K, V, O, kv_off or
// another output region.
uint32_t ak_tlm_accel::load_prune(job &J, const uint8_t *hdr, uint32_t heads, uint32_t nq,
                                  uint32_t nk, uint32_t d, uint32_t B)
{
    const uint32_t mode = field(le32(hdr + AK_DESC_PRUNE_OFFSET), AK_DESC_PRUNE_MODE_LSB,
                                AK_DESC_PRUNE_MODE_WIDTH);
    J.prune = ak_prune_job{};
    if (mode == 0)
        return AK_HW_ERR_NONE;
    J.prune.mode = (ak_prune_mode)mode;
    J.prune.keep_ppm = le32(hdr + AK_DESC_KEEP_OFFSET);
    J.prune.budget = le32(hdr + AK_DESC_BUDGET_OFFSET);
    J.prune.sinks = le32(hdr + AK_DESC_SINKS_OFFSET);
    J.prune.recent = le32(hdr + AK_DESC_RECENT_OFFSET);
    J.prune.window = le32(hdr + AK_DESC_WINDOW_OFFSET);
    if (ak_prune_job_check(&J.prune, heads, nq, nk, AK_MAX_PROBE_ROWS,
                           AK_MAX_PRUNE_TOKENS, nullptr) != AK_OK)
        return AK_HW_ERR_PRUNE;
    const bool evit = J.prune.mode == AK_PRUNE_EVIT;
    J.score = le64(hdr, AK_DESC_SCORE_LO_OFFSET, AK_DESC_SCORE_HI_OFFSET);
    J.kept = le64(hdr, AK_DESC_KEPT_LO_OFFSET, AK_DESC_KEPT_HI_OFFSET);
    J.fused = evit ? le64(hdr, AK_DESC_FUSED_LO_OFFSET, AK_DESC_FUSED_HI_OFFSET) : 0;
    if ((J.score | J.kept | J.fused) % kBeat)
        return AK_HW_ERR_MISALIGNED;
    const uint32_t kept = ak_prune_job_kept(&J.prune, nk);
    const uint64_t qbytes = align_up((uint64_t)nq * d) * heads;
    const uint64_t kvbytes = align_up((uint64_t)nk * d) * heads;
    const uint64_t mheads = field(le32(hdr + AK_DESC_SHAPE_OFFSET), AK_DESC_SHAPE_MASK_PER_HEAD_LSB,
                                  AK_DESC_SHAPE_MASK_PER_HEAD_WIDTH) ? heads : 1;
    const uint64_t lists = mheads * ((nq + B - 1) / B);
    const uint64_t in[][2] = {{J.desc, AK_DESC_QUANT_OFFSET + (uint64_t)AK_DESC_QUANT_SIZE * heads},
                              {J.q, qbytes}, {J.k, kvbytes}, {J.v, kvbytes}, {J.o, qbytes},
                              {J.off, 4 * (lists + 1)}};
    const uint64_t out[][2] = {{J.score, 4ull * nk}, {J.kept, 4ull * kept},
                               {J.fused, evit ? 2ull * (nk - kept) : 0}};
    for (int a = 0; a < 3; a++) {
        for (const auto &r : in)
            if (overlaps(out[a][0], out[a][1], r[0], r[1]))
                return AK_HW_ERR_REGION_OVERLAP;
        for (int b = 0; b < a; b++)
            if (overlaps(out[a][0], out[a][1], out[b][0], out[b][1]))
                return AK_HW_ERR_REGION_OVERLAP;
    }
    return AK_HW_ERR_NONE;
}

// Reads the descriptor and the job as the RTL does and applies its checks in its order.
uint32_t ak_tlm_accel::load(job &J)
{
    J.desc = job_desc_;
    est_cycles_ = 1;
    if (J.desc % kBeat)
        return AK_HW_ERR_MISALIGNED;
    uint8_t hdr[2 * kBeat];
    if (!rd(J.desc, sizeof hdr, hdr))
        return AK_HW_ERR_MEM_RESPONSE;
    const uint32_t magic = le32(hdr + AK_DESC_MAGIC_OFFSET), version = le32(hdr + AK_DESC_VERSION_OFFSET);
    const uint32_t heads = le32(hdr + AK_DESC_HEADS_OFFSET), nq = le32(hdr + AK_DESC_NQ_OFFSET),
                   nk = le32(hdr + AK_DESC_NK_OFFSET), shape = le32(hdr + AK_DESC_SHAPE_OFFSET);
    const uint32_t d = field(shape, AK_DESC_SHAPE_HEAD_DIM_LSB, AK_DESC_SHAPE_HEAD_DIM_WIDTH);
    const uint32_t B = field(shape, AK_DESC_SHAPE_BLOCK_LSB, AK_DESC_SHAPE_BLOCK_WIDTH);
    J.q = le64(hdr, AK_DESC_Q_LO_OFFSET, AK_DESC_Q_HI_OFFSET);
    J.k = le64(hdr, AK_DESC_K_LO_OFFSET, AK_DESC_K_HI_OFFSET);
    J.v = le64(hdr, AK_DESC_V_LO_OFFSET, AK_DESC_V_HI_OFFSET);
    J.o = le64(hdr, AK_DESC_O_LO_OFFSET, AK_DESC_O_HI_OFFSET);
    J.off = le64(hdr, AK_DESC_KV_OFF_LO_OFFSET, AK_DESC_KV_OFF_HI_OFFSET);
    J.idx = le64(hdr, AK_DESC_KV_IDX_LO_OFFSET, AK_DESC_KV_IDX_HI_OFFSET);
    // the RTL's checks (ak_ctrl.sv check_code), in its order
    if (magic != AK_DESC_MAGIC_MAGIC_RESET || version != AK_DESC_VERSION_VERSION_RESET)
        return AK_HW_ERR_BAD_DESC;
    if (heads == 0 || nq == 0 || nk == 0 || nq > AK_MAX_TOKENS || nk > AK_MAX_TOKENS)
        return AK_HW_ERR_ZERO_TOKENS;
    if ((d != 32 && d != 64 && d != 128) || d > p_.hw.max_head_dim)
        return AK_HW_ERR_HEAD_DIM;
    if (B != 16 && B != 32 && B != 64 && B != 128)
        return AK_HW_ERR_BLOCK_SIZE;
    // debug mode (SHAPE.ofx): the RTL checks OFX too; this model does not write o_fx
    const bool ofx_on = field(shape, AK_DESC_SHAPE_OFX_LSB, AK_DESC_SHAPE_OFX_WIDTH);
    const uint64_t ofx = ofx_on ? le64(hdr, AK_DESC_OFX_LO_OFFSET, AK_DESC_OFX_HI_OFFSET) : 0;
    if ((J.q | J.k | J.v | J.o | J.off | J.idx | ofx) % kBeat)
        return AK_HW_ERR_MISALIGNED;
    // a region the descriptor names running past 2^64 (docs/dma-safety.md)
    const bool per_head = field(shape, AK_DESC_SHAPE_MASK_PER_HEAD_LSB, AK_DESC_SHAPE_MASK_PER_HEAD_WIDTH);
    const uint64_t qbytes = align_up((uint64_t)nq * d) * heads, kvbytes = align_up((uint64_t)nk * d) * heads;
    const uint64_t lists = (uint64_t)(per_head ? heads : 1) * ((nq + B - 1) / B);
    if (past_top(J.desc, AK_DESC_QUANT_OFFSET + (uint64_t)AK_DESC_QUANT_SIZE * heads) ||
        past_top(J.q, qbytes) || past_top(J.o, qbytes) || past_top(J.k, kvbytes) ||
        past_top(J.v, kvbytes) || past_top(J.off, 4 * (lists + 1)) ||
        (ofx_on && past_top(ofx, (uint64_t)heads * nq * d * 4)))
        return AK_HW_ERR_ADDRESS_WRAP;
    if (const uint32_t code = load_prune(J, hdr, heads, nq, nk, d, B))
        return code;
    J.heads = heads;
    J.nq = nq;
    J.nk = nk;
    J.d = d;
    J.block = B;
    J.causal = field(shape, AK_DESC_SHAPE_TOKEN_CAUSAL_LSB, AK_DESC_SHAPE_TOKEN_CAUSAL_WIDTH);
    J.per_head = field(shape, AK_DESC_SHAPE_MASK_PER_HEAD_LSB, AK_DESC_SHAPE_MASK_PER_HEAD_WIDTH);
    J.qblocks = (nq + B - 1) / B;
    J.kblocks = (nk + B - 1) / B;
    J.qstride = align_up((uint64_t)nq * d);
    J.kvstride = align_up((uint64_t)nk * d);
    // the end of every kv-block list, kv_off[lists], read first: a list ending past it is
    // INDEX_RANGE; kv_idx's region running past 2^64, ADDRESS_WRAP
    uint8_t beat[2 * kBeat];
    const uint64_t tot_addr = J.off + 4 * lists;
    if (!rd(tot_addr & ~(kBeat - 1), kBeat, beat))
        return AK_HW_ERR_MEM_RESPONSE;
    const uint32_t total = le32(beat + tot_addr % kBeat);
    if (past_top(J.idx, 4ull * total))
        return AK_HW_ERR_ADDRESS_WRAP;
    J.raw_off.assign(lists + 1, 0);
    J.qd.assign((uint64_t)heads * nq * d, 0);
    J.kd.assign((uint64_t)heads * nk * d, 0);
    J.vd.assign((uint64_t)heads * nk * d, 0);
    J.quant.assign(heads, ak_head_quant{});
    const uint32_t rows = p_.hw.rows, ktiles = (nk + kKeyTile - 1) / kKeyTile;
    std::vector<uint8_t> buf, need(ktiles);
    for (uint32_t h = 0; h < heads; h++) {
        // the head's quantisation entry: the beat holding it
        const uint64_t qa = J.desc + AK_DESC_QUANT_OFFSET + (uint64_t)AK_DESC_QUANT_SIZE * h;
        if (!rd(qa & ~(kBeat - 1), kBeat, beat))
            return AK_HW_ERR_MEM_RESPONSE;
        const uint8_t *e = beat + (qa % kBeat) - AK_DESC_QUANT_OFFSET;
        ak_head_quant &hq = J.quant[h];
        hq.logit_mult = (int32_t)field(le32(e + AK_DESC_QUANT_LOGIT_MULT_OFFSET), 0,
                                       AK_DESC_QUANT_LOGIT_MULT_MULT_WIDTH);
        hq.logit_shift = (int)field(le32(e + AK_DESC_QUANT_LOGIT_SHIFT_OFFSET), 0,
                                    AK_DESC_QUANT_LOGIT_SHIFT_SHIFT_WIDTH);
        hq.out_mult = (int32_t)field(le32(e + AK_DESC_QUANT_OUT_MULT_OFFSET), 0,
                                     AK_DESC_QUANT_OUT_MULT_MULT_WIDTH);
        hq.out_shift = (int)field(le32(e + AK_DESC_QUANT_OUT_SHIFT_OFFSET), 0,
                                  AK_DESC_QUANT_OUT_SHIFT_SHIFT_WIDTH);
        const uint64_t list_base = J.per_head ? (uint64_t)h * J.qblocks : 0;
        std::fill(need.begin(), need.end(), 0);
        for (uint32_t r0 = 0; r0 < nq; r0 += rows) {
            // the tile's two kv_off words: one beat, or two when they straddle
            const uint64_t x = list_base + r0 / B, off_addr = J.off + 4 * x;
            const uint64_t in_beat = off_addr % kBeat;
            if (!rd(off_addr - in_beat, in_beat > kBeat - 8 ? 2 * kBeat : kBeat, beat))
                return AK_HW_ERR_MEM_RESPONSE;
            const uint32_t w0 = le32(beat + in_beat), w1 = le32(beat + in_beat + 4);
            if (w1 < w0 || w1 - w0 > p_.hw.max_kv_blocks || w1 > total)
                return AK_HW_ERR_INDEX_RANGE;
            J.raw_off[x] = w0;
            J.raw_off[x + 1] = w1;
            const uint32_t count = w1 - w0;
            if (count == 0)
                continue; // an empty tile reads neither list nor Q
            // the list, from the beat holding kv_idx[w0]
            const uint64_t word = (J.idx + 4ull * w0) / 4, pos = word % (kBeat / 4);
            buf.resize(beats_of(4 * (pos + count)) * kBeat);
            if (!rd(word / (kBeat / 4) * kBeat, buf.size(), buf.data()))
                return AK_HW_ERR_MEM_RESPONSE;
            // Q rows of the tile
            const uint32_t n_rows = std::min(rows, nq - r0);
            const uint64_t qbytes = (uint64_t)n_rows * d;
            std::vector<uint8_t> qt(beats_of(qbytes) * kBeat);
            if (!rd(J.q + h * J.qstride + (uint64_t)r0 * d, qt.size(), qt.data()))
                return AK_HW_ERR_MEM_RESPONSE;
            std::memcpy(J.qd.data() + ((uint64_t)h * nq + r0) * d, qt.data(), qbytes);
            // the iterator: each entry in range and strictly ascending; key tiles up to the
            // limit of the tile's last row
            const int64_t klim = J.causal ? (int64_t)std::min(r0 + rows, nq) + nk - nq : nk;
            if (J.raw_idx.size() < w1)
                J.raw_idx.resize(w1, 0);
            uint32_t prev = 0;
            for (uint32_t p = 0; p < count; p++) {
                const uint32_t kb = le32(buf.data() + 4 * (pos + p));
                if (kb >= J.kblocks || (p && (kb & 0xffffu) <= (prev & 0xffffu)))
                    return AK_HW_ERR_INDEX_RANGE;
                prev = kb;
                J.raw_idx[w0 + p] = kb;
                for (uint32_t t = kb * B; t < kb * B + B && (int64_t)t < klim; t += kKeyTile)
                    need[t / kKeyTile] = 1;
            }
        }
        // the key tiles of the listed blocks, K and V
        std::vector<uint8_t> tile;
        for (uint32_t kt = 0; kt < ktiles; kt++) {
            if (!need[kt])
                continue;
            const uint64_t t = (uint64_t)kt * kKeyTile, keys = std::min<uint64_t>(kKeyTile, nk - t);
            tile.resize(beats_of(keys * d) * kBeat);
            for (int which = 0; which < 2; which++) {
                const uint64_t base = which ? J.v : J.k;
                if (!rd(base + h * J.kvstride + t * d, tile.size(), tile.data()))
                    return AK_HW_ERR_MEM_RESPONSE;
                std::vector<int8_t> &dst = which ? J.vd : J.kd;
                std::memcpy(dst.data() + ((uint64_t)h * nk + t) * d, tile.data(), keys * d);
            }
        }
    }
    return AK_HW_ERR_NONE;
}

// The output with the reference model and the time with the cycle model.
uint32_t ak_tlm_accel::compute(job &J)
{
    const uint32_t mheads = J.per_head ? J.heads : 1;
    const uint64_t lists = (uint64_t)mheads * J.qblocks;
    // the lists as the reference model takes them (packed from 0)
    std::vector<uint32_t> off(lists + 1), idx;
    for (uint64_t x = 0; x < lists; x++) {
        for (uint32_t p = J.raw_off[x]; p < J.raw_off[x + 1]; p++)
            idx.push_back(J.raw_idx[p]);
        off[x + 1] = (uint32_t)idx.size();
    }
    if (idx.empty())
        idx.push_back(0);
    ak_mask m{};
    m.nq = J.nq;
    m.nk = J.nk;
    m.block = J.block;
    m.q_blocks = J.qblocks;
    m.k_blocks = J.kblocks;
    m.heads = mheads;
    m.token_causal = J.causal;
    m.kv_off = off.data();
    m.kv_idx = idx.data();
    ak_attn_job aj{};
    aj.heads = J.heads;
    aj.nq = J.nq;
    aj.nk = J.nk;
    aj.d = J.d;
    aj.q = J.qd.data();
    aj.k = J.kd.data();
    aj.v = J.vd.data();
    aj.quant = J.quant.data();
    aj.mask = &m;
    // the lists as the RTL found them in memory (the kv_off words decide where it reads)
    ak_mask rm = m;
    if (J.raw_idx.empty())
        J.raw_idx.push_back(0);
    rm.kv_off = J.raw_off.data();
    rm.kv_idx = J.raw_idx.data();
    ak_job_layout lay{};
    lay.desc = J.desc;
    lay.q = J.q;
    lay.k = J.k;
    lay.v = J.v;
    lay.kv_off = J.off;
    lay.kv_idx = J.idx;
    lay.o = J.o;
    lay.desc_bytes = AK_DESC_QUANT_OFFSET + (uint64_t)AK_DESC_QUANT_SIZE * J.heads;
    lay.q_head_stride = J.qstride;
    lay.kv_head_stride = J.kvstride;
    lay.q_bytes = lay.o_bytes = J.qstride * J.heads;
    lay.kv_bytes = J.kvstride * J.heads;
    lay.kv_off_bytes = 4 * (lists + 1);
    lay.kv_idx_bytes = 4ull * J.raw_off[lists];
    lay.end = align_up(J.o + lay.o_bytes);
    // the pruning unit's regions: its phase's time follows from them as on the RTL
    lay.prune = J.prune;
    lay.score = lay.kept = lay.fused = lay.end;
    if (J.prune.mode != AK_PRUNE_NONE) {
        const uint32_t kept = ak_prune_job_kept(&J.prune, J.nk);
        lay.score = J.score;
        lay.kept = J.kept;
        lay.fused = J.prune.mode == AK_PRUNE_EVIT ? J.fused : lay.end;
        lay.score_bytes = 4ull * J.nk;
        lay.kept_bytes = 4ull * kept;
        lay.fused_bytes = J.prune.mode == AK_PRUNE_EVIT ? 2ull * (J.nk - kept) : 0;
    }
    ak_mem_timing mt = p_.mem;
    if (mt.jitter_seed) // one realisation per job
        mt.jitter_seed = mt.jitter_seed + stats_.jobs - 1 ? mt.jitter_seed + stats_.jobs - 1 : 1;
    J.head_end.assign(J.heads, 0);
    J.out.assign((uint64_t)J.heads * J.nq * J.d, 0);

    // Function and time are independent: with more than one host thread (threads != 1) the
    // cycle model runs on a thread of its own beside the reference model's threads - 1.
    const char *cm_why = nullptr, *why = nullptr;
    ak_status cm = AK_EINVAL;
    double cm_s = 0;
    auto timing = [&] {
        const auto t = std::chrono::steady_clock::now();
        cm = ak_cycle_model_run(&p_.hw, &mt, J.heads, J.nq, J.nk, J.d, &rm, &lay, &J.rep,
                                J.head_end.data(), &cm_why);
        cm_s = seconds_since(t);
    };
    std::thread beside;
    if (p_.threads != 1) {
        try {
            beside = std::thread(timing);
        } catch (const std::system_error &) { // no thread to be had: one after the other
        }
    }
    const unsigned ref_threads = p_.threads == 0 ? 0 : (beside.joinable() ? p_.threads - 1 : p_.threads);
    const auto t0 = std::chrono::steady_clock::now();
    const bool ref_ok = ak_attn_job_check(&aj, &why) == AK_OK &&
                        ak_attention(&aj, J.out.data(), nullptr, ref_threads) == AK_OK;
    stats_.host_reference_s += seconds_since(t0);
    if (beside.joinable())
        beside.join();
    else
        timing();
    stats_.host_cycle_model_s += cm_s;
    if (!ref_ok) {
        // the RTL computes with any quantisation entry; the reference model takes only those
        // of the numerics (multipliers in [2^30, 2^31), shifts 0..62)
        SC_REPORT_WARNING(name(), (std::string("the reference model refuses the job: ") +
                                   (why ? why : "?") + "; ended with BAD_DESC").c_str());
        return AK_HW_ERR_BAD_DESC;
    }
    if (cm != AK_OK) {
        SC_REPORT_WARNING(name(), (std::string("the cycle model refuses the job: ") +
                                   (cm_why ? cm_why : "?") + "; ended with BAD_DESC").c_str());
        return AK_HW_ERR_BAD_DESC;
    }
    return prune(J, aj);
}

namespace {
void put_le(std::vector<uint8_t> &v, uint64_t at, uint64_t x, int bytes)
{
    for (int b = 0; b < bytes; b++)
        v[at * bytes + b] = (uint8_t)(x >> (8 * b));
}
} // namespace

// The pruning outputs from the reference model (prune.h, numerics.md 11): EViT from the CLS
// row, eviction from the last `window` rows. Their time is not modelled (the cycle model has no
// pruning phase yet).
uint32_t ak_tlm_accel::prune(job &J, const ak_attn_job &aj)
{
    if (J.prune.mode == AK_PRUNE_NONE)
        return AK_HW_ERR_NONE;
    const uint32_t H = J.heads, nk = J.nk;
    const bool evit = J.prune.mode == AK_PRUNE_EVIT;
    const uint32_t rows = evit ? 1 : J.prune.window, row0 = evit ? 0 : J.nq - rows;
    std::vector<uint16_t> probs((uint64_t)H * rows * nk);
    ak_status st = ak_attention_probs(&aj, row0, rows, probs.data());
    const uint64_t *score = nullptr;
    const uint32_t *kept = nullptr;
    const uint16_t *fused = nullptr;
    uint32_t n_kept = 0, n_fused = 0;
    ak_prune_result pr{};
    ak_evict_result er{};
    if (st == AK_OK && evit) {
        st = ak_prune_tokens(probs.data(), H, nk, J.prune.keep_ppm, &pr);
        score = pr.score, kept = pr.kept, fused = pr.fused_w;
        n_kept = pr.n_kept, n_fused = pr.n_pruned;
    } else if (st == AK_OK) {
        st = ak_kv_evict(probs.data(), H, rows, nk, J.prune.sinks, J.prune.recent,
                         J.prune.budget, &er);
        score = er.acc, kept = er.kept, n_kept = er.n_kept;
    }
    if (st == AK_OK) {
        J.score_out.assign(4ull * nk, 0);
        J.kept_out.assign(4ull * n_kept, 0);
        J.fused_out.assign(2ull * n_fused, 0);
        for (uint32_t j = 0; j < nk; j++)
            put_le(J.score_out, j, score[j], 4);
        for (uint32_t j = 0; j < n_kept; j++)
            put_le(J.kept_out, j, kept[j], 4);
        for (uint32_t j = 0; j < n_fused; j++)
            put_le(J.fused_out, j, fused[j], 2);
    }
    ak_prune_result_free(&pr);
    ak_evict_result_free(&er);
    if (st != AK_OK) {
        SC_REPORT_WARNING(name(), "the reference model refuses the pruning; ended with PRUNE");
        return AK_HW_ERR_PRUNE;
    }
    return AK_HW_ERR_NONE;
}

// Annotates the job's time up to t and waits for it (at once, or when the quantum keeper says
// so: sync = false). False when an abort (or a reset) came first.
bool ak_tlm_accel::wait_until(const sc_time &t, unsigned gen)
{
    const sc_time now = sc_core::sc_time_stamp();
    qk_.set(t > now ? t - now : SC_ZERO_TIME);
    if (t < now + qk_.get_local_time()) // never before now
        qk_.set(SC_ZERO_TIME);
    while (sc_core::sc_time_stamp() < t) {
        wait(t - sc_core::sc_time_stamp(), abort_ev_);
        if (gen != gen_ || (abort_req_ && t_abort_ <= sc_core::sc_time_stamp()))
            return false;
    }
    qk_.reset();
    return gen == gen_ && !(abort_req_ && t_abort_ <= sc_core::sc_time_stamp());
}

void ak_tlm_accel::finish(uint32_t code, uint64_t cycles, uint64_t stalls, uint64_t macs)
{
    cycles_ = cycles;
    stalls_ = stalls;
    macs_ = macs;
    err_code_ = code;
    error_ = code != AK_HW_ERR_NONE;
    done_ = true;
    busy_ = false;
    abort_req_ = false;
    stats_.last_start = t_start_;
    stats_.last_end = sc_core::sc_time_stamp();
    irq_ev_.notify(SC_ZERO_TIME);
}

void ak_tlm_accel::run_job(unsigned gen)
{
    const sc_time t0 = t_start_, T = p_.clock;
    qk_.reset();
    job J;
    const auto t_read = std::chrono::steady_clock::now();
    uint32_t code = load(J);
    stats_.host_read_s += seconds_since(t_read);
    if (code == AK_HW_ERR_NONE)
        code = compute(J);
    bool ok = true;
    if (code != AK_HW_ERR_NONE) {
        // found before any write: a rough time of the reads so far, then drain and done
        const uint64_t c = est_cycles_ + 2;
        if ((ok = wait_until(t0 + c * T, gen)))
            finish(code, c, c, 0);
    } else {
        // each head's output lands when the RTL's last write of the head has its response;
        // the quantum keeper syncs only when the local time passes the quantum
        for (uint32_t h = 0; h < J.heads && ok; h++) {
            const sc_time at = t0 + J.head_end[h] * T, now = sc_core::sc_time_stamp();
            qk_.set(at > now ? at - now : SC_ZERO_TIME);
            if (qk_.need_sync() && !(ok = wait_until(at, gen)))
                break;
            const uint64_t n = (uint64_t)J.nq * J.d;
            if (!mem_access(tlm::TLM_WRITE_COMMAND, J.o + h * J.qstride,
                            reinterpret_cast<uint8_t *>(J.out.data()) + h * n, n)) {
                const uint64_t c = J.head_end[h] + 2;
                if ((ok = wait_until(t0 + c * T, gen)))
                    finish(AK_HW_ERR_MEM_RESPONSE, c, 0, 0);
                return;
            }
        }
        // the pruning regions, after the last head's output
        const std::pair<uint64_t, std::vector<uint8_t> *> regions[] = {
            {J.score, &J.score_out}, {J.kept, &J.kept_out}, {J.fused, &J.fused_out}};
        for (const auto &r : regions) {
            if (!ok || J.prune.mode == AK_PRUNE_NONE || r.second->empty())
                continue;
            if (!mem_access(tlm::TLM_WRITE_COMMAND, r.first, r.second->data(), r.second->size())) {
                const uint64_t c = J.rep.cycles + 2;
                if ((ok = wait_until(t0 + c * T, gen)))
                    finish(AK_HW_ERR_MEM_RESPONSE, c, 0, 0);
                return;
            }
        }
        if (ok && (ok = wait_until(t0 + J.rep.cycles * T, gen)))
            finish(AK_HW_ERR_NONE, J.rep.cycles, J.rep.stall_cycles, J.rep.macs);
    }
    if (!ok && gen == gen_) // aborted: ends where the abort came
        finish(AK_HW_ERR_ABORTED, cycles_between(t0, sc_core::sc_time_stamp(), T) + 1, 0, 0);
}

void ak_tlm_accel::job_thread()
{
    for (;;) {
        while (!start_pending_)
            wait(start_ev_);
        start_pending_ = false;
        const unsigned gen = gen_;
        if (sc_core::sc_time_stamp() < t_start_)
            wait(t_start_ - sc_core::sc_time_stamp());
        if (gen == gen_ && busy_)
            run_job(gen);
    }
}

// The Verilated ak_top behind the C API of ak_sim.h (thin C++: the model, its clock, the copy
// of its AXI signals to and from the memory model's C structs, the memory's bytes (kept here,
// so that the cycle of each write into a job's output is known), and the FST trace with its
// window and size cap).
// A cycle is two halves: low() drives the memory's signals into the model with the clock low
// and samples what the model drives; high() is the edge for the memory model and the RTL.
// RTL assertions ($fatal "AK_ASSERT <name>: ...", docs/assertions.md) reach ak_vl_printf
// (ak_vl_print.h); the first is recorded and the clocking functions return AK_EASSERT.
#include "ak_sim.h"

#include <cinttypes>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "Vak_top.h"
#include "verilated.h"
#include "verilated_fst_c.h"
#if VM_COVERAGE
#include "verilated_cov.h"
#endif

namespace {
constexpr uint64_t kDefaultMem = 64ull << 20;
constexpr uint32_t kDefaultLatency = 20;
constexpr uint64_t kCsrTimeout = 1000; // cycles per AXI4-Lite handshake
constexpr uint64_t kResetCycles = 4;
constexpr uint64_t kNever = ~0ull;
// the waveform's size is measured (trace flushed, file stat'ed) after this many dumped cycles,
// then at intervals aimed at half the room left under the cap, within these bounds; FST's
// writer only marks a flush as pending and writes the block at the next time it dumps, so the
// file is stat'ed one dumped cycle after the flush is asked for
constexpr uint64_t kFirstSizeCheck = 64, kMinSizeCheck = 16, kMaxSizeCheck = 1u << 16;
} // namespace

struct ak_sim {
    ak_sim_config cfg{};
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vak_top> top;
    std::unique_ptr<VerilatedFstC> fst;
    ak_mem *mem = nullptr;
    uint8_t *bytes = nullptr; // the memory's contents (its storage)
    uint64_t cycles = 0;
    ak_axi_m2s m2s{};
    ak_axi_s2m s2m{};
    // jobs (ak_sim_job_begin): cycle 0, how many, the output region watched, last write cycles
    uint64_t job_base = 0, jobs = 0, wait_end = 0;
    uint64_t watch = 0, watch_bytes = 0;
    std::vector<uint64_t> last_write; // per beat of the watched region: a job cycle, or kNever
    // the waveform: its temporary name, whether it is finished, its size checks
    std::string wave_tmp;
    bool wave_done = false;
    ak_sim_wave_info wi{};
    uint64_t next_check = kFirstSizeCheck, checked_at = 0;
    bool flush_asked = false; // the trace's flush waits for the next dumped time
    uint64_t peak_rate = 0;   // the most bytes a dumped cycle has added between two checks
    // the first RTL assertion that failed (ak_sim_assert_failure)
    bool failed = false;
    std::string fail_name, fail_text;
    ak_sim_assert_info fail{};

    bool dumping() const
    {
        if (!fst || wave_done)
            return false;
        if (!cfg.wave_window)
            return true;
        const uint64_t j = cycles - job_base;
        return jobs && j >= cfg.wave_from && j <= cfg.wave_to;
    }

    // The trace flushed and its size measured: at the cap, the file is finished (closed; renamed
    // at ak_sim_close) and nothing more is dumped.
    void check_size()
    {
        struct stat sb;
        const uint64_t size = stat(wave_tmp.c_str(), &sb) == 0 ? uint64_t(sb.st_size) : 0;
        const uint64_t grown = size > wi.bytes ? size - wi.bytes : 0;
        const uint64_t ran = wi.dumped_cycles - checked_at;
        wi.bytes = size;
        checked_at = wi.dumped_cycles;
        if (size >= cfg.wave_limit) {
            fst->close();
            wave_done = true;
            wi.truncated = 1;
            wi.truncated_job = jobs;
            wi.truncated_cycle = cycles - job_base;
            if (stat(wave_tmp.c_str(), &sb) == 0)
                wi.bytes = uint64_t(sb.st_size);
            return;
        }
        // the rate ahead is unknown (a quiet reset, then a busy job): assume the worst seen so
        // far and at least cap / 1024 a cycle, and let the interval grow by half at most
        const uint64_t rate = ran ? (grown + ran - 1) / ran : 0;
        peak_rate = rate > peak_rate ? rate : peak_rate;
        const uint64_t floor_rate = cfg.wave_limit >> 10 ? cfg.wave_limit >> 10 : 1;
        const uint64_t per_cycle = peak_rate > floor_rate ? peak_rate : floor_rate;
        uint64_t step = (cfg.wave_limit - size) / per_cycle / 2;
        step = step > ran + ran / 2 ? ran + ran / 2 : step;
        step = step < kMinSizeCheck ? kMinSizeCheck : step > kMaxSizeCheck ? kMaxSizeCheck : step;
        next_check = wi.dumped_cycles + step;
    }

    void dump_low()
    {
        if (dumping())
            fst->dump(2 * cycles);
    }

    void dump_high()
    {
        if (!dumping())
            return;
        fst->dump(2 * cycles + 1);
        wi.dumped_cycles++;
        if (!cfg.wave_limit)
            return;
        if (flush_asked) {
            flush_asked = false;
            check_size();
        } else if (wi.dumped_cycles >= next_check) {
            fst->flush();
            flush_asked = true;
        }
    }

    // the memory model's storage: the bytes here; a write into the watched region records the
    // job cycle of its edge
    static int read_bytes(void *ctx, uint64_t addr, uint8_t *dst, unsigned n)
    {
        std::memcpy(dst, static_cast<ak_sim *>(ctx)->bytes + addr, n);
        return 0;
    }

    static int write_bytes(void *ctx, uint64_t addr, const uint8_t *src, unsigned n,
                           uint64_t strb)
    {
        ak_sim *s = static_cast<ak_sim *>(ctx);
        for (unsigned i = 0; i < n; i++)
            if (strb >> i & 1)
                s->bytes[addr + i] = src[i];
        if (strb && addr >= s->watch && addr - s->watch < s->watch_bytes) {
            const uint64_t beat = addr / AK_BEAT_BYTES - s->watch / AK_BEAT_BYTES;
            if (beat < s->last_write.size())
                s->last_write[beat] = s->cycles - s->job_base;
        }
        return 0;
    }

    void low()
    {
        // (Verilator's messages, and the assertions' records, go to this simulation's context)
        current() = this;
        Verilated::threadContextp(ctx.get());
        ak_mem_drive(mem, &s2m);
        Vak_top &t = *top;
        t.m_arready_i = s2m.arready;
        t.m_rvalid_i = s2m.rvalid;
        t.m_rlast_i = s2m.rlast;
        t.m_rresp_i = s2m.rresp;
        for (int w = 0; w < AK_BEAT_BYTES / 4; w++) {
            uint32_t v = 0;
            for (int b = 0; b < 4; b++)
                v |= uint32_t(s2m.rdata[4 * w + b]) << (8 * b);
            t.m_rdata_i[w] = v;
        }
        t.m_awready_i = s2m.awready;
        t.m_wready_i = s2m.wready;
        t.m_bvalid_i = s2m.bvalid;
        t.m_bresp_i = s2m.bresp;
        t.clk_i = 0;
        t.eval();
        dump_low();
        m2s.arvalid = t.m_arvalid_o;
        m2s.araddr = t.m_araddr_o;
        m2s.arlen = t.m_arlen_o;
        m2s.arsize = t.m_arsize_o;
        m2s.arburst = t.m_arburst_o;
        m2s.rready = t.m_rready_o;
        m2s.awvalid = t.m_awvalid_o;
        m2s.awaddr = t.m_awaddr_o;
        m2s.awlen = t.m_awlen_o;
        m2s.awsize = t.m_awsize_o;
        m2s.awburst = t.m_awburst_o;
        m2s.wvalid = t.m_wvalid_o;
        m2s.wlast = t.m_wlast_o;
        m2s.wstrb = t.m_wstrb_o;
        for (int w = 0; w < AK_BEAT_BYTES / 4; w++)
            for (int b = 0; b < 4; b++)
                m2s.wdata[4 * w + b] = uint8_t(t.m_wdata_o[w] >> (8 * b));
        m2s.bready = t.m_bready_o;
    }

    void high()
    {
        ak_mem_tick(mem, &m2s);
        top->clk_i = 1;
        top->eval();
        dump_high();
        cycles++;
    }

    void cycle()
    {
        low();
        high();
    }

    // the simulation being clocked on this thread (ak_vl_printf records its assertions)
    static ak_sim *&current()
    {
        static thread_local ak_sim *cur = nullptr;
        return cur;
    }

    // the first "AK_ASSERT <name>: ..." of a message: name and text, at the edge being clocked
    void record_assert(const char *msg)
    {
        const char *a = std::strstr(msg, "AK_ASSERT ");
        if (failed || !a)
            return;
        a += std::strlen("AK_ASSERT ");
        failed = true;
        fail_text = a;
        while (!fail_text.empty() && (fail_text.back() == '\n' || fail_text.back() == '\r'))
            fail_text.pop_back();
        fail_name = fail_text.substr(0, fail_text.find_first_of(": \n"));
        fail.name = fail_name.c_str();
        fail.text = fail_text.c_str();
        fail.cycle = cycles;
        fail.job = jobs;
        fail.job_cycle = cycles - job_base;
    }
};

int ak_vl_printf(const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    const int n = std::vsnprintf(nullptr, 0, fmt, ap);
    va_end(ap);
    std::string msg(n > 0 ? size_t(n) : 0, '\0');
    if (n > 0)
        std::vsnprintf(&msg[0], msg.size() + 1, fmt, ap2);
    va_end(ap2);
    if (ak_sim *s = ak_sim::current())
        s->record_assert(msg.c_str());
    // (an assertion's $fatal is followed by Verilator's "Verilog $stop" note: the harness
    // handles it, so that line is dropped)
    if (!std::strstr(msg.c_str(), "Verilog $stop"))
        std::fputs(msg.c_str(), stderr);
    return n;
}

extern "C" ak_status ak_sim_open(const ak_sim_config *cfg, ak_sim **out)
{
    if (!out)
        return AK_EINVAL;
    *out = nullptr;
    std::unique_ptr<ak_sim> s(new (std::nothrow) ak_sim);
    if (!s)
        return AK_ENOMEM;
    if (cfg)
        s->cfg = *cfg;
    if (!s->cfg.mem_bytes)
        s->cfg.mem_bytes = kDefaultMem;
    if (!s->cfg.latency)
        s->cfg.latency = kDefaultLatency;
    const ak_mem_config mc = {s->cfg.mem_bytes, s->cfg.latency, s->cfg.jitter_seed,
                              s->cfg.bytes_per_cycle};
    const ak_mem_storage store = {s.get(), ak_sim::read_bytes, ak_sim::write_bytes};
    s->bytes = static_cast<uint8_t *>(std::calloc(s->cfg.mem_bytes, 1));
    if (!s->bytes || ak_mem_create_with_storage(&mc, &store, &s->mem) != AK_OK) {
        ak_sim_close(s.release());
        return AK_ENOMEM;
    }
    if (s->cfg.x_seed > uint32_t(INT_MAX)) {
        ak_sim_close(s.release());
        return AK_EINVAL;
    }
    s->ctx = std::make_unique<VerilatedContext>();
    // an assertion never stops the process: the harness records it (VL_PRINTF) and returns
    // AK_EASSERT; Verilator's $stop handling only counts
    s->ctx->fatalOnError(false);
    s->ctx->errorLimit(INT_MAX);
    // the initial state: zeros, or random from the seed (set before the model is built)
    s->ctx->randReset(s->cfg.x_seed ? 2 : 0);
    if (s->cfg.x_seed)
        s->ctx->randSeed(int(s->cfg.x_seed));
    if (s->cfg.wave)
        s->ctx->traceEverOn(true);
    s->top = std::make_unique<Vak_top>(s->ctx.get(), "ak_top");
    if (s->cfg.wave) {
        s->fst = std::make_unique<VerilatedFstC>();
        s->top->trace(s->fst.get(), 99);
        s->wave_tmp = std::string(s->cfg.wave) + AK_SIM_WAVE_TMP;
        s->fst->open(s->wave_tmp.c_str());
        if (!s->fst->isOpen()) {
            ak_sim_close(s.release());
            return AK_EIO;
        }
    }
    ak_sim_reset(s.get());
    const ak_status st = s->failed ? AK_EASSERT : AK_OK;
    *out = s.release();
    return st;
}

extern "C" void ak_sim_close(ak_sim *s)
{
    if (!s)
        return;
    // Verilator's runtime finds "the" context through a per-thread pointer, also when the
    // model is destroyed (~VerilatedScope, one per $fatal with %m): it must be this
    // simulation's, and must not be left pointing at it once it is freed (a later close or
    // assertion of another simulation on this thread would lock a freed mutex)
    if (s->ctx)
        Verilated::threadContextp(s->ctx.get());
    if (s->top)
        s->top->final();
    if (ak_sim::current() == s)
        ak_sim::current() = nullptr;
#if VM_COVERAGE
    /* a coverage build (make coverage): this simulation's counts, one file per close, merged
       later by verilator_coverage */
    if (const char *dir = s->ctx ? std::getenv("AK_SIM_COVERAGE_DIR") : nullptr) {
        static unsigned seq;
        const std::string path = std::string(dir) + "/ak_sim_" + std::to_string(getpid()) + "_" +
                                 std::to_string(seq++) + ".dat";
        s->ctx->coveragep()->write(path.c_str());
    }
#endif
    if (s->fst && s->fst->isOpen())
        s->fst->close();
    if (s->fst && !s->wave_tmp.empty())
        std::rename(s->wave_tmp.c_str(), s->cfg.wave);
    ak_mem_destroy(s->mem);
    std::free(s->bytes);
    const bool ours = s->ctx && Verilated::threadContextp() == s->ctx.get();
    delete s;
    if (ours)
        Verilated::threadContextp(nullptr);
}

extern "C" void ak_sim_reset(ak_sim *s)
{
    if (s->failed)
        return;
    Vak_top &t = *s->top;
    t.s_awvalid_i = t.s_wvalid_i = t.s_arvalid_i = 0;
    t.s_bready_i = t.s_rready_i = 0;
    // a falling edge of rst_ni before any clock edge: the asynchronous resets act at once, so
    // no flop (an assertion's among them) is clocked with its initial state
    t.rst_ni = 1;
    t.clk_i = 0;
    ak_sim::current() = s;
    Verilated::threadContextp(s->ctx.get());
    t.eval();
    t.rst_ni = 0;
    t.eval();
    ak_mem_reset(s->mem);
    for (uint64_t i = 0; i < kResetCycles; i++)
        s->cycle();
    t.rst_ni = 1;
    s->cycle();
}

extern "C" ak_status ak_sim_csr_write(ak_sim *s, uint32_t addr, uint32_t data)
{
    if (s->failed)
        return AK_EASSERT;
    Vak_top &t = *s->top;
    t.s_awaddr_i = addr;
    t.s_wdata_i = data;
    t.s_wstrb_i = 0xf;
    t.s_awvalid_i = t.s_wvalid_i = 1;
    for (uint64_t n = 0; t.s_awvalid_i || t.s_wvalid_i; n++) {
        if (n == kCsrTimeout) {
            t.s_awvalid_i = t.s_wvalid_i = 0;
            return AK_ETIMEOUT;
        }
        s->low();
        const bool aw = t.s_awready_o, w = t.s_wready_o;
        s->high();
        t.s_awvalid_i &= !aw;
        t.s_wvalid_i &= !w;
        if (s->failed) {
            t.s_awvalid_i = t.s_wvalid_i = 0;
            return AK_EASSERT;
        }
    }
    t.s_bready_i = 1;
    for (uint64_t n = 0;; n++) {
        if (n == kCsrTimeout) {
            t.s_bready_i = 0;
            return AK_ETIMEOUT;
        }
        s->low();
        const bool b = t.s_bvalid_o;
        const unsigned resp = t.s_bresp_o;
        s->high();
        if (s->failed) {
            t.s_bready_i = 0;
            return AK_EASSERT;
        }
        if (b) {
            t.s_bready_i = 0;
            return resp ? AK_EADDRESS : AK_OK;
        }
    }
}

extern "C" ak_status ak_sim_csr_read(ak_sim *s, uint32_t addr, uint32_t *data)
{
    if (s->failed)
        return AK_EASSERT;
    Vak_top &t = *s->top;
    t.s_araddr_i = addr;
    t.s_arvalid_i = 1;
    for (uint64_t n = 0; t.s_arvalid_i; n++) {
        if (n == kCsrTimeout) {
            t.s_arvalid_i = 0;
            return AK_ETIMEOUT;
        }
        s->low();
        const bool ar = t.s_arready_o;
        s->high();
        t.s_arvalid_i &= !ar;
        if (s->failed) {
            t.s_arvalid_i = 0;
            return AK_EASSERT;
        }
    }
    t.s_rready_i = 1;
    for (uint64_t n = 0;; n++) {
        if (n == kCsrTimeout) {
            t.s_rready_i = 0;
            return AK_ETIMEOUT;
        }
        s->low();
        const bool r = t.s_rvalid_o;
        const uint32_t v = t.s_rdata_o;
        const unsigned resp = t.s_rresp_o;
        s->high();
        if (s->failed) {
            t.s_rready_i = 0;
            return AK_EASSERT;
        }
        if (r) {
            t.s_rready_i = 0;
            if (data)
                *data = v;
            return resp ? AK_EADDRESS : AK_OK;
        }
    }
}

static bool in_memory(const ak_sim *s, uint64_t addr, uint64_t n)
{
    return addr <= s->cfg.mem_bytes && n <= s->cfg.mem_bytes - addr;
}

extern "C" ak_status ak_sim_mem_write(ak_sim *s, uint64_t addr, const void *src, uint64_t n)
{
    if (!in_memory(s, addr, n))
        return AK_ERANGE;
    if (n)
        std::memcpy(s->bytes + addr, src, n);
    return AK_OK;
}

extern "C" ak_status ak_sim_mem_read(ak_sim *s, uint64_t addr, void *dst, uint64_t n)
{
    if (!in_memory(s, addr, n))
        return AK_ERANGE;
    if (n)
        std::memcpy(dst, s->bytes + addr, n);
    return AK_OK;
}

extern "C" uint64_t ak_sim_mem_size(const ak_sim *s)
{
    return s->cfg.mem_bytes;
}

extern "C" ak_status ak_sim_run_until_irq(ak_sim *s, uint64_t max_cycles, uint64_t *cycles)
{
    uint64_t n = 0;
    ak_status st = AK_OK;
    for (;; n++) {
        if (s->failed) {
            st = AK_EASSERT;
            break;
        }
        if (s->top->irq_o)
            break;
        if (n == max_cycles) {
            st = AK_ETIMEOUT;
            break;
        }
        s->cycle();
    }
    if (cycles)
        *cycles = n;
    s->wait_end = s->cycles - s->job_base;
    return st;
}

extern "C" void ak_sim_step(ak_sim *s, uint64_t n)
{
    while (n-- && !s->failed)
        s->cycle();
}

extern "C" int ak_sim_irq(ak_sim *s)
{
    return s->top->irq_o;
}

extern "C" uint64_t ak_sim_cycles(const ak_sim *s)
{
    return s->cycles;
}

extern "C" void ak_sim_mem_stats(const ak_sim *s, ak_mem_stats *st)
{
    ak_mem_get_stats(s->mem, st);
}

extern "C" unsigned ak_sim_mem_outstanding(const ak_sim *s)
{
    return ak_mem_outstanding(s->mem);
}

extern "C" int ak_sim_axi_valid(const ak_sim *s)
{
    return s->top->m_arvalid_o || s->top->m_awvalid_o || s->top->m_wvalid_o;
}

extern "C" const ak_sim_config *ak_sim_get_config(const ak_sim *s)
{
    return &s->cfg;
}

extern "C" void ak_sim_job_begin(ak_sim *s, uint64_t watch, uint64_t watch_bytes)
{
    s->job_base = s->cycles;
    s->jobs++;
    s->wait_end = 0;
    s->watch = watch;
    s->watch_bytes = watch_bytes;
    const uint64_t beats =
        watch_bytes ? (watch + watch_bytes - 1) / AK_BEAT_BYTES - watch / AK_BEAT_BYTES + 1 : 0;
    s->last_write.assign(beats, kNever);
}

extern "C" uint64_t ak_sim_job_cycle(const ak_sim *s)
{
    return s->cycles - s->job_base;
}

extern "C" uint64_t ak_sim_job_start(const ak_sim *s)
{
    return s->job_base;
}

extern "C" int ak_sim_last_write(const ak_sim *s, uint64_t addr, uint64_t *job_cycle)
{
    if (addr < s->watch || addr - s->watch >= s->watch_bytes)
        return 0;
    const uint64_t beat = addr / AK_BEAT_BYTES - s->watch / AK_BEAT_BYTES;
    if (beat >= s->last_write.size() || s->last_write[beat] == kNever)
        return 0;
    if (job_cycle)
        *job_cycle = s->last_write[beat];
    return 1;
}

extern "C" uint64_t ak_sim_wait_end(const ak_sim *s)
{
    return s->wait_end;
}

extern "C" void ak_sim_get_wave_info(const ak_sim *s, ak_sim_wave_info *wi)
{
    *wi = s->wi;
}

extern "C" ak_status ak_sim_set_dma_regions(ak_sim *s, const ak_mem_region *r, unsigned n)
{
    return ak_mem_set_regions(s->mem, r, n);
}

extern "C" int ak_sim_dma_violation(const ak_sim *s, ak_mem_violation *v)
{
    ak_mem_get_violation(s->mem, v);
    ak_mem_stats st;
    ak_mem_get_stats(s->mem, &st);
    // the memory counts edges since its reset, the harness since open: a constant offset
    v->cycle = v->cycle + (s->cycles - st.cycles) - s->job_base;
    return v->count != 0;
}

extern "C" int ak_sim_assert_failure(const ak_sim *s, ak_sim_assert_info *ai)
{
    if (!s->failed)
        return 0;
    if (ai)
        *ai = s->fail;
    return 1;
}

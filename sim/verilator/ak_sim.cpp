// The Verilated ak_top behind the C API of ak_sim.h (thin C++: the model, its clock, the copy
// of its AXI signals to and from the memory model's C structs, and the FST trace).
// A cycle is two halves: low() drives the memory's signals into the model with the clock low
// and samples what the model drives; high() is the edge for the memory model and the RTL.
#include "ak_sim.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unistd.h>

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
} // namespace

struct ak_sim {
    ak_sim_config cfg{};
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vak_top> top;
    std::unique_ptr<VerilatedFstC> fst;
    ak_mem *mem = nullptr;
    uint64_t cycles = 0;
    ak_axi_m2s m2s{};
    ak_axi_s2m s2m{};

    void dump(uint64_t t)
    {
        if (fst)
            fst->dump(t);
    }

    void low()
    {
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
        dump(2 * cycles);
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
        dump(2 * cycles + 1);
        cycles++;
    }

    void cycle()
    {
        low();
        high();
    }
};

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
    if (ak_mem_create(&mc, &s->mem) != AK_OK)
        return AK_ENOMEM;
    s->ctx = std::make_unique<VerilatedContext>();
    if (s->cfg.wave)
        s->ctx->traceEverOn(true);
    s->top = std::make_unique<Vak_top>(s->ctx.get(), "ak_top");
    if (s->cfg.wave) {
        s->fst = std::make_unique<VerilatedFstC>();
        s->top->trace(s->fst.get(), 99);
        s->fst->open(s->cfg.wave);
        if (!s->fst->isOpen()) {
            ak_sim_close(s.release());
            return AK_EIO;
        }
    }
    ak_sim_reset(s.get());
    *out = s.release();
    return AK_OK;
}

extern "C" void ak_sim_close(ak_sim *s)
{
    if (!s)
        return;
    if (s->top)
        s->top->final();
#if VM_COVERAGE
    /* a coverage build (make coverage): this simulation's counts, one file per close, merged
       later by verilator_coverage */
    if (const char *dir = std::getenv("AK_SIM_COVERAGE_DIR")) {
        static unsigned seq;
        const std::string path = std::string(dir) + "/ak_sim_" + std::to_string(getpid()) + "_" +
                                 std::to_string(seq++) + ".dat";
        s->ctx->coveragep()->write(path.c_str());
    }
#endif
    if (s->fst)
        s->fst->close();
    ak_mem_destroy(s->mem);
    delete s;
}

extern "C" void ak_sim_reset(ak_sim *s)
{
    Vak_top &t = *s->top;
    t.s_awvalid_i = t.s_wvalid_i = t.s_arvalid_i = 0;
    t.s_bready_i = t.s_rready_i = 0;
    t.rst_ni = 0;
    ak_mem_reset(s->mem);
    for (uint64_t i = 0; i < kResetCycles; i++)
        s->cycle();
    t.rst_ni = 1;
    s->cycle();
}

extern "C" ak_status ak_sim_csr_write(ak_sim *s, uint32_t addr, uint32_t data)
{
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
        if (b) {
            t.s_bready_i = 0;
            return resp ? AK_EADDRESS : AK_OK;
        }
    }
}

extern "C" ak_status ak_sim_csr_read(ak_sim *s, uint32_t addr, uint32_t *data)
{
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
        if (r) {
            t.s_rready_i = 0;
            if (data)
                *data = v;
            return resp ? AK_EADDRESS : AK_OK;
        }
    }
}

static ak_status mem_status(ak_status st)
{
    return st == AK_OK ? AK_OK : st == AK_ERANGE ? AK_ERANGE : AK_EINVAL;
}

extern "C" ak_status ak_sim_mem_write(ak_sim *s, uint64_t addr, const void *src, uint64_t n)
{
    return mem_status(ak_mem_write(s->mem, addr, src, n));
}

extern "C" ak_status ak_sim_mem_read(ak_sim *s, uint64_t addr, void *dst, uint64_t n)
{
    return mem_status(ak_mem_read(s->mem, addr, dst, n));
}

extern "C" uint64_t ak_sim_mem_size(const ak_sim *s)
{
    return ak_mem_size(s->mem);
}

extern "C" ak_status ak_sim_run_until_irq(ak_sim *s, uint64_t max_cycles, uint64_t *cycles)
{
    uint64_t n = 0;
    ak_status st = AK_OK;
    for (;; n++) {
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
    return st;
}

extern "C" void ak_sim_step(ak_sim *s, uint64_t n)
{
    while (n--)
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

extern "C" const ak_sim_config *ak_sim_get_config(const ak_sim *s)
{
    return &s->cfg;
}


// The C API of ak_sc_rtl_sim.h over the platform of ak_sc_rtl.h. The C API's calls are run by
// a host module: a TLM-2.0 initiator bound to the platform's CSR socket whose SC_THREAD
// executes one command (CSR access, reset, wait for the interrupt, step) per sc_start() and
// then sc_pause()s, so the caller gets control back between commands without stopping the
// simulation. The platform's memory socket is bound to an ak_tlm_memory, the C API's backdoor.
#include "ak_sc_rtl.h"

#include <cstdlib>
#include <cstring>
#include <memory>

#include <tlm_utils/simple_initiator_socket.h>

#include "ak_tlm_memory.h"

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;


namespace {

constexpr uint64_t kDefaultMem = 64ull << 20;
constexpr uint32_t kDefaultLatency = 20;
constexpr uint64_t kResetCycles = 4;

enum class cmd { none, csr_read, csr_write, reset, wait_irq, step };

struct ak_sc_rtl_host : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<ak_sc_rtl_host> init;
    ak_sc_rtl_platform &p;
    sc_core::sc_event go;
    // the command and its results
    cmd what = cmd::none;
    uint32_t addr = 0, data = 0;
    uint64_t limit = 0, waited = 0;
    ak_status result = AK_OK;
    bool done = false;

    ak_sc_rtl_host(sc_core::sc_module_name name, ak_sc_rtl_platform &plat)
        : sc_core::sc_module(name), init("init"), p(plat)
    {
        SC_HAS_PROCESS(ak_sc_rtl_host);
        SC_THREAD(run);
        init.bind(p.csr_socket());
    }

    void csr(bool write)
    {
        tlm::tlm_generic_payload tr;
        unsigned char buf[4];
        for (int i = 0; i < 4; i++)
            buf[i] = uint8_t(data >> (8 * i));
        tr.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        tr.set_address(addr);
        tr.set_data_ptr(buf);
        tr.set_data_length(4);
        tr.set_streaming_width(4);
        tr.set_byte_enable_ptr(nullptr);
        tr.set_dmi_allowed(false);
        tr.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time delay = SC_ZERO_TIME;
        init->b_transport(tr, delay);
        if (tr.is_response_ok()) {
            if (!write)
                data = uint32_t(buf[0]) | uint32_t(buf[1]) << 8 | uint32_t(buf[2]) << 16 |
                       uint32_t(buf[3]) << 24;
            result = AK_OK;
        } else {
            result = p.csr.timed_out() ? AK_ETIMEOUT : AK_EADDRESS;
        }
    }

    // Time until `edges` more rising edges have passed, plus half a cycle (a point where
    // nothing happens): the next edges come at last_edge + k periods.
    sc_time after_edges(uint64_t edges) const
    {
        const uint64_t P = p.period().value(), cap = (uint64_t(1) << 62) / P;
        const uint64_t end = p.mem.last_edge().value() + P * (edges < cap ? edges : cap) + P / 2;
        return sc_time::from_value(end - sc_core::sc_time_stamp().value());
    }

    void run()
    {
        for (;;) {
            wait(go);
            switch (what) {
            case cmd::csr_read: csr(false); break;
            case cmd::csr_write: csr(true); break;
            case cmd::reset:
                p.rst_n.write(false);
                p.mem.reset_timing();
                for (uint64_t i = 0; i < kResetCycles; i++)
                    wait(p.clk.posedge_event());
                p.rst_n.write(true);
                wait(p.clk.posedge_event());
                result = AK_OK;
                break;
            case cmd::wait_irq: {
                const uint64_t e0 = p.mem.edges();
                if (!p.irq.read() && limit)
                    wait(after_edges(limit), p.irq.posedge_event());
                waited = p.mem.edges() - e0;
                result = p.irq.read() ? AK_OK : AK_ETIMEOUT;
                break;
            }
            case cmd::step:
                if (limit)
                    wait(after_edges(limit));
                result = AK_OK;
                break;
            case cmd::none: result = AK_OK; break;
            }
            done = true;
            sc_core::sc_pause();
        }
    }
};

// One platform per process (SystemC elaborates once); built on the first open. The memory
// has no bytes between opens.
struct world {
    ak_sc_rtl_platform plat{"ak_sc_rtl", false};
    ak_sc_rtl_host host{"ak_sc_rtl_host", plat};
    ak_tlm_memory memory{"ak_sc_rtl_memory", 0};
    world() { plat.mem_socket().bind(memory.socket); }
};
world *g_world;
bool g_open;

} // namespace

struct ak_sc_rtl {
    ak_sc_rtl_config cfg{};
    uint64_t edges0 = 0;
    sc_time t0;
};

// Runs one command of the host to its sc_pause().
static ak_status exec(cmd c)
{
    ak_sc_rtl_host &h = g_world->host;
    h.what = c;
    h.done = false;
    h.result = AK_ESYSTEMC;
    try {
        h.go.notify(SC_ZERO_TIME);
        sc_core::sc_start();
    } catch (...) {
        return AK_ESYSTEMC;
    }
    return h.done ? h.result : AK_ESYSTEMC;
}

// libsystemc.so calls sc_main from its own main(); we have ours, but the symbol must exist.
// Weak, so another SystemC user in the same program (the TLM model) may define it too.
extern "C" int sc_main(int, char **) __attribute__((weak));
extern "C" int sc_main(int, char **)
{
    return 1;
}

static ak_status build_world()
{
    if (g_world)
        return AK_OK;
    // no SystemC banner (a CLI's --json output must stay clean)
    setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
    try {
        if (sc_core::sc_get_status() != sc_core::SC_ELABORATION)
            return AK_ESYSTEMC; // someone else's simulation already started
        if (sc_core::sc_get_time_resolution() != sc_time(1, sc_core::SC_PS))
            return AK_ESYSTEMC; // the model's timeprecision is 1 ps
        g_world = new world;
        sc_core::sc_start(SC_ZERO_TIME); // elaboration, initialisation: the host waits for go
    } catch (...) {
        return AK_ESYSTEMC;
    }
    // the clock's first rising edge (at time 0) before any open, so that every open sees its
    // fresh memory timing model reset and then exactly the edges the plain harness gives it
    return exec(cmd::none);
}

extern "C" ak_status ak_sc_rtl_open(const ak_sc_rtl_config *cfg, ak_sc_rtl **out)
{
    if (!out)
        return AK_EINVAL;
    *out = nullptr;
    if (g_open)
        return AK_EBUSY;
    std::unique_ptr<ak_sc_rtl> s(new (std::nothrow) ak_sc_rtl);
    if (!s)
        return AK_ENOMEM;
    if (cfg)
        s->cfg = *cfg;
    if (!s->cfg.mem_bytes)
        s->cfg.mem_bytes = kDefaultMem;
    if (!s->cfg.latency)
        s->cfg.latency = kDefaultLatency;
    if (s->cfg.bytes_per_cycle > AK_BEAT_BYTES)
        return AK_EINVAL;
    const ak_status st = build_world();
    if (st != AK_OK)
        return st;
    // every address goes to the TLM memory: it answers those beyond it with an error (SLVERR)
    const ak_mem_config mc = {~0ull, s->cfg.latency, s->cfg.jitter_seed, s->cfg.bytes_per_cycle};
    const ak_status ms = g_world->plat.mem.configure(mc);
    if (ms != AK_OK)
        return ms == AK_ENOMEM ? AK_ENOMEM : AK_EINVAL;
    ak_tlm_memory &m = g_world->memory;
    if (!m.resize(s->cfg.mem_bytes))
        return AK_ENOMEM;
    m.set_dmi(!s->cfg.no_dmi);
    m.clear_stats();
    g_world->plat.mem.clear_stats();
    g_open = true;
    s->edges0 = g_world->plat.mem.edges();
    s->t0 = g_world->plat.mem.last_edge();
    ak_sc_rtl_reset(s.get());
    *out = s.release();
    return AK_OK;
}

extern "C" void ak_sc_rtl_close(ak_sc_rtl *s)
{
    if (!s)
        return;
    g_world->memory.resize(0);
    g_open = false;
    delete s;
}

extern "C" void ak_sc_rtl_reset(ak_sc_rtl *)
{
    exec(cmd::reset);
}

extern "C" ak_status ak_sc_rtl_csr_write(ak_sc_rtl *, uint32_t addr, uint32_t data)
{
    g_world->host.addr = addr;
    g_world->host.data = data;
    return exec(cmd::csr_write);
}

extern "C" ak_status ak_sc_rtl_csr_read(ak_sc_rtl *, uint32_t addr, uint32_t *data)
{
    g_world->host.addr = addr;
    g_world->host.data = 0;
    const ak_status st = exec(cmd::csr_read);
    if (st == AK_OK && data)
        *data = g_world->host.data;
    return st;
}

extern "C" ak_status ak_sc_rtl_mem_write(ak_sc_rtl *, uint64_t addr, const void *src,
                                         uint64_t n)
{
    if (n && !src)
        return AK_EINVAL;
    return g_world->memory.write(addr, src, n) ? AK_OK : AK_ERANGE;
}

extern "C" ak_status ak_sc_rtl_mem_read(ak_sc_rtl *, uint64_t addr, void *dst, uint64_t n)
{
    if (n && !dst)
        return AK_EINVAL;
    return g_world->memory.read(addr, dst, n) ? AK_OK : AK_ERANGE;
}

extern "C" uint64_t ak_sc_rtl_mem_size(const ak_sc_rtl *)
{
    return g_world->memory.size();
}

extern "C" ak_status ak_sc_rtl_run_until_irq(ak_sc_rtl *, uint64_t max_cycles,
                                             uint64_t *cycles)
{
    g_world->host.limit = max_cycles;
    g_world->host.waited = 0;
    const ak_status st = exec(cmd::wait_irq);
    if (cycles)
        *cycles = g_world->host.waited;
    return st;
}

extern "C" void ak_sc_rtl_step(ak_sc_rtl *, uint64_t n)
{
    g_world->host.limit = n;
    exec(cmd::step);
}

extern "C" int ak_sc_rtl_irq(ak_sc_rtl *)
{
    return g_world->plat.irq.read();
}

extern "C" uint64_t ak_sc_rtl_cycles(const ak_sc_rtl *s)
{
    return g_world->plat.mem.edges() - s->edges0;
}

extern "C" uint64_t ak_sc_rtl_time_ps(const ak_sc_rtl *s)
{
    return (sc_core::sc_time_stamp() - s->t0).value();
}

extern "C" void ak_sc_rtl_mem_stats(const ak_sc_rtl *, ak_mem_stats *st)
{
    ak_mem_get_stats(g_world->plat.mem.timing(), st);
}

extern "C" void ak_sc_rtl_get_tlm_stats(const ak_sc_rtl *, ak_sc_rtl_tlm_stats *st)
{
    const ak_tlm_memory::stats_t &m = g_world->memory.stats();
    const ak_axi2tlm::stats_t &b = g_world->plat.mem.stats();
    *st = ak_sc_rtl_tlm_stats{m.transactions, m.errors, m.dmi_grants, b.dmi_beats,
                              b.transport_beats};
}

extern "C" const ak_sc_rtl_config *ak_sc_rtl_get_config(const ak_sc_rtl *s)
{
    return &s->cfg;
}


// The TLM platform behind the C API of ak_tlm_sim.h: a pool of platforms (host initiator ->
// accelerator CSRs, accelerator -> memory, interrupt), built once, since SystemC elaborates
// once per process.
#include "ak_tlm_sim.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "ak_tlm_accel.h"
#include "ak_tlm_memory.h"

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

namespace {
constexpr uint64_t kDefaultMem = 64ull << 20;
constexpr uint32_t kDefaultLatency = 20;
constexpr uint32_t kDefaultClockPs = 4000;
constexpr uint32_t kDefaultQuantum = 10000;
constexpr unsigned kSettleDeltas = 1000; // delta cycles at one time point, at most

// The host side of the CSR bus: one b_transport per access.
struct host_initiator : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<host_initiator> socket;
    explicit host_initiator(sc_core::sc_module_name n) : sc_core::sc_module(n), socket("socket") {}
};

struct platform : sc_core::sc_module {
    host_initiator host;
    ak_tlm_accel accel;
    ak_tlm_memory mem;
    sc_core::sc_signal<bool> irq;
    bool waiting = false, in_use = false;

    SC_HAS_PROCESS(platform);
    explicit platform(sc_core::sc_module_name n)
        : sc_core::sc_module(n), host("host"), accel("accel"), mem("mem", 4096), irq("irq")
    {
        host.socket.bind(accel.csr);
        accel.mem.bind(mem.socket);
        accel.irq.bind(irq);
        SC_METHOD(on_irq);
        sensitive << irq;
        dont_initialize();
    }

    // the interrupt rose while the host waits for it: back to the host
    void on_irq()
    {
        if (waiting && irq.read())
            sc_core::sc_pause();
    }
};

platform *pool[AK_TLM_MAX_PLATFORMS];
bool built;

// SystemC's messages go to stderr (stdout may carry JSON)
void report_handler(const sc_core::sc_report &rep, const sc_core::sc_actions &actions)
{
    if (actions & sc_core::SC_DISPLAY)
        std::fprintf(stderr, "%s\n", sc_core::sc_report_compose_message(rep).c_str());
    sc_core::sc_report_handler::default_handler(rep, actions & ~sc_core::SC_DISPLAY);
}

ak_status build_pool()
{
    if (built)
        return AK_OK;
    setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
    try {
        sc_core::sc_report_handler::set_handler(report_handler);
        for (unsigned i = 0; i < AK_TLM_MAX_PLATFORMS; i++)
            pool[i] = new platform(("ak_tlm" + std::to_string(i)).c_str());
    } catch (const std::bad_alloc &) {
        return AK_ENOMEM;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "ak_tlm: building the platforms: %s\n", e.what());
        return AK_ESYSTEMC;
    }
    built = true;
    return AK_OK;
}

// Runs the simulation for t, then the delta cycles left at the time it stops.
ak_status simulate(const sc_time &t)
{
    try {
        sc_core::sc_start(t);
        for (unsigned i = 0; i < kSettleDeltas && sc_core::sc_pending_activity_at_current_time(); i++)
            sc_core::sc_start(SC_ZERO_TIME);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "ak_tlm: %s\n", e.what());
        return AK_ESYSTEMC;
    }
    return AK_OK;
}
} // namespace

// libsystemc's main() calls sc_main; a program with its own main() (the attnkit CLI, the
// tests) never does, but the symbol must exist. A program's own sc_main takes precedence.
extern "C" __attribute__((weak)) int sc_main(int, char **)
{
    return 0;
}

struct ak_tlm {
    platform *p = nullptr;
    ak_tlm_config cfg{};
    sc_time clock, t_open;
};

extern "C" ak_status ak_tlm_open(const ak_tlm_config *cfg, ak_tlm **out)
{
    if (!out)
        return AK_EINVAL;
    *out = nullptr;
    ak_tlm_config c = cfg ? *cfg : ak_tlm_config{};
    if (!c.mem_bytes)
        c.mem_bytes = kDefaultMem;
    if (!c.latency)
        c.latency = kDefaultLatency;
    if (!c.bytes_per_cycle)
        c.bytes_per_cycle = AK_BEAT_BYTES;
    if (!c.clock_ps)
        c.clock_ps = kDefaultClockPs;
    if (!c.quantum_cycles)
        c.quantum_cycles = kDefaultQuantum;
    if (!c.threads)
        c.threads = 1;
    if (c.bytes_per_cycle > AK_BEAT_BYTES)
        return AK_EINVAL;
    ak_status st = build_pool();
    if (st != AK_OK)
        return st;
    platform *p = nullptr;
    for (platform *q : pool)
        if (!q->in_use) {
            p = q;
            break;
        }
    if (!p)
        return AK_EBUSY;
    ak_tlm *s = new (std::nothrow) ak_tlm;
    if (!s)
        return AK_ENOMEM;
    ak_tlm_accel::params ap;
    ap.clock = sc_time((double)c.clock_ps, sc_core::SC_PS);
    ap.mem.latency = c.latency;
    ap.mem.bytes_per_cycle = c.bytes_per_cycle;
    ap.mem.jitter_seed = c.jitter_seed;
    ap.threads = c.threads;
    ap.dmi = !c.no_dmi;
    ap.csr_delay = ap.clock;
    const char *why = nullptr;
    if (ak_mem_timing_check(&ap.mem, &why) != AK_OK) {
        delete s;
        return AK_EINVAL;
    }
    p->accel.reset();
    p->accel.configure(ap);
    if (!p->mem.resize(c.mem_bytes)) {
        delete s;
        return AK_ENOMEM;
    }
    p->mem.clear_stats();
    tlm::tlm_global_quantum::instance().set(ap.clock * (double)c.quantum_cycles);
    p->in_use = true;
    s->p = p;
    s->cfg = c;
    s->clock = ap.clock;
    // elaborates on the first open; lets a job dropped by the reset wake and leave
    if ((st = simulate(SC_ZERO_TIME)) != AK_OK) {
        p->in_use = false;
        delete s;
        return st;
    }
    s->t_open = sc_core::sc_time_stamp();
    *out = s;
    return AK_OK;
}

extern "C" void ak_tlm_close(ak_tlm *s)
{
    if (!s)
        return;
    s->p->accel.reset();
    s->p->mem.resize(0);
    s->p->in_use = false;
    delete s;
}

extern "C" ak_status ak_tlm_csr_transport(ak_tlm *s, int write, uint64_t addr, uint8_t *data,
                                          unsigned len, int *tlm_response)
{
    if (!s || !data)
        return AK_EINVAL;
    tlm::tlm_generic_payload gp;
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(data);
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = SC_ZERO_TIME;
    s->p->host.socket->b_transport(gp, delay);
    if (tlm_response)
        *tlm_response = gp.get_response_status();
    const ak_status st = simulate(delay);
    if (st != AK_OK)
        return st;
    return gp.get_response_status() == tlm::TLM_OK_RESPONSE ? AK_OK
           : gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE ? AK_EADDRESS
                                                                          : AK_ERESPONSE;
}

static ak_status csr_access(ak_tlm *s, bool write, uint32_t addr, uint32_t *v, unsigned strb)
{
    if (!s || !v)
        return AK_EINVAL;
    uint8_t data[4] = {(uint8_t)*v, (uint8_t)(*v >> 8), (uint8_t)(*v >> 16), (uint8_t)(*v >> 24)};
    uint8_t be[4];
    for (unsigned b = 0; b < 4; b++)
        be[b] = strb >> b & 1 ? TLM_BYTE_ENABLED : TLM_BYTE_DISABLED;
    tlm::tlm_generic_payload gp;
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(data);
    gp.set_data_length(4);
    gp.set_streaming_width(4);
    if (write && strb != 0xf) {
        gp.set_byte_enable_ptr(be);
        gp.set_byte_enable_length(4);
    }
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = SC_ZERO_TIME;
    s->p->host.socket->b_transport(gp, delay);
    const ak_status st = simulate(delay);
    if (st != AK_OK)
        return st;
    if (gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE)
        return AK_EADDRESS;
    if (gp.is_response_error())
        return AK_ERESPONSE;
    if (!write)
        *v = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
             (uint32_t)data[3] << 24;
    return AK_OK;
}

extern "C" ak_status ak_tlm_csr_write(ak_tlm *s, uint32_t addr, uint32_t data)
{
    return csr_access(s, true, addr, &data, 0xf);
}

extern "C" ak_status ak_tlm_csr_write_strb(ak_tlm *s, uint32_t addr, uint32_t data,
                                           unsigned strb)
{
    return csr_access(s, true, addr, &data, strb & 0xf);
}

extern "C" ak_status ak_tlm_csr_read(ak_tlm *s, uint32_t addr, uint32_t *data)
{
    uint32_t v = 0;
    const ak_status st = csr_access(s, false, addr, &v, 0xf);
    if (st == AK_OK && data)
        *data = v;
    return st;
}

extern "C" ak_status ak_tlm_mem_write(ak_tlm *s, uint64_t addr, const void *src, uint64_t n)
{
    if (!s || (!src && n))
        return AK_EINVAL;
    return s->p->mem.write(addr, src, n) ? AK_OK : AK_ERANGE;
}

extern "C" ak_status ak_tlm_mem_read(ak_tlm *s, uint64_t addr, void *dst, uint64_t n)
{
    if (!s || (!dst && n))
        return AK_EINVAL;
    return s->p->mem.read(addr, dst, n) ? AK_OK : AK_ERANGE;
}

extern "C" uint64_t ak_tlm_mem_size(const ak_tlm *s)
{
    return s ? s->p->mem.size() : 0;
}

extern "C" ak_status ak_tlm_run_until_irq(ak_tlm *s, uint64_t max_cycles, uint64_t *cycles)
{
    if (!s)
        return AK_EINVAL;
    const sc_time t0 = sc_core::sc_time_stamp();
    ak_status st = AK_OK;
    if (!s->p->accel.irq_level()) {
        // the longest budget sc_time holds from now
        const uint64_t room = (~0ull - t0.value()) / s->clock.value() / 2;
        s->p->waiting = true;
        st = simulate(s->clock * (double)(max_cycles < room ? max_cycles : room));
        s->p->waiting = false;
    }
    const uint64_t n = (sc_core::sc_time_stamp() - t0).value() / s->clock.value();
    if (cycles)
        *cycles = n;
    if (st != AK_OK)
        return st;
    return s->p->accel.irq_level() ? AK_OK : AK_ETIMEOUT;
}

extern "C" ak_status ak_tlm_step(ak_tlm *s, uint64_t n)
{
    if (!s)
        return AK_EINVAL;
    return simulate(s->clock * (double)n);
}

extern "C" int ak_tlm_irq(const ak_tlm *s)
{
    return s && s->p->accel.irq_level();
}

extern "C" uint64_t ak_tlm_time_ps(const ak_tlm *s)
{
    if (!s)
        return 0;
    return (uint64_t)((sc_core::sc_time_stamp() - s->t_open).to_seconds() * 1e12 + 0.5);
}

extern "C" uint64_t ak_tlm_cycles(const ak_tlm *s)
{
    return s ? (sc_core::sc_time_stamp() - s->t_open).value() / s->clock.value() : 0;
}

extern "C" void ak_tlm_get_stats(const ak_tlm *s, ak_tlm_stats *st)
{
    if (!s || !st)
        return;
    const ak_tlm_accel::stats_t &a = s->p->accel.stats();
    const double ps = (a.last_end - a.last_start).to_seconds() * 1e12;
    *st = ak_tlm_stats{a.jobs, a.transactions, a.dmi_accesses, s->p->mem.stats().dmi_grants,
                       a.bytes_read, a.bytes_written, (uint64_t)(ps + 0.5), a.host_read_s,
                       a.host_reference_s, a.host_cycle_model_s};
}

extern "C" const ak_tlm_config *ak_tlm_get_config(const ak_tlm *s)
{
    return s ? &s->cfg : nullptr;
}


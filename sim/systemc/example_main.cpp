// Example: the attnkit accelerator in someone else's virtual platform (docs/systemc.md), either
// the TLM model (ak_tlm_accel) or, with --rtl, the Verilated RTL (ak_sc_rtl_platform).
//
//   cpu.socket ──► bus ──► mem.socket          (0x0000_0000: 16 MiB of memory)
//   accel.mem  ──►     └─► accel.csr           (0x4000_0000: the accelerator's 256-byte CSRs)
//   accel.irq  ──► irq ──► cpu.irq
//
// The platform (cpu, bus, memory) is this file's; the accelerator is dropped in by binding its
// two sockets and its interrupt (three lines in sc_main, the same for both). The CPU, a
// loosely-timed initiator with a quantum keeper, writes an attention job into memory over the
// bus, programs the CSRs, waits for the interrupt, reads the counters and the output back and
// checks them: the output against the reference model and, on the TLM model, the job's
// simulated time against CYCLES x clock period (on the RTL that time is printed, not checked:
// the CPU sees its interrupt one clock later there). Built and run both ways by
// `make systemc-example`; exits 0 when the checks hold.
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "ak_sc_rtl.h"
#include "ak_tlm_accel.h"
#include "ak_tlm_memory.h"
#include "attnkit/attnkit.h"
#include "attnkit_csr.h"

using namespace sc_core;

static const uint64_t kMemBase = 0x00000000, kMemSize = 16u << 20;
static const uint64_t kCsrBase = 0x40000000, kCsrSize = 256;
#define CSR(reg) (kCsrBase + offsetof(attnkit_csr_t, reg))

// A two-target address decoder: port 0 memory, port 1 the accelerator's CSRs.
struct bus : sc_module {
    tlm_utils::multi_passthrough_target_socket<bus> targ;
    tlm_utils::multi_passthrough_initiator_socket<bus> init;

    SC_CTOR(bus) : targ("targ"), init("init")
    {
        targ.register_b_transport(this, &bus::b_transport);
        targ.register_get_direct_mem_ptr(this, &bus::get_direct_mem_ptr);
        targ.register_transport_dbg(this, &bus::transport_dbg);
        init.register_invalidate_direct_mem_ptr(this, &bus::invalidate);
    }

    // the port and base of an address (-1: unmapped)
    static int decode(uint64_t a, uint64_t &base)
    {
        if (a >= kMemBase && a < kMemBase + kMemSize)
            return base = kMemBase, 0;
        if (a >= kCsrBase && a < kCsrBase + kCsrSize)
            return base = kCsrBase, 1;
        return -1;
    }

    void b_transport(int, tlm::tlm_generic_payload &gp, sc_time &delay)
    {
        uint64_t base;
        const uint64_t a = gp.get_address();
        const int port = decode(a, base);
        if (port < 0) {
            gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        gp.set_address(a - base);
        init[port]->b_transport(gp, delay);
        gp.set_address(a);
    }

    bool get_direct_mem_ptr(int, tlm::tlm_generic_payload &gp, tlm::tlm_dmi &dmi)
    {
        uint64_t base;
        const uint64_t a = gp.get_address();
        const int port = decode(a, base);
        if (port != 0)
            return false;
        gp.set_address(a - base);
        const bool ok = init[port]->get_direct_mem_ptr(gp, dmi);
        gp.set_address(a);
        dmi.set_start_address(dmi.get_start_address() + base);
        dmi.set_end_address(dmi.get_end_address() + base);
        return ok;
    }

    unsigned int transport_dbg(int, tlm::tlm_generic_payload &gp)
    {
        uint64_t base;
        const uint64_t a = gp.get_address();
        const int port = decode(a, base);
        if (port < 0)
            return 0;
        gp.set_address(a - base);
        const unsigned int n = init[port]->transport_dbg(gp);
        gp.set_address(a);
        return n;
    }

    void invalidate(int port, sc_dt::uint64 start, sc_dt::uint64 end)
    {
        const uint64_t base = port == 0 ? kMemBase : kCsrBase;
        for (unsigned i = 0; i < targ.size(); i++)
            targ[i]->invalidate_direct_mem_ptr(start + base, end + base);
    }
};

// The host CPU: one attention job, end to end, through the bus.
struct cpu : sc_module {
    tlm_utils::simple_initiator_socket<cpu> socket;
    sc_in<bool> irq;
    tlm_utils::tlm_quantumkeeper qk;
    int result = 1;
    bool exact_time = true; // the TLM model: start to interrupt = CYCLES x 4 ns

    SC_CTOR(cpu) : socket("socket"), irq("irq")
    {
        SC_THREAD(run);
        set_stack_size(16u << 20); // the reference model runs here too
        qk.reset();
    }

    bool access(tlm::tlm_command cmd, uint64_t addr, void *data, unsigned n)
    {
        tlm::tlm_generic_payload gp;
        gp.set_command(cmd);
        gp.set_address(addr);
        gp.set_data_ptr(static_cast<unsigned char *>(data));
        gp.set_data_length(n);
        gp.set_streaming_width(n);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time delay = qk.get_local_time();
        socket->b_transport(gp, delay);
        qk.set(delay);
        if (qk.need_sync())
            qk.sync();
        return gp.is_response_ok();
    }
    uint32_t rd(uint64_t a)
    {
        uint32_t v = 0;
        if (!access(tlm::TLM_READ_COMMAND, a, &v, 4))
            std::printf("cpu: read of 0x%llx failed\n", (unsigned long long)a);
        return v;
    }
    void wr(uint64_t a, uint32_t v) { access(tlm::TLM_WRITE_COMMAND, a, &v, 4); }

    void run()
    {
        // a job: 4 heads of 197 tokens, d = 64, a sliding-window mask of block 32
        const uint32_t H = 4, N = 197, D = 64;
        ak_inputs in;
        ak_mask mask;
        std::vector<ak_head_quant> quant(H);
        const ak_pattern pat = {AK_PATTERN_WINDOW, 2, 0, 0, 0, 0, 0, 0};
        if (ak_inputs_generate(AK_LOGITS_GAUSS1, H, N, N, D, 7, &in) != AK_OK ||
            ak_mask_build(&pat, N, N, 32, H, in.q, in.k, D, &mask, nullptr) != AK_OK)
            return;
        for (uint32_t h = 0; h < H; h++) {
            in.scales[h].o = in.scales[h].v / 8.0;
            ak_head_quant_from_scales(&in.scales[h], D, &quant[h]);
        }
        ak_attn_job job = {H, N, N, D, in.q, in.k, in.v, quant.data(), &mask};
        ak_job_layout lay;
        ak_job_layout_plan(&job, kMemBase + 4096, &lay);
        std::vector<uint8_t> img(lay.o - lay.desc);
        ak_job_image_write(&job, &lay, img.data());
        // the image into memory over the bus, 4 KB at a time
        for (uint64_t at = 0; at < img.size(); at += 4096) {
            const unsigned n = (unsigned)std::min<uint64_t>(4096, img.size() - at);
            access(tlm::TLM_WRITE_COMMAND, lay.desc + at, img.data() + at, n);
        }
        std::printf("cpu: ID 0x%08x, CAPS 0x%08x; job %u heads x %u tokens, d %u, %s mask\n",
                    rd(CSR(ID)), rd(CSR(CAPS)), H, N, D, ak_pattern_name(pat.kind));
        wr(CSR(DESC_ADDR_LO), (uint32_t)lay.desc);
        wr(CSR(DESC_ADDR_HI), (uint32_t)(lay.desc >> 32));
        wr(CSR(CTRL), ATTNKIT_CSR__CTRL__START_bm | ATTNKIT_CSR__CTRL__IRQ_EN_bm);
        qk.sync(); // the start's time is now
        const sc_time t_start = sc_time_stamp() - sc_time(4, SC_NS); // minus the CSR delay
        wait(irq.posedge_event());
        const sc_time t_irq = sc_time_stamp();
        const uint32_t status = rd(CSR(STATUS)), err = rd(CSR(ERR));
        const uint64_t cycles = (uint64_t)rd(CSR(CYCLES_HI)) << 32 | rd(CSR(CYCLES_LO));
        const uint64_t macs = (uint64_t)rd(CSR(MACS_HI)) << 32 | rd(CSR(MACS_LO));
        wr(CSR(STATUS), ATTNKIT_CSR__STATUS__DONE_bm);
        std::vector<int8_t> out(lay.o_bytes), o(H * N * D), ref(H * N * D);
        access(tlm::TLM_READ_COMMAND, lay.o, out.data(), (unsigned)out.size());
        ak_job_output_read(&job, &lay, reinterpret_cast<uint8_t *>(out.data()), o.data());
        ak_attention(&job, ref.data(), nullptr, 1);
        const bool bytes_ok = o == ref;
        const bool time_ok =
            !exact_time || t_irq - t_start == sc_time(4.0 * (double)cycles, SC_NS);
        std::printf("cpu: interrupt at %s, STATUS 0x%x ERR %u; CYCLES %llu, MACs %llu\n",
                    t_irq.to_string().c_str(), status, err, (unsigned long long)cycles,
                    (unsigned long long)macs);
        std::printf("cpu: start to interrupt %s, CYCLES x 4 ns %s%s; output equals the reference "
                    "model: %s\n",
                    (t_irq - t_start).to_string().c_str(),
                    sc_time(4.0 * (double)cycles, SC_NS).to_string().c_str(),
                    exact_time ? (time_ok ? ": equal" : ": NOT EQUAL") : "",
                    bytes_ok ? "yes" : "NO");
        result = bytes_ok && time_ok && !(status & ATTNKIT_CSR__STATUS__ERROR_bm) ? 0 : 1;
        ak_inputs_free(&in);
        ak_mask_free(&mask);
        sc_stop();
    }
};

int sc_main(int argc, char *argv[])
{
    const bool rtl = argc > 1 && std::strcmp(argv[1], "--rtl") == 0;
    tlm::tlm_global_quantum::instance().set(sc_time(1, SC_US));
    cpu host("cpu");
    bus interconnect("bus");
    ak_tlm_memory mem("mem", kMemSize);
    sc_signal<bool> irq("irq");
    host.socket.bind(interconnect.targ);
    interconnect.init.bind(mem.socket);

    std::unique_ptr<ak_tlm_accel> accel;
    std::unique_ptr<ak_sc_rtl_platform> plat;
    if (!rtl) {
        // the TLM model: 250 MHz, the cycle model told the memory's timing (latency 20)
        ak_tlm_accel::params p;
        p.clock = sc_time(4, SC_NS);
        p.mem.latency = 20;
        accel.reset(new ak_tlm_accel("accel", p));
        interconnect.init.bind(accel->csr);  // 1. its CSRs on the bus (port 1)
        accel->mem.bind(interconnect.targ);  // 2. its master port on the bus
        accel->irq.bind(irq);                // 3. its interrupt to the CPU
        host.irq.bind(irq);
    } else {
        // the RTL: 250 MHz, a power-on reset, the memory timing model's default (latency 20)
        plat.reset(new ak_sc_rtl_platform("rtl"));
        interconnect.init.bind(plat->csr_socket()); // 1. its CSRs on the bus (port 1)
        plat->mem_socket().bind(interconnect.targ); // 2. its master port on the bus
        host.irq.bind(plat->irq);                   // 3. its interrupt to the CPU
        host.exact_time = false;
    }
    std::printf("cpu: the accelerator is the %s\n", rtl ? "Verilated RTL" : "TLM model");

    sc_start();
    return host.result;
}

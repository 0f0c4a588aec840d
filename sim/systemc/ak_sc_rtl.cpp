// The SystemC platform of ak_sc_rtl.h and the C API of ak_sc_rtl_sim.h over it.
// The C API's calls are run by a host module: a TLM-2.0 initiator bound to the platform's CSR
// socket whose SC_THREAD executes one command (CSR access, reset, wait for the interrupt, step)
// per sc_start() and then sc_pause()s, so the caller gets control back between commands
// without stopping the simulation. The platform's memory socket is bound to an ak_tlm_memory,
// the C API's backdoor.
#include "ak_sc_rtl.h"

#include <cstdlib>
#include <cstring>
#include <memory>

#include <tlm_utils/simple_initiator_socket.h>

#include "Vak_top_sc.h"
#include "ak_tlm_memory.h"

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

// ---- TLM-2.0 target -> AXI4-Lite master ----------------------------------------------------

ak_tlm2axilite::ak_tlm2axilite(sc_core::sc_module_name name)
    : sc_core::sc_module(name), tgt("tgt"), clk("clk"), rst_n("rst_n"), awvalid("awvalid"), wvalid("wvalid"),
      bready("bready"), arvalid("arvalid"), rready("rready"), awaddr("awaddr"), wdata("wdata"),
      wstrb("wstrb"), araddr("araddr"), awready("awready"), wready("wready"), bvalid("bvalid"),
      arready("arready"), rvalid("rvalid"), bresp("bresp"), rdata("rdata"), rresp("rresp")
{
    tgt.register_b_transport(this, &ak_tlm2axilite::b_transport);
}

// AW and W offered together until each is taken, then B accepted: the sequence (and the
// cycles) of ak_sim_csr_write. The ready/valid pins are read in the delta of the rising edge,
// i.e. as they stood before it: a handshake happened at that edge.
bool ak_tlm2axilite::write(uint32_t addr, uint32_t data, uint32_t strb, uint32_t &resp)
{
    awaddr.write(addr);
    wdata.write(data);
    wstrb.write(strb);
    bool aw = true, w = true;
    awvalid.write(true);
    wvalid.write(true);
    for (uint64_t n = 0; aw || w; n++) {
        if (n == handshake_timeout) {
            awvalid.write(false);
            wvalid.write(false);
            return false;
        }
        wait(clk.posedge_event());
        aw &= !awready.read();
        w &= !wready.read();
        awvalid.write(aw);
        wvalid.write(w);
    }
    bready.write(true);
    for (uint64_t n = 0;; n++) {
        if (n == handshake_timeout) {
            bready.write(false);
            return false;
        }
        wait(clk.posedge_event());
        if (bvalid.read()) {
            resp = bresp.read();
            bready.write(false);
            return true;
        }
    }
}

bool ak_tlm2axilite::read(uint32_t addr, uint32_t &data, uint32_t &resp)
{
    araddr.write(addr);
    arvalid.write(true);
    for (uint64_t n = 0;; n++) {
        if (n == handshake_timeout) {
            arvalid.write(false);
            return false;
        }
        wait(clk.posedge_event());
        if (arready.read())
            break;
    }
    arvalid.write(false);
    rready.write(true);
    for (uint64_t n = 0;; n++) {
        if (n == handshake_timeout) {
            rready.write(false);
            return false;
        }
        wait(clk.posedge_event());
        if (rvalid.read()) {
            data = rdata.read();
            resp = rresp.read();
            rready.write(false);
            return true;
        }
    }
}

void ak_tlm2axilite::b_transport(tlm::tlm_generic_payload &tr, sc_time &delay)
{
    const uint64_t addr = tr.get_address();
    const unsigned len = tr.get_data_length();
    unsigned char *p = tr.get_data_ptr();
    const unsigned char *be = tr.get_byte_enable_ptr();
    const unsigned be_len = tr.get_byte_enable_length();
    timed_out_ = false;
    if (addr > 0xff) { // beyond the slave's 8 address bits: never on the bus
        tr.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (len != 4 || tr.get_streaming_width() < len || (be && be_len == 0)) {
        tr.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    if (!tr.is_read() && !tr.is_write()) { // TLM_IGNORE_COMMAND
        tr.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    uint32_t strb = 0xf;
    if (be) {
        strb = 0;
        for (unsigned i = 0; i < 4; i++)
            strb |= (be[i % be_len] == TLM_BYTE_ENABLED ? 1u : 0u) << i;
    }
    // loosely timed: catch up with the initiator's local time first
    wait(delay);
    delay = SC_ZERO_TIME;
    while (!rst_n.read())
        wait(rst_n.posedge_event());
    bus_.lock();
    uint32_t resp = 0, data = 0;
    bool ok;
    if (tr.is_write()) {
        for (unsigned i = 0; i < 4; i++)
            data |= uint32_t(p[i]) << (8 * i);
        ok = write(uint32_t(addr), data, strb, resp);
    } else {
        ok = read(uint32_t(addr), data, resp);
        if (ok && resp < 2)
            for (unsigned i = 0; i < 4; i++)
                if (strb >> i & 1)
                    p[i] = uint8_t(data >> (8 * i));
    }
    bus_.unlock();
    timed_out_ = !ok;
    tr.set_response_status(!ok ? tlm::TLM_GENERIC_ERROR_RESPONSE
                           : resp >= 2 ? tlm::TLM_ADDRESS_ERROR_RESPONSE
                                       : tlm::TLM_OK_RESPONSE);
}

// ---- AXI4 master pins -> memory timing model -> TLM-2.0 initiator --------------------------

const ak_mem_config ak_axi2tlm::kDefaultTiming = {~0ull, 20, 0, AK_MEM_BEAT_BYTES};

ak_axi2tlm::ak_axi2tlm(sc_core::sc_module_name name)
    : sc_core::sc_module(name), socket("socket"), clk("clk"), arvalid("arvalid"),
      rready("rready"), awvalid("awvalid"), wvalid("wvalid"), wlast("wlast"), bready("bready"),
      araddr("araddr"), awaddr("awaddr"), wstrb("wstrb"), arlen("arlen"), arsize("arsize"),
      arburst("arburst"), awlen("awlen"), awsize("awsize"), awburst("awburst"), wdata("wdata"),
      arready("arready"), rvalid("rvalid"), rlast("rlast"), awready("awready"),
      wready("wready"), bvalid("bvalid"), rresp("rresp"), bresp("bresp"), rdata("rdata")
{
    SC_HAS_PROCESS(ak_axi2tlm);
    SC_METHOD(edge);
    sensitive << clk.pos() << kick_;
    dont_initialize();
    socket.register_invalidate_direct_mem_ptr(this, &ak_axi2tlm::invalidate_dmi);
    configure(kDefaultTiming); // on failure (out of memory) idle: every signal low
}

ak_axi2tlm::~ak_axi2tlm()
{
    ak_mem_destroy(mem_);
}

ak_status ak_axi2tlm::configure(const ak_mem_config &cfg)
{
    const ak_mem_storage st = {this, storage_read, storage_write};
    ak_mem *m = nullptr;
    const ak_status s = ak_mem_create_with_storage(&cfg, &st, &m);
    if (s != AK_OK)
        return s;
    ak_mem_destroy(mem_);
    mem_ = m;
    kick_.notify(SC_ZERO_TIME);
    return AK_OK;
}

void ak_axi2tlm::reset_timing()
{
    if (mem_)
        ak_mem_reset(mem_);
    kick_.notify(SC_ZERO_TIME);
}

void ak_axi2tlm::invalidate_dmi(sc_dt::uint64 start, sc_dt::uint64 end)
{
    if (dmi_valid_ && start <= dmi_.get_end_address() && end >= dmi_.get_start_address())
        dmi_valid_ = false;
}

// One beat's bytes by b_transport. Called from the SC_METHOD of the clock edge, so the target
// must not wait() (ak_tlm_memory does not); its annotated delay is dropped (the memory
// model's cycles are the timing). A target that allows DMI is asked for a pointer, used from
// the next beat on.
bool ak_axi2tlm::transport(tlm::tlm_command cmd, uint64_t addr, uint8_t *data, unsigned n,
                           const uint8_t *byte_enables)
{
    tlm::tlm_generic_payload gp;
    gp.set_command(cmd);
    gp.set_address(addr);
    gp.set_data_ptr(data);
    gp.set_data_length(n);
    gp.set_streaming_width(n);
    gp.set_byte_enable_ptr(const_cast<uint8_t *>(byte_enables));
    gp.set_byte_enable_length(byte_enables ? n : 0);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = SC_ZERO_TIME;
    socket->b_transport(gp, delay);
    stats_.transport_beats++;
    const bool ok = gp.is_response_ok();
    if (ok && gp.is_dmi_allowed() && !dmi_valid_) {
        tlm::tlm_generic_payload q;
        q.set_command(cmd);
        q.set_address(addr);
        dmi_ = tlm::tlm_dmi();
        dmi_valid_ = socket->get_direct_mem_ptr(q, dmi_);
    }
    return ok;
}

// The memory model's storage: a beat (n <= 64 bytes, never empty) through DMI where the
// pointer covers it with the access allowed, else b_transport. 0 = OKAY, else SLVERR.
int ak_axi2tlm::storage_read(void *ctx, uint64_t addr, uint8_t *dst, unsigned n)
{
    ak_axi2tlm &b = *static_cast<ak_axi2tlm *>(ctx);
    const tlm::tlm_dmi &d = b.dmi_;
    if (b.dmi_valid_ && d.is_read_allowed() && addr >= d.get_start_address() &&
        addr - d.get_start_address() + (n - 1) <= d.get_end_address() - d.get_start_address()) {
        std::memcpy(dst, d.get_dmi_ptr() + (addr - d.get_start_address()), n);
        b.stats_.dmi_beats++;
        return 0;
    }
    return b.transport(tlm::TLM_READ_COMMAND, addr, dst, n, nullptr) ? 0 : 1;
}

int ak_axi2tlm::storage_write(void *ctx, uint64_t addr, const uint8_t *src, unsigned n,
                              uint64_t strb)
{
    ak_axi2tlm &b = *static_cast<ak_axi2tlm *>(ctx);
    const tlm::tlm_dmi &d = b.dmi_;
    const bool all = strb == (n < 64 ? (1ull << n) - 1 : ~0ull);
    if (b.dmi_valid_ && d.is_write_allowed() && addr >= d.get_start_address() &&
        addr - d.get_start_address() + (n - 1) <= d.get_end_address() - d.get_start_address()) {
        uint8_t *p = d.get_dmi_ptr() + (addr - d.get_start_address());
        if (all)
            std::memcpy(p, src, n);
        else
            for (unsigned i = 0; i < n; i++)
                if (strb >> i & 1)
                    p[i] = src[i];
        b.stats_.dmi_beats++;
        return 0;
    }
    uint8_t data[AK_MEM_BEAT_BYTES], be[AK_MEM_BEAT_BYTES];
    std::memcpy(data, src, n); // the payload's pointer is not const
    for (unsigned i = 0; i < n; i++)
        be[i] = strb >> i & 1 ? TLM_BYTE_ENABLED : TLM_BYTE_DISABLED;
    return b.transport(tlm::TLM_WRITE_COMMAND, addr, data, n, all ? nullptr : be) ? 0 : 1;
}

void ak_axi2tlm::drive()
{
    if (mem_)
        ak_mem_drive(mem_, &s2m_);
    else
        s2m_ = ak_axi_s2m{};
    arready.write(s2m_.arready);
    rvalid.write(s2m_.rvalid);
    rlast.write(s2m_.rlast);
    rresp.write(s2m_.rresp);
    awready.write(s2m_.awready);
    wready.write(s2m_.wready);
    bvalid.write(s2m_.bvalid);
    bresp.write(s2m_.bresp);
    // the 512-bit bus only when it changes (the plain harness drives the same bytes)
    if (std::memcmp(rdata_out_, s2m_.rdata, sizeof rdata_out_)) {
        std::memcpy(rdata_out_, s2m_.rdata, sizeof rdata_out_);
        for (int w = 0; w < 16; w++) {
            uint32_t v = 0;
            for (int b = 0; b < 4; b++)
                v |= uint32_t(s2m_.rdata[4 * w + b]) << (8 * b);
            bv_.set_word(w, v);
        }
        rdata.write(bv_);
    }
}

// The rising edge (or a kick from configure/reset_timing: drive only).
void ak_axi2tlm::edge()
{
    if (!clk.posedge()) {
        drive();
        return;
    }
    edges_++;
    last_edge_ = sc_core::sc_time_stamp();
    if (mem_) {
        m2s_.arvalid = arvalid.read();
        m2s_.araddr = araddr.read();
        m2s_.arlen = uint8_t(arlen.read());
        m2s_.arsize = uint8_t(arsize.read());
        m2s_.arburst = uint8_t(arburst.read());
        m2s_.rready = rready.read();
        m2s_.awvalid = awvalid.read();
        m2s_.awaddr = awaddr.read();
        m2s_.awlen = uint8_t(awlen.read());
        m2s_.awsize = uint8_t(awsize.read());
        m2s_.awburst = uint8_t(awburst.read());
        m2s_.wvalid = wvalid.read();
        m2s_.wlast = wlast.read();
        m2s_.wstrb = wstrb.read();
        if (m2s_.wvalid) { // the data of a beat (the memory reads it only then)
            const sc_dt::sc_bv<512> &d = wdata.read();
            for (int w = 0; w < 16; w++) {
                const uint32_t v = d.get_word(w);
                for (int b = 0; b < 4; b++)
                    m2s_.wdata[4 * w + b] = uint8_t(v >> (8 * b));
            }
        }
        m2s_.bready = bready.read();
        ak_mem_tick(mem_, &m2s_);
    }
    drive();
}

// ---- the platform -----------------------------------------------------------------------------

ak_sc_rtl_platform::ak_sc_rtl_platform(sc_core::sc_module_name name, bool power_on_reset)
    : sc_core::sc_module(name),
      clk("clk", sc_time(AK_SC_RTL_CLOCK_PS, sc_core::SC_PS), 0.5, SC_ZERO_TIME, true),
      rst_n("rst_n"), irq("irq"), csr("csr"), mem("mem"), dut_(new Vak_top_sc("dut"))
{
    Vak_top_sc &t = *dut_;
    t.clk_i(clk);
    t.rst_ni(rst_n);
    t.irq_o(irq);
    // AXI4-Lite: the bridge is the master
    t.s_awvalid_i(s_awvalid);
    t.s_awready_o(s_awready);
    t.s_awaddr_i(s_awaddr);
    t.s_wvalid_i(s_wvalid);
    t.s_wready_o(s_wready);
    t.s_wdata_i(s_wdata);
    t.s_wstrb_i(s_wstrb);
    t.s_bvalid_o(s_bvalid);
    t.s_bready_i(s_bready);
    t.s_bresp_o(s_bresp);
    t.s_arvalid_i(s_arvalid);
    t.s_arready_o(s_arready);
    t.s_araddr_i(s_araddr);
    t.s_rvalid_o(s_rvalid);
    t.s_rready_i(s_rready);
    t.s_rdata_o(s_rdata);
    t.s_rresp_o(s_rresp);
    csr.clk(clk);
    csr.rst_n(rst_n);
    csr.awvalid(s_awvalid);
    csr.awready(s_awready);
    csr.awaddr(s_awaddr);
    csr.wvalid(s_wvalid);
    csr.wready(s_wready);
    csr.wdata(s_wdata);
    csr.wstrb(s_wstrb);
    csr.bvalid(s_bvalid);
    csr.bready(s_bready);
    csr.bresp(s_bresp);
    csr.arvalid(s_arvalid);
    csr.arready(s_arready);
    csr.araddr(s_araddr);
    csr.rvalid(s_rvalid);
    csr.rready(s_rready);
    csr.rdata(s_rdata);
    csr.rresp(s_rresp);
    // AXI4: the RTL is the master, the memory model the slave
    t.m_arvalid_o(m_arvalid);
    t.m_arready_i(m_arready);
    t.m_araddr_o(m_araddr);
    t.m_arlen_o(m_arlen);
    t.m_arsize_o(m_arsize);
    t.m_arburst_o(m_arburst);
    t.m_rvalid_i(m_rvalid);
    t.m_rready_o(m_rready);
    t.m_rdata_i(m_rdata);
    t.m_rresp_i(m_rresp);
    t.m_rlast_i(m_rlast);
    t.m_awvalid_o(m_awvalid);
    t.m_awready_i(m_awready);
    t.m_awaddr_o(m_awaddr);
    t.m_awlen_o(m_awlen);
    t.m_awsize_o(m_awsize);
    t.m_awburst_o(m_awburst);
    t.m_wvalid_o(m_wvalid);
    t.m_wready_i(m_wready);
    t.m_wdata_o(m_wdata);
    t.m_wstrb_o(m_wstrb);
    t.m_wlast_o(m_wlast);
    t.m_bvalid_i(m_bvalid);
    t.m_bready_o(m_bready);
    t.m_bresp_i(m_bresp);
    mem.clk(clk);
    mem.arvalid(m_arvalid);
    mem.arready(m_arready);
    mem.araddr(m_araddr);
    mem.arlen(m_arlen);
    mem.arsize(m_arsize);
    mem.arburst(m_arburst);
    mem.rvalid(m_rvalid);
    mem.rready(m_rready);
    mem.rdata(m_rdata);
    mem.rresp(m_rresp);
    mem.rlast(m_rlast);
    mem.awvalid(m_awvalid);
    mem.awready(m_awready);
    mem.awaddr(m_awaddr);
    mem.awlen(m_awlen);
    mem.awsize(m_awsize);
    mem.awburst(m_awburst);
    mem.wvalid(m_wvalid);
    mem.wready(m_wready);
    mem.wdata(m_wdata);
    mem.wstrb(m_wstrb);
    mem.wlast(m_wlast);
    mem.bvalid(m_bvalid);
    mem.bready(m_bready);
    mem.bresp(m_bresp);
    if (power_on_reset) {
        SC_HAS_PROCESS(ak_sc_rtl_platform);
        SC_THREAD(reset_thread);
    }
}

// The power-on reset: as the C API's, 4 edges low.
void ak_sc_rtl_platform::reset_thread()
{
    rst_n.write(false);
    for (int i = 0; i < 4; i++)
        wait(clk.posedge_event());
    rst_n.write(true);
}

ak_sc_rtl_platform::~ak_sc_rtl_platform()
{
    delete dut_;
}

// ---- the host: the C API's commands as a TLM initiator ------------------------------------

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
    ak_sc_rtl_status result = AK_SC_RTL_OK;
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
            result = AK_SC_RTL_OK;
        } else {
            result = p.csr.timed_out() ? AK_SC_RTL_ETIMEOUT : AK_SC_RTL_ESLVERR;
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
                result = AK_SC_RTL_OK;
                break;
            case cmd::wait_irq: {
                const uint64_t e0 = p.mem.edges();
                if (!p.irq.read() && limit)
                    wait(after_edges(limit), p.irq.posedge_event());
                waited = p.mem.edges() - e0;
                result = p.irq.read() ? AK_SC_RTL_OK : AK_SC_RTL_ETIMEOUT;
                break;
            }
            case cmd::step:
                if (limit)
                    wait(after_edges(limit));
                result = AK_SC_RTL_OK;
                break;
            case cmd::none: result = AK_SC_RTL_OK; break;
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
static ak_sc_rtl_status exec(cmd c)
{
    ak_sc_rtl_host &h = g_world->host;
    h.what = c;
    h.done = false;
    h.result = AK_SC_RTL_ESYSTEMC;
    try {
        h.go.notify(SC_ZERO_TIME);
        sc_core::sc_start();
    } catch (...) {
        return AK_SC_RTL_ESYSTEMC;
    }
    return h.done ? h.result : AK_SC_RTL_ESYSTEMC;
}

// libsystemc.so calls sc_main from its own main(); we have ours, but the symbol must exist.
// Weak, so another SystemC user in the same program (the TLM model) may define it too.
extern "C" int sc_main(int, char **) __attribute__((weak));
extern "C" int sc_main(int, char **)
{
    return 1;
}

static ak_sc_rtl_status build_world()
{
    if (g_world)
        return AK_SC_RTL_OK;
    // no SystemC banner (a CLI's --json output must stay clean)
    setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
    try {
        if (sc_core::sc_get_status() != sc_core::SC_ELABORATION)
            return AK_SC_RTL_ESYSTEMC; // someone else's simulation already started
        if (sc_core::sc_get_time_resolution() != sc_time(1, sc_core::SC_PS))
            return AK_SC_RTL_ESYSTEMC; // the model's timeprecision is 1 ps
        g_world = new world;
        sc_core::sc_start(SC_ZERO_TIME); // elaboration, initialisation: the host waits for go
    } catch (...) {
        return AK_SC_RTL_ESYSTEMC;
    }
    // the clock's first rising edge (at time 0) before any open, so that every open sees its
    // fresh memory timing model reset and then exactly the edges the plain harness gives it
    return exec(cmd::none);
}

extern "C" ak_sc_rtl_status ak_sc_rtl_open(const ak_sc_rtl_config *cfg, ak_sc_rtl **out)
{
    if (!out)
        return AK_SC_RTL_EINVAL;
    *out = nullptr;
    if (g_open)
        return AK_SC_RTL_EBUSY;
    std::unique_ptr<ak_sc_rtl> s(new (std::nothrow) ak_sc_rtl);
    if (!s)
        return AK_SC_RTL_ENOMEM;
    if (cfg)
        s->cfg = *cfg;
    if (!s->cfg.mem_bytes)
        s->cfg.mem_bytes = kDefaultMem;
    if (!s->cfg.latency)
        s->cfg.latency = kDefaultLatency;
    if (s->cfg.bytes_per_cycle > AK_MEM_BEAT_BYTES)
        return AK_SC_RTL_EINVAL;
    const ak_sc_rtl_status st = build_world();
    if (st != AK_SC_RTL_OK)
        return st;
    // every address goes to the TLM memory: it answers those beyond it with an error (SLVERR)
    const ak_mem_config mc = {~0ull, s->cfg.latency, s->cfg.jitter_seed, s->cfg.bytes_per_cycle};
    const ak_status ms = g_world->plat.mem.configure(mc);
    if (ms != AK_OK)
        return ms == AK_ENOMEM ? AK_SC_RTL_ENOMEM : AK_SC_RTL_EINVAL;
    ak_tlm_memory &m = g_world->memory;
    if (!m.resize(s->cfg.mem_bytes))
        return AK_SC_RTL_ENOMEM;
    m.set_dmi(!s->cfg.no_dmi);
    m.clear_stats();
    g_world->plat.mem.clear_stats();
    g_open = true;
    s->edges0 = g_world->plat.mem.edges();
    s->t0 = g_world->plat.mem.last_edge();
    ak_sc_rtl_reset(s.get());
    *out = s.release();
    return AK_SC_RTL_OK;
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

extern "C" ak_sc_rtl_status ak_sc_rtl_csr_write(ak_sc_rtl *, uint32_t addr, uint32_t data)
{
    g_world->host.addr = addr;
    g_world->host.data = data;
    return exec(cmd::csr_write);
}

extern "C" ak_sc_rtl_status ak_sc_rtl_csr_read(ak_sc_rtl *, uint32_t addr, uint32_t *data)
{
    g_world->host.addr = addr;
    g_world->host.data = 0;
    const ak_sc_rtl_status st = exec(cmd::csr_read);
    if (st == AK_SC_RTL_OK && data)
        *data = g_world->host.data;
    return st;
}

extern "C" ak_sc_rtl_status ak_sc_rtl_mem_write(ak_sc_rtl *, uint64_t addr, const void *src,
                                                uint64_t n)
{
    if (n && !src)
        return AK_SC_RTL_EINVAL;
    return g_world->memory.write(addr, src, n) ? AK_SC_RTL_OK : AK_SC_RTL_ERANGE;
}

extern "C" ak_sc_rtl_status ak_sc_rtl_mem_read(ak_sc_rtl *, uint64_t addr, void *dst, uint64_t n)
{
    if (n && !dst)
        return AK_SC_RTL_EINVAL;
    return g_world->memory.read(addr, dst, n) ? AK_SC_RTL_OK : AK_SC_RTL_ERANGE;
}

extern "C" uint64_t ak_sc_rtl_mem_size(const ak_sc_rtl *)
{
    return g_world->memory.size();
}

extern "C" ak_sc_rtl_status ak_sc_rtl_run_until_irq(ak_sc_rtl *, uint64_t max_cycles,
                                                    uint64_t *cycles)
{
    g_world->host.limit = max_cycles;
    g_world->host.waited = 0;
    const ak_sc_rtl_status st = exec(cmd::wait_irq);
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

extern "C" const char *ak_sc_rtl_strerror(ak_sc_rtl_status st)
{
    switch (st) {
    case AK_SC_RTL_OK: return "ok";
    case AK_SC_RTL_EINVAL: return "invalid argument";
    case AK_SC_RTL_ENOMEM: return "out of memory";
    case AK_SC_RTL_ERANGE: return "address outside the simulated memory";
    case AK_SC_RTL_ETIMEOUT: return "timed out";
    case AK_SC_RTL_ESLVERR: return "CSR access answered with an error response";
    case AK_SC_RTL_EBUSY: return "a SystemC RTL simulation is already open in this process";
    case AK_SC_RTL_ESYSTEMC:
        return "SystemC refused (simulation started elsewhere in this process, or time "
               "resolution not 1 ps)";
    }
    return "unknown simulator status";
}

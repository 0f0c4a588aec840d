// The memory bridge of the RTL platform: AXI4 master pins -> memory timing model -> TLM-2.0
// initiator (ak_axi2tlm.h).
#include "ak_axi2tlm.h"

#include <cstring>

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

const ak_mem_config ak_axi2tlm::kDefaultTiming = {~0ull, 20, 0, AK_BEAT_BYTES};

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
    const bool all = strb == (n < AK_BEAT_BYTES ? (1ull << n) - 1 : ~0ull);
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
    uint8_t data[AK_BEAT_BYTES], be[AK_BEAT_BYTES];
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
    // the data bus only when it changes (the plain harness drives the same bytes)
    if (std::memcmp(rdata_out_, s2m_.rdata, sizeof rdata_out_)) {
        std::memcpy(rdata_out_, s2m_.rdata, sizeof rdata_out_);
        for (int w = 0; w < AK_BEAT_BYTES / 4; w++) {
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
            const sc_dt::sc_bv<AK_BEAT_BITS> &d = wdata.read();
            for (int w = 0; w < AK_BEAT_BYTES / 4; w++) {
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

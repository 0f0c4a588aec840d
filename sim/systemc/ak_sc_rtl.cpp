// The SystemC platform of ak_sc_rtl.h: the clock, the reset, the Verilated model and its two
// bridges (ak_tlm2axilite.cpp, ak_axi2tlm.cpp) wired together.
#include "ak_sc_rtl.h"

#include "Vak_top_sc.h"

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

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

// ak_csr: the control/status registers of rtl/regs/attnkit_csr.rdl on an AXI4-Lite slave
// (32-bit data). Offsets, field positions and reset values come from the generated
// ak_csr_pkg; nothing here is typed in by hand.
// Handshake: one write (AW and W together) or one read at a time; a response follows on the
// next cycle and is held until accepted. Unmapped addresses answer SLVERR; writes to read-only
// registers are ignored (OKAY). CTRL.start and CTRL.abort read back 0 and pulse start_o /
// abort_o for one cycle; STATUS.done is set by done_i and cleared by writing 1.
module ak_csr #(
  parameter logic [7:0] PeRows     = 8'(ak_pkg::DefaultRows),
  parameter logic [7:0] PeCols     = 8'(ak_pkg::KeyTile),
  parameter logic [7:0] MaxHeadDim = 8'(ak_pkg::MaxHeadDim)
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // AXI4-Lite slave
  input  logic        s_awvalid_i,
  output logic        s_awready_o,
  input  logic [7:0]  s_awaddr_i,
  input  logic        s_wvalid_i,
  output logic        s_wready_o,
  input  logic [31:0] s_wdata_i,
  input  logic [3:0]  s_wstrb_i,
  output logic        s_bvalid_o,
  input  logic        s_bready_i,
  output logic [1:0]  s_bresp_o,
  input  logic        s_arvalid_i,
  output logic        s_arready_o,
  input  logic [7:0]  s_araddr_i,
  output logic        s_rvalid_o,
  input  logic        s_rready_i,
  output logic [31:0] s_rdata_o,
  output logic [1:0]  s_rresp_o,
  // to and from the accelerator
  output logic        start_o,
  output logic        abort_o,
  output logic [63:0] desc_addr_o,
  input  logic        busy_i,
  input  logic        done_i,       // pulse: a job ended
  input  logic        error_i,      // with done_i: it ended in error
  input  logic [7:0]  err_code_i,   // with done_i
  input  logic [63:0] cycles_i,
  input  logic [63:0] stalls_i,
  input  logic [63:0] macs_i,
  input  logic        prune_i,      // the pruning unit is present (CAPS.prune)
  output logic        irq_o
);
  // a write sets start and abort from the same CTRL word: both may pulse together, and the
  // controller gives abort priority

  localparam logic [1:0] RespOkay = 2'b00, RespSlvErr = 2'b10;

  logic [31:0] desc_lo_q, desc_lo_d, desc_hi_q, desc_hi_d;
  logic irq_en_q, irq_en_d, done_q, done_d, error_q, error_d;
  logic [7:0] err_q, err_d;
  logic start_q, start_d, abort_q, abort_d;
  logic bvalid_q, bvalid_d, rvalid_q, rvalid_d;
  logic [1:0] bresp_q, bresp_d, rresp_q, rresp_d;
  logic [31:0] rdata_q, rdata_d;

  // byte-strobed write of a 32-bit register
  function automatic logic [31:0] strobe(input logic [31:0] old, input logic [31:0] data,
                                         input logic [3:0] strb);
    strobe = old;
    for (int b = 0; b < 4; b++)
      if (strb[b]) strobe[8*b +: 8] = data[8*b +: 8];
  endfunction

  // read mux: the value of the register at addr, and whether it exists
  logic [31:0] rd_value;
  logic rd_hit;
  always @* begin
    rd_hit = 1'b1;
    rd_value = '0;
    case (32'(s_araddr_i))
      ak_csr_pkg::IdOffset:
        rd_value[ak_csr_pkg::IdMagicLsb +: ak_csr_pkg::IdMagicWidth] = ak_csr_pkg::IdMagicReset;
      ak_csr_pkg::VersionOffset: begin
        rd_value[ak_csr_pkg::VersionNumericsLsb +: ak_csr_pkg::VersionNumericsWidth] =
            ak_csr_pkg::VersionNumericsReset;
        rd_value[ak_csr_pkg::VersionMinorLsb +: ak_csr_pkg::VersionMinorWidth] =
            ak_csr_pkg::VersionMinorReset;
        rd_value[ak_csr_pkg::VersionMajorLsb +: ak_csr_pkg::VersionMajorWidth] =
            ak_csr_pkg::VersionMajorReset;
      end
      ak_csr_pkg::CtrlOffset: rd_value[ak_csr_pkg::CtrlIrqEnLsb] = irq_en_q;
      ak_csr_pkg::StatusOffset: begin
        rd_value[ak_csr_pkg::StatusBusyLsb] = busy_i;
        rd_value[ak_csr_pkg::StatusDoneLsb] = done_q;
        rd_value[ak_csr_pkg::StatusErrorLsb] = error_q;
      end
      ak_csr_pkg::ErrOffset: rd_value[ak_csr_pkg::ErrCodeLsb +: ak_csr_pkg::ErrCodeWidth] = err_q;
      ak_csr_pkg::DescAddrLoOffset: rd_value = desc_lo_q;
      ak_csr_pkg::DescAddrHiOffset: rd_value = desc_hi_q;
      ak_csr_pkg::CyclesLoOffset: rd_value = cycles_i[31:0];
      ak_csr_pkg::CyclesHiOffset: rd_value = cycles_i[63:32];
      ak_csr_pkg::StallsLoOffset: rd_value = stalls_i[31:0];
      ak_csr_pkg::StallsHiOffset: rd_value = stalls_i[63:32];
      ak_csr_pkg::MacsLoOffset: rd_value = macs_i[31:0];
      ak_csr_pkg::MacsHiOffset: rd_value = macs_i[63:32];
      ak_csr_pkg::CapsOffset: begin
        rd_value[ak_csr_pkg::CapsPeRowsLsb +: ak_csr_pkg::CapsPeRowsWidth] = PeRows;
        rd_value[ak_csr_pkg::CapsPeColsLsb +: ak_csr_pkg::CapsPeColsWidth] = PeCols;
        rd_value[ak_csr_pkg::CapsMaxHeadDimLsb +: ak_csr_pkg::CapsMaxHeadDimWidth] = MaxHeadDim;
        rd_value[ak_csr_pkg::CapsPruneLsb +: ak_csr_pkg::CapsPruneWidth] = prune_i;
      end
      default: rd_hit = 1'b0;
    endcase
  end

  // a write happens when address and data are both offered and no response is pending
  logic wr_go, rd_go;
  assign wr_go = s_awvalid_i && s_wvalid_i && !bvalid_q;
  assign rd_go = s_arvalid_i && !rvalid_q;

  always @* begin
    desc_lo_d = desc_lo_q;
    desc_hi_d = desc_hi_q;
    irq_en_d = irq_en_q;
    start_d = 1'b0;
    abort_d = 1'b0;
    done_d = done_q || done_i;
    error_d = done_i ? error_i : error_q;
    err_d = done_i ? err_code_i : err_q;
    bvalid_d = bvalid_q && !s_bready_i;
    bresp_d = bresp_q;
    rvalid_d = rvalid_q && !s_rready_i;
    rresp_d = rresp_q;
    rdata_d = rdata_q;
    if (wr_go) begin
      bvalid_d = 1'b1;
      bresp_d = RespOkay;
      case (32'(s_awaddr_i))
        ak_csr_pkg::CtrlOffset: if (s_wstrb_i[0]) begin
          start_d = s_wdata_i[ak_csr_pkg::CtrlStartLsb];
          abort_d = s_wdata_i[ak_csr_pkg::CtrlAbortLsb];
          irq_en_d = s_wdata_i[ak_csr_pkg::CtrlIrqEnLsb];
        end
        ak_csr_pkg::StatusOffset:
          if (s_wstrb_i[0] && s_wdata_i[ak_csr_pkg::StatusDoneLsb] && !done_i) done_d = 1'b0;
        ak_csr_pkg::DescAddrLoOffset: desc_lo_d = strobe(desc_lo_q, s_wdata_i, s_wstrb_i);
        ak_csr_pkg::DescAddrHiOffset: desc_hi_d = strobe(desc_hi_q, s_wdata_i, s_wstrb_i);
        ak_csr_pkg::IdOffset, ak_csr_pkg::VersionOffset, ak_csr_pkg::ErrOffset,
        ak_csr_pkg::CyclesLoOffset, ak_csr_pkg::CyclesHiOffset, ak_csr_pkg::StallsLoOffset,
        ak_csr_pkg::StallsHiOffset, ak_csr_pkg::MacsLoOffset, ak_csr_pkg::MacsHiOffset,
        ak_csr_pkg::CapsOffset: ;  // read-only: ignored
        default: bresp_d = RespSlvErr;
      endcase
    end
    if (rd_go) begin
      rvalid_d = 1'b1;
      rdata_d = rd_value;
      rresp_d = rd_hit ? RespOkay : RespSlvErr;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      desc_lo_q <= ak_csr_pkg::DescAddrLoAddrReset;
      desc_hi_q <= ak_csr_pkg::DescAddrHiAddrReset;
      irq_en_q <= ak_csr_pkg::CtrlIrqEnReset;
      done_q <= ak_csr_pkg::StatusDoneReset;
      error_q <= ak_csr_pkg::StatusErrorReset;
      err_q <= ak_csr_pkg::ErrCodeReset;
      start_q <= 1'b0;
      abort_q <= 1'b0;
      bvalid_q <= 1'b0;
      bresp_q <= RespOkay;
      rvalid_q <= 1'b0;
      rresp_q <= RespOkay;
      rdata_q <= '0;
    end else begin
      desc_lo_q <= desc_lo_d;
      desc_hi_q <= desc_hi_d;
      irq_en_q <= irq_en_d;
      done_q <= done_d;
      error_q <= error_d;
      err_q <= err_d;
      start_q <= start_d;
      abort_q <= abort_d;
      bvalid_q <= bvalid_d;
      bresp_q <= bresp_d;
      rvalid_q <= rvalid_d;
      rresp_q <= rresp_d;
      rdata_q <= rdata_d;
    end
  end

  assign s_awready_o = wr_go;
  assign s_wready_o = wr_go;
  assign s_bvalid_o = bvalid_q;
  assign s_bresp_o = bresp_q;
  assign s_arready_o = rd_go;
  assign s_rvalid_o = rvalid_q;
  assign s_rdata_o = rdata_q;
  assign s_rresp_o = rresp_q;
  assign start_o = start_q;
  assign abort_o = abort_q;
  assign desc_addr_o = {desc_hi_q, desc_lo_q};
  assign irq_o = irq_en_q && done_q;
endmodule

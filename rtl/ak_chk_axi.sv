// ak_chk_axi: simulation-only protocol checker of an AXI4 master (ak_top's memory port), bound
// by instantiation (no bind): every input is the master's signal or its slave's. It checks the
// AXI4 rules the master must keep and the accelerator's burst contract (docs/architecture.md:
// INCR bursts of whole aligned beats, at most MaxBurst beats, never across a 4 KB boundary, W
// after its AW, at most MaxOutstanding reads in flight), and that the master only accepts R and
// B for requests it made. A violation is `$fatal(1, "AK_ASSERT <name>: ...")`: Icarus ends the
// run with a non-zero exit; the Verilator harness (sim/verilator/ak_sim.cpp) records the first
// and stops clocking (docs/assertions.md lists every check). Empty for synthesis.
module ak_chk_axi #(
  parameter int MaxBurst       = ak_pkg::DefaultMaxBurst,
  parameter int MaxOutstanding = ak_pkg::DefaultRdOutstanding,
  parameter int WDepth         = 4   // AWs the checker tracks ahead of their W beats
) (
  input  logic                         clk_i,
  input  logic                         rst_ni,
  input  logic                         arvalid_i,
  input  logic                         arready_i,
  input  logic [63:0]                  araddr_i,
  input  logic [7:0]                   arlen_i,
  input  logic [2:0]                   arsize_i,
  input  logic [1:0]                   arburst_i,
  input  logic                         rvalid_i,
  input  logic                         rready_i,
  input  logic                         rlast_i,
  input  logic                         awvalid_i,
  input  logic                         awready_i,
  input  logic [63:0]                  awaddr_i,
  input  logic [7:0]                   awlen_i,
  input  logic [2:0]                   awsize_i,
  input  logic [1:0]                   awburst_i,
  input  logic                         wvalid_i,
  input  logic                         wready_i,
  input  logic [ak_pkg::BeatBits-1:0]  wdata_i,
  input  logic [ak_pkg::BeatBytes-1:0] wstrb_i,
  input  logic                         wlast_i,
  input  logic                         bvalid_i,
  input  logic                         bready_i
);
`ifndef SYNTHESIS
  localparam int BL = ak_pkg::BeatBytesLog2;
  localparam int QB = WDepth > 1 ? $clog2(WDepth) : 1;

  // a burst's legality: INCR, whole beats, aligned, 1..MaxBurst beats, inside one 4 KB page
  function automatic logic burst_ok(input logic [BL-1:0] addr, input logic [7:0] len,
                                    input logic [2:0] size, input logic [1:0] kind);
    burst_ok = kind == 2'b01 && size == 3'(BL) && addr == '0 &&
               32'(len) + 1 <= MaxBurst;
  endfunction
  function automatic logic crosses_4k(input logic [11:0] addr, input logic [7:0] len);
    crosses_4k = 32'(addr) + ((32'(len) + 1) << BL) > 32'h1000;
  endfunction

  logic ar_hs, r_hs, aw_hs, w_hs, b_hs;
  assign ar_hs = arvalid_i && arready_i;
  assign r_hs = rvalid_i && rready_i;
  assign aw_hs = awvalid_i && awready_i;
  assign w_hs = wvalid_i && wready_i;
  assign b_hs = bvalid_i && bready_i;

  // the last cycle's signals (stability), the bursts in flight
  logic p_live, p_ar_wait, p_aw_wait, p_w_wait;
  logic [63:0] p_araddr, p_awaddr;
  logic [7:0] p_arlen, p_awlen;
  logic [2:0] p_arsize, p_awsize;
  logic [1:0] p_arburst, p_awburst;
  logic [ak_pkg::BeatBits-1:0] p_wdata;
  logic [ak_pkg::BeatBytes-1:0] p_wstrb;
  logic p_wlast;
  int unsigned rd_out;            // ARs taken whose last R beat has not been taken
  int unsigned wr_resp;           // write bursts whose W beats are all taken, B not yet
  logic [7:0] awq [WDepth];       // lengths of the AWs taken whose W beats are not all taken
  logic [QB-1:0] awq_head;
  int unsigned awq_n;
  int unsigned wbeat;             // W beats taken of the burst at awq_head

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      p_live <= 1'b0;
      p_ar_wait <= 1'b0;
      p_aw_wait <= 1'b0;
      p_w_wait <= 1'b0;
      rd_out <= 0;
      wr_resp <= 0;
      awq_head <= 0;
      awq_n <= 0;
      wbeat <= 0;
    end else begin
      p_live <= 1'b1;
      p_ar_wait <= arvalid_i && !arready_i;
      p_aw_wait <= awvalid_i && !awready_i;
      p_w_wait <= wvalid_i && !wready_i;
      rd_out <= rd_out + 32'(ar_hs) - 32'(r_hs && rlast_i && rd_out != 0);
      // (the W beat and the AW of one cycle: the beat belongs to an AW taken before, or to
      // this one when none is pending)
      if (aw_hs) awq[QB'((32'(awq_head) + awq_n) % WDepth)] <= awlen_i;
      if (w_hs && (awq_n != 0 || aw_hs)) begin
        if (wlast_i) begin
          wbeat <= 0;
          awq_head <= QB'((32'(awq_head) + 1) % WDepth);
        end else begin
          wbeat <= wbeat + 1;
        end
      end
      awq_n <= awq_n + 32'(aw_hs) - 32'(w_hs && wlast_i && (awq_n != 0 || aw_hs));
      wr_resp <= wr_resp + 32'(w_hs && wlast_i) - 32'(b_hs && wr_resp != 0);
    end
  end
  always @(posedge clk_i) begin
    p_araddr <= araddr_i;
    p_arlen <= arlen_i;
    p_arsize <= arsize_i;
    p_arburst <= arburst_i;
    p_awaddr <= awaddr_i;
    p_awlen <= awlen_i;
    p_awsize <= awsize_i;
    p_awburst <= awburst_i;
    p_wdata <= wdata_i;
    p_wstrb <= wstrb_i;
    p_wlast <= wlast_i;
  end

  // the length of the burst the current W beat belongs to
  logic [7:0] wlen;
  assign wlen = awq_n != 0 ? awq[awq_head] : awlen_i;

  always @(posedge clk_i) begin
    // (p_live: out of reset since the last edge; rst_ni itself is only an asynchronous reset)
    if (p_live) begin
      // valid held until ready, the payload with it
      if (p_ar_wait && !(arvalid_i && araddr_i == p_araddr && arlen_i == p_arlen &&
                         arsize_i == p_arsize && arburst_i == p_arburst))
        $fatal(1, "AK_ASSERT axi_ar_stable: arvalid dropped or AR changed before arready");
      if (p_aw_wait && !(awvalid_i && awaddr_i == p_awaddr && awlen_i == p_awlen &&
                         awsize_i == p_awsize && awburst_i == p_awburst))
        $fatal(1, "AK_ASSERT axi_aw_stable: awvalid dropped or AW changed before awready");
      if (p_w_wait && !(wvalid_i && wdata_i == p_wdata && wstrb_i == p_wstrb &&
                        wlast_i == p_wlast))
        $fatal(1, "AK_ASSERT axi_w_stable: wvalid dropped or W changed before wready");
      // the bursts
      if (arvalid_i && !burst_ok(araddr_i[BL-1:0], arlen_i, arsize_i, arburst_i))
        $fatal(1, "AK_ASSERT axi_ar_burst: AR 0x%h len %0d size %0d burst %0d: not INCR of aligned whole beats, 1..%0d",
               araddr_i, arlen_i, arsize_i, arburst_i, MaxBurst);
      if (arvalid_i && crosses_4k(araddr_i[11:0], arlen_i))
        $fatal(1, "AK_ASSERT axi_ar_4k: AR 0x%h + %0d beats crosses a 4 KB boundary", araddr_i,
               arlen_i + 1);
      if (awvalid_i && !burst_ok(awaddr_i[BL-1:0], awlen_i, awsize_i, awburst_i))
        $fatal(1, "AK_ASSERT axi_aw_burst: AW 0x%h len %0d size %0d burst %0d: not INCR of aligned whole beats, 1..%0d",
               awaddr_i, awlen_i, awsize_i, awburst_i, MaxBurst);
      if (awvalid_i && crosses_4k(awaddr_i[11:0], awlen_i))
        $fatal(1, "AK_ASSERT axi_aw_4k: AW 0x%h + %0d beats crosses a 4 KB boundary", awaddr_i,
               awlen_i + 1);
      // reads in flight
      if (ar_hs && rd_out >= MaxOutstanding)
        $fatal(1, "AK_ASSERT axi_ar_outstanding: an AR taken with %0d reads in flight (at most %0d)",
               rd_out, MaxOutstanding);
      if (r_hs && rd_out == 0)
        $fatal(1, "AK_ASSERT axi_r_unexpected: an R beat taken with no read in flight");
      // writes: each W beat after its AW, wlast exactly on beat awlen + 1
      if (w_hs && awq_n == 0 && !aw_hs)
        $fatal(1, "AK_ASSERT axi_w_no_aw: a W beat taken before its AW");
      if (w_hs && (awq_n != 0 || aw_hs) && wlast_i != (wbeat == 32'(wlen)))
        $fatal(1, "AK_ASSERT axi_wlast: wlast=%0d on W beat %0d of a %0d-beat burst", wlast_i,
               wbeat + 1, wlen + 1);
      if (aw_hs && awq_n >= WDepth)
        $fatal(1, "AK_ASSERT axi_aw_ahead: more than %0d AWs ahead of their W beats", WDepth);
      if (b_hs && wr_resp == 0)
        $fatal(1, "AK_ASSERT axi_b_unexpected: a B taken with no write burst awaiting it");
    end
  end
`endif
endmodule

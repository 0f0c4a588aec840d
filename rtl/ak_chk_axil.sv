// ak_chk_axil: simulation-only protocol checker of an AXI4-Lite slave (ak_top's CSR port), bound
// by instantiation (no bind): every input is the slave's signal or its master's. It checks that
// the slave holds bvalid and rvalid, with their payload, until the master takes them, and that it
// only answers requests it took (a B after both the AW and the W of a write, an R after an AR).
// A violation is `$fatal(1, "AK_ASSERT <name>: ...")` (see ak_chk_axi.sv, docs/assertions.md).
// Empty for synthesis.
module ak_chk_axil (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        awvalid_i,
  input  logic        awready_i,
  input  logic        wvalid_i,
  input  logic        wready_i,
  input  logic        bvalid_i,
  input  logic        bready_i,
  input  logic [1:0]  bresp_i,
  input  logic        arvalid_i,
  input  logic        arready_i,
  input  logic        rvalid_i,
  input  logic        rready_i,
  input  logic [31:0] rdata_i,
  input  logic [1:0]  rresp_i
);
`ifndef SYNTHESIS
  logic aw_hs, w_hs, b_hs, ar_hs, r_hs;
  assign aw_hs = awvalid_i && awready_i;
  assign w_hs = wvalid_i && wready_i;
  assign b_hs = bvalid_i && bready_i;
  assign ar_hs = arvalid_i && arready_i;
  assign r_hs = rvalid_i && rready_i;

  logic p_live, p_b_wait, p_r_wait;
  logic [1:0] p_bresp, p_rresp;
  logic [31:0] p_rdata;
  int unsigned aw_n, w_n, ar_n;   // requests taken and not yet answered (B, R taken)
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      p_live <= 1'b0;
      p_b_wait <= 1'b0;
      p_r_wait <= 1'b0;
      aw_n <= 0;
      w_n <= 0;
      ar_n <= 0;
    end else begin
      p_live <= 1'b1;
      p_b_wait <= bvalid_i && !bready_i;
      p_r_wait <= rvalid_i && !rready_i;
      aw_n <= aw_n + 32'(aw_hs) - 32'(b_hs && aw_n != 0);
      w_n <= w_n + 32'(w_hs) - 32'(b_hs && w_n != 0);
      ar_n <= ar_n + 32'(ar_hs) - 32'(r_hs && ar_n != 0);
    end
  end
  always @(posedge clk_i) begin
    p_bresp <= bresp_i;
    p_rresp <= rresp_i;
    p_rdata <= rdata_i;
  end

  always @(posedge clk_i) begin
    // (p_live: out of reset since the last edge; rst_ni itself is only an asynchronous reset)
    if (p_live) begin
      if (p_b_wait && !(bvalid_i && bresp_i == p_bresp))
        $fatal(1, "AK_ASSERT axil_b_stable: bvalid dropped or bresp changed before bready");
      if (p_r_wait && !(rvalid_i && rdata_i == p_rdata && rresp_i == p_rresp))
        $fatal(1, "AK_ASSERT axil_r_stable: rvalid dropped or R changed before rready");
      // a response offered (a new one, or one still waiting) needs a request taken before
      if (bvalid_i && (aw_n == 0 || w_n == 0))
        $fatal(1, "AK_ASSERT axil_b_unexpected: bvalid with no write (AW and W) taken");
      if (rvalid_i && ar_n == 0)
        $fatal(1, "AK_ASSERT axil_r_unexpected: rvalid with no read (AR) taken");
    end
  end
`endif
endmodule

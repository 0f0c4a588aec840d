// ak_top: the attnkit attention accelerator (docs/architecture.md). CSRs on an AXI4-Lite slave,
// data over a 512-bit AXI4 master; one start runs the job descriptor at DESC_ADDR (one
// attention layer, every head) and raises irq_o (when enabled) at the end.
// The controller (ak_ctrl) drives four engines: the Rows x 16 Q.K^T array, the softmax
// engine, the 16 x 16 P.V engine and the normaliser; K and V tiles are double-buffered.
module ak_top #(
  parameter int Rows        = ak_pkg::DefaultRows,
  parameter int MaxHeadDim  = ak_pkg::MaxHeadDim,
  parameter int MaxKvBlocks = ak_pkg::DefaultMaxKvBlocks
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  // AXI4-Lite CSR slave
  input  logic         s_awvalid_i,
  output logic         s_awready_o,
  input  logic [7:0]   s_awaddr_i,
  input  logic         s_wvalid_i,
  output logic         s_wready_o,
  input  logic [31:0]  s_wdata_i,
  input  logic [3:0]   s_wstrb_i,
  output logic         s_bvalid_o,
  input  logic         s_bready_i,
  output logic [1:0]   s_bresp_o,
  input  logic         s_arvalid_i,
  output logic         s_arready_o,
  input  logic [7:0]   s_araddr_i,
  output logic         s_rvalid_o,
  input  logic         s_rready_i,
  output logic [31:0]  s_rdata_o,
  output logic [1:0]   s_rresp_o,
  // AXI4 master, read
  output logic         m_arvalid_o,
  input  logic         m_arready_i,
  output logic [63:0]  m_araddr_o,
  output logic [7:0]   m_arlen_o,
  output logic [2:0]   m_arsize_o,
  output logic [1:0]   m_arburst_o,
  input  logic         m_rvalid_i,
  output logic         m_rready_o,
  input  logic [ak_pkg::BeatBits-1:0] m_rdata_i,
  input  logic [1:0]   m_rresp_i,
  input  logic         m_rlast_i,
  // AXI4 master, write
  output logic         m_awvalid_o,
  input  logic         m_awready_i,
  output logic [63:0]  m_awaddr_o,
  output logic [7:0]   m_awlen_o,
  output logic [2:0]   m_awsize_o,
  output logic [1:0]   m_awburst_o,
  output logic         m_wvalid_o,
  input  logic         m_wready_i,
  output logic [ak_pkg::BeatBits-1:0] m_wdata_o,
  output logic [ak_pkg::BeatBytes-1:0] m_wstrb_o,
  output logic         m_wlast_o,
  input  logic         m_bvalid_i,
  output logic         m_bready_o,
  input  logic [1:0]   m_bresp_i,
  output logic         irq_o
);
  localparam int KeyTile = ak_pkg::KeyTile;
  localparam int AB = ak_pkg::AccBits;
  localparam int PB = ak_pkg::ProbFrac + 1;
  localparam int MaxG = MaxHeadDim / 16;
  localparam int DeltaBits = $clog2(AB + 2);

  // ---- CSRs ----
  logic start, abort, busy, done, error;
  logic [7:0] err_code;
  logic [63:0] desc_addr, cycles, stalls, macs;
  ak_csr #(
    .PeRows(8'(Rows)), .PeCols(8'(KeyTile)), .MaxHeadDim(8'(MaxHeadDim))
  ) u_csr (
    .clk_i, .rst_ni,
    .s_awvalid_i, .s_awready_o, .s_awaddr_i, .s_wvalid_i, .s_wready_o, .s_wdata_i, .s_wstrb_i,
    .s_bvalid_o, .s_bready_i, .s_bresp_o, .s_arvalid_i, .s_arready_o, .s_araddr_i,
    .s_rvalid_o, .s_rready_i, .s_rdata_o, .s_rresp_o,
    .start_o(start), .abort_o(abort), .desc_addr_o(desc_addr), .busy_i(busy), .done_i(done),
    .error_i(error), .err_code_i(err_code), .cycles_i(cycles), .stalls_i(stalls),
    .macs_i(macs),
    .prune_i(1'b1),  // CAPS.prune: ak_prune is in (inside ak_ctrl)
    .irq_o
  );

  // ---- memory masters ----
  logic rd_cmd_valid, rd_cmd_ready, beat_valid, beat_last, rd_err, rd_idle;
  logic [63:0] rd_cmd_addr;
  logic [15:0] rd_cmd_beats, beat_idx;
  logic [3:0] rd_cmd_tag, beat_tag;
  logic [ak_pkg::BeatBits-1:0] beat_data;
  ak_axi_rd #(.TagBits(4)) u_rd (
    .clk_i, .rst_ni,
    .cmd_valid_i(rd_cmd_valid), .cmd_ready_o(rd_cmd_ready), .cmd_addr_i(rd_cmd_addr),
    .cmd_beats_i(rd_cmd_beats), .cmd_tag_i(rd_cmd_tag),
    .beat_valid_o(beat_valid), .beat_data_o(beat_data), .beat_tag_o(beat_tag),
    .beat_idx_o(beat_idx), .beat_last_o(beat_last), .err_o(rd_err), .idle_o(rd_idle),
    .m_arvalid_o, .m_arready_i, .m_araddr_o, .m_arlen_o, .m_arsize_o, .m_arburst_o,
    .m_rvalid_i, .m_rready_o, .m_rdata_i, .m_rresp_i, .m_rlast_i
  );

  logic wr_cmd_valid, wr_cmd_ready, wr_done, wr_err;
  logic [63:0] wr_cmd_addr;
  logic [15:0] wr_cmd_beats, wr_word;
  logic [ak_pkg::BeatBytesLog2:0] wr_last_bytes;
  logic [ak_pkg::BeatBits-1:0] wr_word_data, fin_word, prune_word;
  logic prune_wr;
  assign wr_word_data = prune_wr ? prune_word : fin_word;
  ak_axi_wr u_wr (
    .clk_i, .rst_ni,
    .cmd_valid_i(wr_cmd_valid), .cmd_ready_o(wr_cmd_ready), .cmd_addr_i(wr_cmd_addr),
    .cmd_beats_i(wr_cmd_beats), .cmd_last_bytes_i(wr_last_bytes),
    .word_o(wr_word), .word_data_i(wr_word_data), .done_o(wr_done), .err_o(wr_err),
    .m_awvalid_o, .m_awready_i, .m_awaddr_o, .m_awlen_o, .m_awsize_o, .m_awburst_o,
    .m_wvalid_o, .m_wready_i, .m_wdata_o, .m_wstrb_o, .m_wlast_o,
    .m_bvalid_i, .m_bready_o, .m_bresp_i
  );

  // ---- controller ----
  logic st_valid;                 // a row's state update, for the pruning unit
  logic [ak_pkg::TokenBits-1:0] st_row;
  logic signed [ak_pkg::LogitBits-ak_pkg::LogitFrac:0] st_m;
  logic [AB-1:0] st_l;
  logic [1:0] q_we, k_we, v_we, lg_groups;
  logic [7:0] d;
  logic [ak_pkg::TokenBits-1:0] nq, nk, sm_t, sm_r0;
  logic causal, qk_en, qk_clear, qk_capture, qk_half, qk_bank;
  logic sm_start, sm_half, sm_bank, sm_first, sm_none;
  logic pv_start, pv_half, pv_bank, pv_first, fin_start, fin_bank, fin_obank, fin_done, wr_bank;
  logic wr_ofx;  // debug mode: the write master reads the normaliser's o_fx words
  logic [ak_pkg::MultBits-1:0] sm_mult;
  logic [ak_pkg::ShiftBits-1:0] sm_shift;
  logic [2*ak_pkg::MultBits-1:0] fin_mult;
  logic [2*ak_pkg::ShiftBits-1:0] fin_shift;
  logic [$clog2(ak_pkg::MaxHeadDim)-1:0] qk_col;  // a column of the head dim
  ak_ctrl #(.Rows(Rows), .MaxHeadDim(MaxHeadDim), .MaxKvBlocks(MaxKvBlocks)) u_ctrl (
    .clk_i, .rst_ni,
    .start_i(start), .abort_i(abort), .desc_addr_i(desc_addr), .busy_o(busy), .done_o(done),
    .error_o(error), .err_code_o(err_code), .cycles_o(cycles), .stalls_o(stalls), .macs_o(macs),
    .rd_cmd_valid_o(rd_cmd_valid), .rd_cmd_ready_i(rd_cmd_ready), .rd_cmd_addr_o(rd_cmd_addr),
    .rd_cmd_beats_o(rd_cmd_beats), .rd_cmd_tag_o(rd_cmd_tag),
    .beat_valid_i(beat_valid), .beat_data_i(beat_data), .beat_tag_i(beat_tag),
    .beat_idx_i(beat_idx), .beat_last_i(beat_last), .rd_err_i(rd_err), .rd_idle_i(rd_idle),
    .wr_cmd_valid_o(wr_cmd_valid), .wr_cmd_ready_i(wr_cmd_ready), .wr_cmd_addr_o(wr_cmd_addr),
    .wr_cmd_beats_o(wr_cmd_beats), .wr_cmd_last_bytes_o(wr_last_bytes), .wr_done_i(wr_done),
    .wr_err_i(wr_err), .wr_bank_o(wr_bank), .wr_ofx_o(wr_ofx), .prune_wr_o(prune_wr), .prune_word_o(prune_word),
    .wr_word_i(wr_word), .st_valid_i(st_valid), .st_row_i(st_row), .st_m_i(st_m), .st_l_i(st_l),
    .q_we_o(q_we), .k_we_o(k_we), .v_we_o(v_we),
    .d_o(d), .lg_groups_o(lg_groups), .nq_o(nq), .nk_o(nk), .causal_o(causal),
    .qk_en_o(qk_en), .qk_clear_o(qk_clear), .qk_capture_o(qk_capture), .qk_col_o(qk_col),
    .qk_half_o(qk_half), .qk_bank_o(qk_bank),
    .sm_start_o(sm_start), .sm_half_o(sm_half), .sm_bank_o(sm_bank), .sm_first_o(sm_first),
    .sm_none_o(sm_none), .sm_t_o(sm_t), .sm_r0_o(sm_r0), .sm_mult_o(sm_mult),
    .sm_shift_o(sm_shift),
    .pv_start_o(pv_start), .pv_half_o(pv_half), .pv_bank_o(pv_bank), .pv_first_o(pv_first),
    .fin_start_o(fin_start), .fin_bank_o(fin_bank), .fin_obank_o(fin_obank),
    .fin_mult_o(fin_mult), .fin_shift_o(fin_shift), .fin_done_i(fin_done)
  );

  // ---- tile buffers: Q in two banks (consecutive query tiles), K and V in two halves ----
  logic [Rows*MaxHeadDim*8-1:0] q_tile [2];
  logic [KeyTile*MaxHeadDim*8-1:0] k_tile [2];
  logic [KeyTile*MaxHeadDim*8-1:0] v_tile [2];
  for (genvar h = 0; h < 2; h++) begin : g_buf
    ak_tile_buf #(.NRows(Rows), .MaxHeadDim(MaxHeadDim)) u_qbuf (
      .clk_i, .rst_ni, .we_i(q_we[h]), .word_i(beat_idx[7:0]), .wdata_i(beat_data), .d_i(d),
      .data_o(q_tile[h])
    );
    ak_tile_buf #(.NRows(KeyTile), .MaxHeadDim(MaxHeadDim)) u_kbuf (
      .clk_i, .rst_ni, .we_i(k_we[h]), .word_i(beat_idx[7:0]), .wdata_i(beat_data), .d_i(d),
      .data_o(k_tile[h])
    );
    ak_tile_buf #(.NRows(KeyTile), .MaxHeadDim(MaxHeadDim)) u_vbuf (
      .clk_i, .rst_ni, .we_i(v_we[h]), .word_i(beat_idx[7:0]), .wdata_i(beat_data), .d_i(d),
      .data_o(v_tile[h])
    );
  end

  // ---- Q.K^T: column qk_col of Q and of the K tile being computed ----
  // (each row sliced out at a constant offset first, then the column picked from the row: a
  // 128-way byte mux per row for synthesis, not a shifter across the whole tile)
  logic [Rows*8-1:0] q_col;
  logic [KeyTile*8-1:0] k_col;
  logic [Rows*MaxHeadDim*8-1:0] q_cur;
  logic [KeyTile*MaxHeadDim*8-1:0] k_cur;
  assign q_cur = q_tile[qk_bank];
  assign k_cur = k_tile[qk_half];
  for (genvar i = 0; i < Rows; i++) begin : g_qcol
    logic [MaxHeadDim*8-1:0] row;
    assign row = q_cur[i*MaxHeadDim*8 +: MaxHeadDim*8];
    assign q_col[i*8 +: 8] = row[32'(qk_col)*8 +: 8];
  end
  for (genvar j = 0; j < KeyTile; j++) begin : g_kcol
    logic [MaxHeadDim*8-1:0] row;
    assign row = k_cur[j*MaxHeadDim*8 +: MaxHeadDim*8];
    assign k_col[j*8 +: 8] = row[32'(qk_col)*8 +: 8];
  end
  logic [Rows*KeyTile*ak_pkg::ScoreBits-1:0] s;
  ak_qk_array #(.Rows(Rows)) u_qk (
    .clk_i, .en_i(qk_en), .clear_i(qk_clear), .capture_i(qk_capture), .q_col_i(q_col),
    .k_col_i(k_col), .s_o(s)
  );

  // ---- softmax, P.V, normaliser ----
  logic [$clog2(2*Rows)-1:0] p_idx;
  logic [KeyTile*PB-1:0] p;
  logic [DeltaBits-1:0] delta;
  logic [Rows*AB-1:0] l;
  logic acc_bank;                 // the normaliser's bank of row sums and accumulators
  ak_sm_engine #(.Rows(Rows)) u_sm (
    .clk_i, .rst_ni, .start_i(sm_start), .half_i(sm_half), .bank_i(sm_bank),
    .first_i(sm_first), .none_i(sm_none), .s_i(s), .t_i(sm_t), .r0_i(sm_r0), .nq_i(nq),
    .nk_i(nk), .causal_i(causal), .mult_i(sm_mult), .shift_i(sm_shift), .p_idx_i(p_idx),
    .p_o(p), .delta_o(delta), .l_bank_i(acc_bank), .l_o(l),
    .st_valid_o(st_valid), .st_row_o(st_row), .st_m_o(st_m), .st_l_o(st_l)
  );

  logic [$clog2(Rows)-1:0] acc_row;
  logic [(MaxG > 1 ? $clog2(MaxG) : 1)-1:0] acc_grp;
  logic [16*AB-1:0] acc;
  ak_pv_engine #(.Rows(Rows), .MaxHeadDim(MaxHeadDim)) u_pv (
    .clk_i, .rst_ni, .start_i(pv_start), .bank_i(pv_bank), .first_i(pv_first),
    .half_i(pv_half), .lg_groups_i(lg_groups), .v_i(v_tile[pv_half]), .p_idx_o(p_idx), .p_i(p),
    .delta_i(delta), .rd_bank_i(acc_bank), .rd_row_i(acc_row), .rd_grp_i(acc_grp),
    .rd_acc_o(acc)
  );

  ak_finish #(.Rows(Rows), .MaxHeadDim(MaxHeadDim)) u_fin (
    .clk_i, .rst_ni, .start_i(fin_start), .bank_i(fin_bank), .obank_i(fin_obank),
    .lg_groups_i(lg_groups), .mult_i(fin_mult), .shift_i(fin_shift), .acc_bank_o(acc_bank),
    .acc_row_o(acc_row), .acc_grp_o(acc_grp), .acc_i(acc), .l_i(l), .done_o(fin_done),
    .word_bank_i(wr_bank), .word_ofx_i(wr_ofx), .word_i(wr_word), .word_o(fin_word)
  );

`ifndef SYNTHESIS
  // ---- simulation-only checks (docs/assertions.md): the parameters, at elaboration; the AXI4
  // master and the AXI4-Lite slave, every cycle ----
  // (the legal values are those of ak_hw_config_check, refmodel/src/cycle_model.c)
  localparam bit ParamsOk = (Rows == 16 || Rows == 32 || Rows == 64) &&
                            (MaxHeadDim == 32 || MaxHeadDim == 64 || MaxHeadDim == 128) &&
                            MaxHeadDim <= ak_pkg::MaxHeadDim &&
                            MaxKvBlocks >= 1 && MaxKvBlocks <= 4096;
`ifdef VERILATOR
  if (!ParamsOk) begin : g_bad_params  // at elaboration
    $fatal(1, "AK_ASSERT top_params: Rows = %0d (16, 32 or 64), MaxHeadDim = %0d (32, 64 or 128, at most %0d), MaxKvBlocks = %0d (1..4096)",
           Rows, MaxHeadDim, ak_pkg::MaxHeadDim, MaxKvBlocks);
  end
`else
  // (Icarus 11 has no elaboration-time tasks: at time 0)
  initial
    if (!ParamsOk)
      $fatal(1, "AK_ASSERT top_params: Rows = %0d (16, 32 or 64), MaxHeadDim = %0d (32, 64 or 128, at most %0d), MaxKvBlocks = %0d (1..4096)",
             Rows, MaxHeadDim, ak_pkg::MaxHeadDim, MaxKvBlocks);
`endif

  ak_chk_axi u_chk_axi (
    .clk_i, .rst_ni,
    .arvalid_i(m_arvalid_o), .arready_i(m_arready_i), .araddr_i(m_araddr_o),
    .arlen_i(m_arlen_o), .arsize_i(m_arsize_o), .arburst_i(m_arburst_o),
    .rvalid_i(m_rvalid_i), .rready_i(m_rready_o), .rlast_i(m_rlast_i),
    .awvalid_i(m_awvalid_o), .awready_i(m_awready_i), .awaddr_i(m_awaddr_o),
    .awlen_i(m_awlen_o), .awsize_i(m_awsize_o), .awburst_i(m_awburst_o),
    .wvalid_i(m_wvalid_o), .wready_i(m_wready_i), .wdata_i(m_wdata_o), .wstrb_i(m_wstrb_o),
    .wlast_i(m_wlast_o), .bvalid_i(m_bvalid_i), .bready_i(m_bready_o)
  );
  ak_chk_axil u_chk_axil (
    .clk_i, .rst_ni,
    .awvalid_i(s_awvalid_i), .awready_i(s_awready_o), .wvalid_i(s_wvalid_i),
    .wready_i(s_wready_o), .bvalid_i(s_bvalid_o), .bready_i(s_bready_i), .bresp_i(s_bresp_o),
    .arvalid_i(s_arvalid_i), .arready_i(s_arready_o), .rvalid_i(s_rvalid_o),
    .rready_i(s_rready_i), .rdata_i(s_rdata_o), .rresp_i(s_rresp_o)
  );
`endif
endmodule

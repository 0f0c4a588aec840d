// ak_ctrl_out: the controller's normaliser and output-write bookkeeping (docs/architecture.md,
// "The order of work", 3). The output tile has two banks. A normalisation starts (fin_start_i)
// into bank fin_obank_o, latching its tile's output address, size and scale, and marks the
// bank full; its end (fin_done_i, in start order) raises that bank's write request, which the
// write master takes when idle (wr_cmd_*, in order); the bank is free again when the write
// has its response. After an error (clear_i: Idle or Drain) the requests are dropped; the
// count of running normalisations goes on so that Drain can wait for them.
// Debug mode (descriptor SHAPE.ofx, ofx_en_i): once a bank's int8 write has its response, the
// same bank's o_fx tile (4 bytes an output, wr_ofx_o: the write master reads the o_fx words) is
// written to OFX + 4 * (the tile's first output's index in [heads][nq][d]) before the bank is
// free; tiles are normalised in that order, so the address is a running offset.
// Latency: a write request the cycle after fin_done_i.
module ak_ctrl_out (
  input  logic                           clk_i,
  input  logic                           rst_ni,
  input  logic                           clear_i,      // Idle or Drain
  input  logic [2:0]                     lgd_i,        // log2 d
  input  logic                           ofx_en_i,     // debug mode: o_fx writes too
  input  logic [63:0]                    ofx_base_i,   // the OFX region
  // the normaliser
  input  logic                           fin_start_i,
  input  logic [63:0]                    tile_addr_i,  // the starting tile's output
  input  logic [ak_pkg::TokenBits-1:0]   tile_rows_i,
  input  logic [ak_pkg::MultBits-1:0]    tile_mult_i,
  input  logic [ak_pkg::ShiftBits-1:0]   tile_shift_i,
  input  logic                           fin_done_i,
  output logic                           fin_obank_o,  // the bank it fills
  output logic [2*ak_pkg::MultBits-1:0]  fin_mult_o,   // each bank's output scale
  output logic [2*ak_pkg::ShiftBits-1:0] fin_shift_o,
  output logic                           bank_full_o,  // fin_obank_o not written yet
  output logic                           fin_idle_o,   // no normalisation running
  output logic                           idle_o,       // nothing to normalise or write
  // the write master
  output logic                           wr_cmd_valid_o,
  input  logic                           wr_cmd_ready_i,
  output logic [63:0]                    wr_cmd_addr_o,
  output logic [23:0]                    wr_cmd_bytes_o,
  input  logic                           wr_done_i,
  output logic                           wr_bank_o,    // the bank being written
  output logic                           wr_ofx_o      // it is that bank's o_fx write
);
  logic [1:0] out_full_q;      // output tile bank filled or being filled, not yet written
  logic fin_obank_q;           // the bank the next normalisation fills
  logic fin_done_bank_q;       // the bank of the next normalisation to end
  logic [1:0] fin_cnt_q;       // normalisations running
  logic [1:0] wr_req_q;        // bank written, waiting for the write master
  logic wr_next_q, wr_bank_q;  // next bank to write; bank being written
  logic [63:0] wr_addr_q [2];
  logic [23:0] wr_bytes_q [2];
  logic [ak_pkg::MultBits-1:0] fin_mult_q [2];
  logic [ak_pkg::ShiftBits-1:0] fin_shift_q [2];
  logic out_wr_q;              // a write of ours is in flight
  logic ofx_pend_q;            // debug mode: bank wr_bank_q's o_fx write is due
  logic ofx_wr_q;              // the write in flight is an o_fx write
  logic [63:0] ofx_off_q;      // the next tile's o_fx offset in OFX
  logic [63:0] ofx_addr_q [2];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_full_q <= '0;
      fin_obank_q <= 1'b0;
      fin_done_bank_q <= 1'b0;
      fin_cnt_q <= '0;
      wr_req_q <= '0;
      wr_next_q <= 1'b0;
      wr_bank_q <= 1'b0;
      out_wr_q <= 1'b0;
      ofx_pend_q <= 1'b0;
      ofx_wr_q <= 1'b0;
      ofx_off_q <= '0;
    end else if (clear_i) begin
      out_full_q <= '0;
      fin_obank_q <= 1'b0;
      fin_done_bank_q <= 1'b0;
      wr_req_q <= '0;
      wr_next_q <= 1'b0;
      out_wr_q <= 1'b0;
      ofx_pend_q <= 1'b0;
      ofx_wr_q <= 1'b0;
      ofx_off_q <= '0;
      if (fin_done_i) fin_cnt_q <= fin_cnt_q - 1'b1;
    end else begin
      fin_cnt_q <= fin_cnt_q + 2'(fin_start_i) - 2'(fin_done_i);
      if (fin_start_i) begin
        out_full_q[fin_obank_q] <= 1'b1;
        fin_obank_q <= !fin_obank_q;
        ofx_off_q <= ofx_off_q + (64'(tile_rows_i) << ({1'b0, lgd_i} + 4'd2));
      end
      if (fin_done_i) begin
        wr_req_q[fin_done_bank_q] <= 1'b1;
        fin_done_bank_q <= !fin_done_bank_q;
      end
      if (wr_cmd_valid_o && wr_cmd_ready_i) begin
        out_wr_q <= 1'b1;
        ofx_wr_q <= ofx_pend_q;
        if (ofx_pend_q) begin
          ofx_pend_q <= 1'b0;
        end else begin
          wr_req_q[wr_next_q] <= 1'b0;
          wr_bank_q <= wr_next_q;
          wr_next_q <= !wr_next_q;
        end
      end
      if (wr_done_i) begin
        out_wr_q <= 1'b0;
        // debug mode: the int8 tile is written, its o_fx tile next
        if (ofx_en_i && out_wr_q && !ofx_wr_q) ofx_pend_q <= 1'b1;
        else out_full_q[wr_bank_q] <= 1'b0;
      end
    end
  end
  always_ff @(posedge clk_i) begin
    if (fin_start_i) begin
      wr_addr_q[fin_obank_q] <= tile_addr_i;
      wr_bytes_q[fin_obank_q] <= 24'(tile_rows_i) << lgd_i;
      fin_mult_q[fin_obank_q] <= tile_mult_i;
      fin_shift_q[fin_obank_q] <= tile_shift_i;
      ofx_addr_q[fin_obank_q] <= ofx_base_i + ofx_off_q;
    end
  end
  assign fin_obank_o = fin_obank_q;
  assign fin_mult_o = {fin_mult_q[1], fin_mult_q[0]};
  assign fin_shift_o = {fin_shift_q[1], fin_shift_q[0]};
  assign bank_full_o = out_full_q[fin_obank_q];
  assign fin_idle_o = fin_cnt_q == '0;
  assign idle_o = out_full_q == '0 && fin_cnt_q == '0 && wr_req_q == '0;
  assign wr_cmd_valid_o = ofx_pend_q || wr_req_q[wr_next_q];
  assign wr_cmd_addr_o = ofx_pend_q ? ofx_addr_q[wr_bank_q] : wr_addr_q[wr_next_q];
  assign wr_cmd_bytes_o = ofx_pend_q ? wr_bytes_q[wr_bank_q] << 2 : wr_bytes_q[wr_next_q];
  assign wr_bank_o = wr_bank_q;
  assign wr_ofx_o = ofx_wr_q;
endmodule

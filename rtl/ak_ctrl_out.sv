// ak_ctrl_out: the controller's normaliser and output-write bookkeeping (docs/architecture.md,
// "The order of work", 3). The output tile has two banks. A normalisation starts (fin_start_i)
// into bank fin_obank_o, latching its tile's output address, size and scale, and marks the
// bank full; its end (fin_done_i, in start order) raises that bank's write request, which the
// write master takes when idle (wr_cmd_*, in order); the bank is free again when the write
// has its response. After an error (clear_i: Idle or Drain) the requests are dropped; the
// count of running normalisations goes on so that Drain can wait for them.
// Latency: a write request the cycle after fin_done_i.
module ak_ctrl_out (
  input  logic                           clk_i,
  input  logic                           rst_ni,
  input  logic                           clear_i,      // Idle or Drain
  input  logic [2:0]                     lgd_i,        // log2 d
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
  output logic                           wr_bank_o     // the bank being written
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

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_full_q <= '0;
      fin_obank_q <= 1'b0;
      fin_done_bank_q <= 1'b0;
      fin_cnt_q <= '0;
      wr_req_q <= '0;
      wr_next_q <= 1'b0;
      wr_bank_q <= 1'b0;
    end else if (clear_i) begin
      out_full_q <= '0;
      fin_obank_q <= 1'b0;
      fin_done_bank_q <= 1'b0;
      wr_req_q <= '0;
      wr_next_q <= 1'b0;
      if (fin_done_i) fin_cnt_q <= fin_cnt_q - 1'b1;
    end else begin
      fin_cnt_q <= fin_cnt_q + 2'(fin_start_i) - 2'(fin_done_i);
      if (fin_start_i) begin
        out_full_q[fin_obank_q] <= 1'b1;
        fin_obank_q <= !fin_obank_q;
      end
      if (fin_done_i) begin
        wr_req_q[fin_done_bank_q] <= 1'b1;
        fin_done_bank_q <= !fin_done_bank_q;
      end
      if (wr_cmd_valid_o && wr_cmd_ready_i) begin
        wr_req_q[wr_next_q] <= 1'b0;
        wr_bank_q <= wr_next_q;
        wr_next_q <= !wr_next_q;
      end
      if (wr_done_i) out_full_q[wr_bank_q] <= 1'b0;
    end
  end
  always_ff @(posedge clk_i) begin
    if (fin_start_i) begin
      wr_addr_q[fin_obank_q] <= tile_addr_i;
      wr_bytes_q[fin_obank_q] <= 24'(tile_rows_i) << lgd_i;
      fin_mult_q[fin_obank_q] <= tile_mult_i;
      fin_shift_q[fin_obank_q] <= tile_shift_i;
    end
  end
  assign fin_obank_o = fin_obank_q;
  assign fin_mult_o = {fin_mult_q[1], fin_mult_q[0]};
  assign fin_shift_o = {fin_shift_q[1], fin_shift_q[0]};
  assign bank_full_o = out_full_q[fin_obank_q];
  assign fin_idle_o = fin_cnt_q == '0;
  assign idle_o = out_full_q == '0 && fin_cnt_q == '0 && wr_req_q == '0;
  assign wr_cmd_valid_o = wr_req_q[wr_next_q];
  assign wr_cmd_addr_o = wr_addr_q[wr_next_q];
  assign wr_cmd_bytes_o = wr_bytes_q[wr_next_q];
  assign wr_bank_o = wr_bank_q;
endmodule

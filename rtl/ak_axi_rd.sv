// ak_axi_rd: the AXI4 read master. Takes read commands (a 64-byte aligned address, a number
// of 64-byte beats, a destination tag), cuts each into INCR bursts of at most MaxBurst beats
// that never cross a 4 KB boundary, and delivers every beat with its command's tag, its beat
// index within the command and a last-of-command flag. Bursts are issued back to back (up to
// MaxOutstanding in flight); data returns in order (one ID). rready is always high: every
// destination takes a beat per cycle. An error response (rresp != OKAY) raises err_o for that
// beat; the beat is still delivered and counted.
// Latency: a command is taken when cmd_ready_o; its first AR goes out the next cycle.
module ak_axi_rd #(
  parameter int TagBits        = 3,
  parameter int MaxBurst       = ak_pkg::DefaultMaxBurst,
  parameter int MaxOutstanding = ak_pkg::DefaultRdOutstanding
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  // commands
  input  logic                cmd_valid_i,
  output logic                cmd_ready_o,
  input  logic [63:0]         cmd_addr_i,
  input  logic [15:0]         cmd_beats_i,   // >= 1
  input  logic [TagBits-1:0]  cmd_tag_i,
  // beats out
  output logic                beat_valid_o,
  output logic [ak_pkg::BeatBits-1:0] beat_data_o,
  output logic [TagBits-1:0]  beat_tag_o,
  output logic [15:0]         beat_idx_o,
  output logic                beat_last_o,
  output logic                err_o,
  output logic                idle_o,        // no command pending, no burst in flight
  // AXI4 read channels
  output logic                m_arvalid_o,
  input  logic                m_arready_i,
  output logic [63:0]         m_araddr_o,
  output logic [7:0]          m_arlen_o,
  output logic [2:0]          m_arsize_o,
  output logic [1:0]          m_arburst_o,
  input  logic                m_rvalid_i,
  output logic                m_rready_o,
  input  logic [ak_pkg::BeatBits-1:0] m_rdata_i,
  input  logic [1:0]          m_rresp_i,
  input  logic                m_rlast_i
);
  localparam int FifoBits = $clog2(MaxOutstanding);

  // the command being cut into bursts
  logic busy_q, busy_d;
  logic [63:0] addr_q, addr_d;
  logic [15:0] left_q, left_d, idx_q, idx_d;
  logic [TagBits-1:0] tag_q, tag_d;

  // beats of the next burst: what is left, at most MaxBurst, up to the 4 KB boundary
  logic [15:0] to_4k, blen;
  assign to_4k = (16'h1000 - {4'b0, addr_q[11:0]}) >> ak_pkg::BeatBytesLog2;
  always @* begin
    blen = left_q;
    if (blen > 16'(MaxBurst)) blen = 16'(MaxBurst);
    if (blen > to_4k) blen = to_4k;
  end

  // bursts in flight: tag, first beat index, whether the command ends with it
  logic [TagBits-1:0] f_tag_q [MaxOutstanding];
  logic [15:0] f_idx_q [MaxOutstanding];
  logic f_end_q [MaxOutstanding];
  logic [FifoBits-1:0] wr_q, rd_q;
  logic [FifoBits:0] count_q;
  logic push, pop;

  assign m_arvalid_o = busy_q && count_q < (FifoBits+1)'(MaxOutstanding);
  assign m_araddr_o = addr_q;
  assign m_arlen_o = 8'(blen - 16'd1);
  assign m_arsize_o = 3'(ak_pkg::BeatBytesLog2);  // a whole beat
  assign m_arburst_o = 2'b01;   // INCR
  assign push = m_arvalid_o && m_arready_i;
  assign pop = m_rvalid_i && m_rlast_i;
  assign cmd_ready_o = !busy_q;

  always @* begin
    busy_d = busy_q;
    addr_d = addr_q;
    left_d = left_q;
    idx_d = idx_q;
    tag_d = tag_q;
    if (!busy_q && cmd_valid_i) begin
      busy_d = 1'b1;
      addr_d = cmd_addr_i;
      left_d = cmd_beats_i;
      idx_d = '0;
      tag_d = cmd_tag_i;
    end else if (push) begin
      addr_d = addr_q + (64'(blen) << ak_pkg::BeatBytesLog2);
      left_d = left_q - blen;
      idx_d = idx_q + blen;
      busy_d = left_q != blen;
    end
  end

  // beat index within the current burst's command
  logic [15:0] rbeat_q, rbeat_d;
  assign rbeat_d = pop ? '0 : (m_rvalid_i ? rbeat_q + 16'd1 : rbeat_q);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      addr_q <= '0;
      left_q <= '0;
      idx_q <= '0;
      tag_q <= '0;
      wr_q <= '0;
      rd_q <= '0;
      count_q <= '0;
      rbeat_q <= '0;
    end else begin
      busy_q <= busy_d;
      addr_q <= addr_d;
      left_q <= left_d;
      idx_q <= idx_d;
      tag_q <= tag_d;
      wr_q <= push ? wr_q + 1'b1 : wr_q;
      rd_q <= pop ? rd_q + 1'b1 : rd_q;
      count_q <= count_q + (FifoBits+1)'(push) - (FifoBits+1)'(pop);
      rbeat_q <= rbeat_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (push) begin
      f_tag_q[wr_q] <= tag_q;
      f_idx_q[wr_q] <= idx_q;
      f_end_q[wr_q] <= left_q == blen;
    end
  end

  assign m_rready_o = 1'b1;
  assign beat_valid_o = m_rvalid_i;
  assign beat_data_o = m_rdata_i;
  assign beat_tag_o = f_tag_q[rd_q];
  assign beat_idx_o = f_idx_q[rd_q] + rbeat_q;
  assign beat_last_o = m_rlast_i && f_end_q[rd_q];
  assign err_o = m_rvalid_i && m_rresp_i != 2'b00;
  assign idle_o = !busy_q && count_q == '0;

`ifndef SYNTHESIS
  // ---- assertions (simulation only; docs/assertions.md). chk_live_q: out of reset since the
  // last edge (rst_ni is only an asynchronous reset, never sampled) ----
  logic chk_live_q;
  always_ff @(posedge clk_i or negedge rst_ni) chk_live_q <= rst_ni;
  // the in-flight FIFO (tags of the bursts whose beats are awaited)
  always @(posedge clk_i)
    if (chk_live_q) begin
      if (pop && count_q == '0)
        $fatal(1, "AK_ASSERT axi_rd_fifo_underflow: a last R beat with no burst in flight");
      if (push && !pop && count_q == (FifoBits+1)'(MaxOutstanding))
        $fatal(1, "AK_ASSERT axi_rd_fifo_overflow: an AR taken with %0d bursts in flight",
               count_q);
    end
`endif
endmodule

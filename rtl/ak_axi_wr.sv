// ak_axi_wr: the AXI4 write master. Takes a write command (a 64-byte aligned address, a
// number of 64-byte beats, the byte count of the last beat), cuts it into INCR bursts of at
// most MaxBurst beats that never cross a 4 KB boundary, and streams the beats from the
// source's word port (word index -> data, read combinationally), every byte strobed except
// past the end of the last beat. One burst at a time: AW, then its W beats; write responses
// are counted and done_o pulses when the last one has arrived (err_o if any was not OKAY).
module ak_axi_wr #(
  parameter int MaxBurst = ak_pkg::DefaultMaxBurst
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         cmd_valid_i,
  output logic         cmd_ready_o,
  input  logic [63:0]  cmd_addr_i,
  input  logic [15:0]  cmd_beats_i,      // >= 1
  input  logic [ak_pkg::BeatBytesLog2:0] cmd_last_bytes_i, // 1..BeatBytes
  output logic [15:0]  word_o,           // the word the W channel needs now
  input  logic [ak_pkg::BeatBits-1:0] word_data_i,
  output logic         done_o,
  output logic         err_o,
  // AXI4 write channels
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
  input  logic [1:0]   m_bresp_i
);
  typedef enum logic [1:0] {Idle, Addr, Data, Resp} state_e;
  state_e state_q, state_d;
  logic [63:0] addr_q, addr_d;
  logic [15:0] left_q, left_d;    // beats not yet sent
  logic [15:0] word_q, word_d;    // next beat's index in the command
  logic [15:0] blen_q, blen_d;    // beats of the current burst
  logic [15:0] bsent_q, bsent_d;  // beats of it sent
  logic [15:0] bursts_q, bursts_d, resps_q, resps_d;
  logic [ak_pkg::BeatBytesLog2:0] last_q, last_d;
  logic err_q, err_d;

  logic [15:0] to_4k, blen;
  assign to_4k = (16'h1000 - {4'b0, addr_q[11:0]}) >> ak_pkg::BeatBytesLog2;
  always @* begin
    blen = left_q;
    if (blen > 16'(MaxBurst)) blen = 16'(MaxBurst);
    if (blen > to_4k) blen = to_4k;
  end

  logic aw_go, w_go, b_go, final_beat;
  assign aw_go = state_q == Addr && m_awready_i;
  assign w_go = state_q == Data && m_wready_i;
  assign b_go = m_bvalid_i;
  assign final_beat = left_q == 16'd1;

  always @* begin
    state_d = state_q;
    addr_d = addr_q;
    left_d = left_q;
    word_d = word_q;
    blen_d = blen_q;
    bsent_d = bsent_q;
    bursts_d = bursts_q;
    resps_d = b_go ? resps_q + 16'd1 : resps_q;
    last_d = last_q;
    err_d = err_q || (b_go && m_bresp_i != 2'b00);
    case (state_q)
      Idle: if (cmd_valid_i) begin
        state_d = Addr;
        addr_d = cmd_addr_i;
        left_d = cmd_beats_i;
        word_d = '0;
        bursts_d = '0;
        resps_d = '0;
        last_d = cmd_last_bytes_i;
        err_d = 1'b0;
      end
      Addr: if (aw_go) begin
        state_d = Data;
        blen_d = blen;
        bsent_d = '0;
        bursts_d = bursts_q + 16'd1;
        addr_d = addr_q + (64'(blen) << ak_pkg::BeatBytesLog2);
      end
      Data: if (w_go) begin
        word_d = word_q + 16'd1;
        left_d = left_q - 16'd1;
        bsent_d = bsent_q + 16'd1;
        if (bsent_q + 16'd1 == blen_q) begin
          if (final_beat) state_d = Resp;
          else state_d = Addr;
        end
      end
      Resp: if (resps_d == bursts_q) state_d = Idle;
      default: state_d = Idle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      addr_q <= '0;
      left_q <= '0;
      word_q <= '0;
      blen_q <= '0;
      bsent_q <= '0;
      bursts_q <= '0;
      resps_q <= '0;
      last_q <= '0;
      err_q <= 1'b0;
    end else begin
      state_q <= state_d;
      addr_q <= addr_d;
      left_q <= left_d;
      word_q <= word_d;
      blen_q <= blen_d;
      bsent_q <= bsent_d;
      bursts_q <= bursts_d;
      resps_q <= resps_d;
      last_q <= last_d;
      err_q <= err_d;
    end
  end

  assign cmd_ready_o = state_q == Idle;
  assign m_awvalid_o = state_q == Addr;
  assign m_awaddr_o = addr_q;
  assign m_awlen_o = 8'(blen - 16'd1);
  assign m_awsize_o = 3'(ak_pkg::BeatBytesLog2);
  assign m_awburst_o = 2'b01;
  assign word_o = word_q;
  assign m_wvalid_o = state_q == Data;
  assign m_wdata_o = word_data_i;
  assign m_wstrb_o = final_beat ? ~({ak_pkg::BeatBytes{1'b1}} << last_q) : '1;
  assign m_wlast_o = bsent_q + 16'd1 == blen_q;
  assign m_bready_o = 1'b1;
  assign done_o = state_q == Resp && resps_d == bursts_q;
  assign err_o = err_d;

`ifndef SYNTHESIS
  // ---- assertions (simulation only; docs/assertions.md). chk_live_q: out of reset since the
  // last edge (rst_ni is only an asynchronous reset, never sampled) ----
  logic chk_live_q;
  always_ff @(posedge clk_i or negedge rst_ni) chk_live_q <= rst_ni;
  // write responses: one per burst of the command; W beats: blen_q a burst
  always @(posedge clk_i)
    if (chk_live_q) begin
      if (b_go && resps_q >= bursts_q)
        $fatal(1, "AK_ASSERT axi_wr_b_unexpected: a write response with %0d of %0d bursts answered",
               resps_q, bursts_q);
      if (w_go && bsent_q >= blen_q)
        $fatal(1, "AK_ASSERT axi_wr_beats: W beat %0d of a %0d-beat burst", bsent_q + 1, blen_q);
    end
`endif
endmodule

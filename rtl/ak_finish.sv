// ak_finish: the end of a query tile (docs/numerics.md section 8). After start_i it issues one
// (row, 16-column group) per cycle to 16 pipelined dividers (ak_div_pipe), o_fx =
// sat(round_div(acc * 2^16, l), 24), requantises each result to int8 (ak_requant) and stores
// it in output tile bank obank_i. Each output tile is kept in the order of memory (row-major,
// row r column c at tile byte r*d + c), as 16-byte chunks, so the write master reads 64-byte
// words straight out of bank word_bank_i. done_o pulses when the last group is stored. The
// accumulator and row-sum bank (bank_i) and the output bank are latched at the start, so a
// normalisation can start while the previous one's results are still in the dividers; each
// result is requantised with the scale of its output bank. Each result's o_fx is kept too
// (bank by bank, chunk by chunk, 16 x 24 bits): in the descriptor's debug mode (SHAPE.ofx) the
// write master reads it as 64-byte words (word_ofx_i), word i = chunk i sign-extended to 16
// int32, which is the int32 [rows][d] layout of the OFX region.
// Latency: Rows * d/16 issue cycles + ak_div_pipe's 26.
module ak_finish #(
  parameter int Rows       = ak_pkg::DefaultRows,
  parameter int MaxHeadDim = ak_pkg::MaxHeadDim
) (
  input  logic                            clk_i,
  input  logic                            rst_ni,
  input  logic                            start_i,
  input  logic                            bank_i,
  input  logic                            obank_i,
  input  logic [1:0]                      lg_groups_i,  // log2(d/16)
  input  logic [2*ak_pkg::MultBits-1:0]   mult_i,       // M_o of each output bank
  input  logic [2*ak_pkg::ShiftBits-1:0]  shift_i,      // sh_o of each output bank
  // accumulators (ak_pv_engine's read port) and row sums (ak_sm_engine) of bank acc_bank_o
  output logic                            acc_bank_o,
  output logic [$clog2(Rows)-1:0]         acc_row_o,
  output logic [GBits-1:0]                acc_grp_o,
  input  logic [16*ak_pkg::AccBits-1:0]   acc_i,
  input  logic [Rows*ak_pkg::AccBits-1:0] l_i,
  output logic                            done_o,
  // the output tiles' 64-byte words (write master)
  input  logic                            word_bank_i,
  input  logic                            word_ofx_i,   // the o_fx words, not the int8 ones
  input  logic [15:0]                     word_i,
  output logic [ak_pkg::BeatBits-1:0]     word_o
);
  localparam int AB = ak_pkg::AccBits;
  localparam int MaxG = MaxHeadDim / 16;
  localparam int GBits = MaxG > 1 ? $clog2(MaxG) : 1;
  localparam int NChunk = Rows * MaxG;
  localparam int CBits = $clog2(NChunk);
  localparam int EBits = $clog2(NChunk + 1);
  localparam int Lat = ak_pkg::OutFxBits + 2;  // ak_div_pipe's latency

  logic go, e_is_last;
  logic [EBits-1:0] row;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [EBits-1:0] grp;  // a group number fits GBits
  /* verilator lint_on UNUSEDSIGNAL */
  /* verilator lint_off UNUSEDSIGNAL */
  logic [EBits-1:0] e;  // its top bit only counts to Rows * groups; the tag is the low CBits
  /* verilator lint_on UNUSEDSIGNAL */
  ak_group_walk #(.Rows(Rows), .MaxHeadDim(MaxHeadDim)) u_walk (
    .clk_i, .rst_ni, .start_i, .lg_groups_i, .go_o(go), .e_o(e), .row_o(row), .grp_o(grp),
    .last_o(e_is_last)
  );

  // the banks, latched at the start
  logic bank_q, obank_q;
  always_ff @(posedge clk_i) begin
    if (start_i) begin
      bank_q <= bank_i;
      obank_q <= obank_i;
    end
  end
  logic cur_bank, cur_obank;
  assign cur_bank = start_i ? bank_i : bank_q;
  assign cur_obank = start_i ? obank_i : obank_q;
  assign acc_bank_o = cur_bank;

  logic [AB-1:0] l;
  assign acc_row_o = row[$clog2(Rows)-1:0];
  assign acc_grp_o = grp[GBits-1:0];
  assign l = l_i[32'(row)*AB +: AB];

  // the output bank and chunk each division lands in (chunk = e: row * groups + group is its
  // place in memory order) and whether it is the last, carried alongside the dividers
  // (stage s at [s*TBits +: TBits]; a flat shift register, as Verilator takes no loop of
  // non-blocking writes into an unpacked array)
  localparam int TBits = CBits + 1;
  logic [Lat*TBits-1:0] tag_q;
  logic [Lat-1:0] last_q;
  always_ff @(posedge clk_i) tag_q <= {tag_q[(Lat-1)*TBits-1:0], cur_obank, CBits'(e)};
  logic [TBits-1:0] tag_out;   // {bank, chunk} of the results leaving the dividers
  assign tag_out = tag_q[(Lat-1)*TBits +: TBits];
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) last_q <= '0;
    else last_q <= {last_q[Lat-2:0], go && e_is_last};
  end

  localparam int FB = ak_pkg::OutFxBits;
  logic [15:0] valid;
  logic [127:0] chunk;
  logic [16*FB-1:0] fx_chunk;
  for (genvar c = 0; c < 16; c++) begin : g_col
    logic [ak_pkg::OutFxBits-1:0] q;
    logic signed [7:0] o;
    ak_div_pipe u_div (
      .clk_i, .rst_ni, .valid_i(go), .zero_i(l == '0), .acc_i(acc_i[c*AB +: AB]),
      .sum_i(l == '0 ? AB'(1) : l), .valid_o(valid[c]), .q_o(q)
    );
    ak_requant u_rq (
      .o_fx_i(q), .mult_i(mult_i[32'(tag_out[CBits])*ak_pkg::MultBits +: ak_pkg::MultBits]),
      .shift_i(shift_i[32'(tag_out[CBits])*ak_pkg::ShiftBits +: ak_pkg::ShiftBits]), .out_o(o)
    );
    assign chunk[c*8 +: 8] = o;
    assign fx_chunk[c*FB +: FB] = q;
  end

  logic [127:0] chunk_q [2*NChunk];   // bank b, chunk i at b * NChunk + i
  logic [16*FB-1:0] fx_q [2*NChunk];  // the same chunks' o_fx
  always_ff @(posedge clk_i) begin
    if (&valid) chunk_q[32'(tag_out[CBits]) * NChunk + 32'(tag_out[CBits-1:0])] <= chunk;
    if (&valid) fx_q[32'(tag_out[CBits]) * NChunk + 32'(tag_out[CBits-1:0])] <= fx_chunk;
  end
  assign done_o = last_q[Lat-1];

  logic [ak_pkg::BeatBits-1:0] int8_word, fx_word;
  for (genvar k = 0; k < 4; k++) begin : g_word
    logic [31:0] ci;
    assign ci = 32'(word_i) * 4 + k;
    assign int8_word[k*128 +: 128] = ci < NChunk ? chunk_q[32'(word_bank_i) * NChunk + ci] : '0;
  end
  logic [16*FB-1:0] fx_cur;
  assign fx_cur = 32'(word_i) < NChunk ? fx_q[32'(word_bank_i) * NChunk + 32'(word_i)] : '0;
  for (genvar c = 0; c < 16; c++) begin : g_fx_word
    assign fx_word[c*32 +: 32] = {{(32-FB){fx_cur[c*FB+FB-1]}}, fx_cur[c*FB +: FB]};
  end
  assign word_o = word_ofx_i ? fx_word : int8_word;
endmodule

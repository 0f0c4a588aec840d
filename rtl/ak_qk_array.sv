// ak_qk_array: the Q.K^T PE array of Rows x KeyTile int8 MACs, output-stationary. Each enabled
// cycle takes column c of the Q tile (one byte per query row) and of the K tile (one byte per
// key) and accumulates their outer product: S[i][j] += Q[i][c] * K[j][c] (clear_i starts a new
// tile: S[i][j] = Q[i][c] * K[j][c]). capture_i copies the accumulators into the S buffer the
// softmax engine reads, on the same edge, so the next tile can start at once.
// Latency: one cycle per column; a tile of head dim d takes d enabled cycles.
module ak_qk_array #(
  parameter int Rows = ak_pkg::DefaultRows
) (
  input  logic                                   clk_i,
  input  logic                                   en_i,
  input  logic                                   clear_i,
  input  logic                                   capture_i,
  input  logic [Rows*8-1:0]                      q_col_i,   // row i: [i*8 +: 8]
  input  logic [ak_pkg::KeyTile*8-1:0]           k_col_i,   // key j: [j*8 +: 8]
  // (i, j): [(i*KeyTile + j)*ScoreBits +: ScoreBits]
  output logic [Rows*ak_pkg::KeyTile*ScoreBits-1:0]  s_o
);
  localparam int KeyTile = ak_pkg::KeyTile;
  localparam int ScoreBits = ak_pkg::ScoreBits;

  for (genvar i = 0; i < Rows; i++) begin : g_row
    for (genvar j = 0; j < KeyTile; j++) begin : g_pe
      ak_qk_pe #(.ScoreBits(ScoreBits)) u_pe (
        .clk_i, .en_i, .clear_i, .capture_i, .q_i(q_col_i[i*8 +: 8]), .k_i(k_col_i[j*8 +: 8]),
        .s_o(s_o[(i*KeyTile + j)*ScoreBits +: ScoreBits])
      );
    end
  end
endmodule

// ak_pv_engine: the P.V stage of one key tile (docs/numerics.md section 6, steps 3 and 5). It
// holds the Rows x d accumulators of a query tile as Rows x MaxHeadDim/16 groups of 16 columns
// and, after start_i, updates one (row, group) per cycle with ak_pv_acc: rescale by the row's
// shift, then add the 16 keys' p * V. Rows * d/16 cycles a tile, 256 MACs a cycle. The row's
// probabilities and shift come from the softmax engine's P buffer (p_idx_o), the values from
// the V tile buffer. clear_i starts a query tile: every group then reads as 0 until written.
// A second read port (rd_idx_i) serves the normaliser after the last tile.
module ak_pv_engine #(
  parameter int Rows       = 16,
  parameter int MaxHeadDim = 128
) (
  input  logic                                             clk_i,
  input  logic                                             rst_ni,
  input  logic                                             clear_i,
  input  logic                                             start_i,
  input  logic                                             half_i,     // P buffer half
  input  logic [1:0]                                       lg_groups_i, // log2(d/16): 1, 2, 3
  input  logic [ak_pkg::KeyTile*MaxHeadDim*8-1:0]          v_i,        // V tile (ak_tile_buf)
  output logic [$clog2(2*Rows)-1:0]                        p_idx_o,
  input  logic [ak_pkg::KeyTile*(ak_pkg::ProbFrac+1)-1:0]  p_i,
  input  logic [DeltaBits-1:0]                             delta_i,
  input  logic [$clog2(Rows*MaxG)-1:0]                     rd_idx_i,   // row * MaxG + group
  output logic [16*ak_pkg::AccBits-1:0]                    rd_acc_o
);
  localparam int KT = ak_pkg::KeyTile;
  localparam int AB = ak_pkg::AccBits;
  localparam int MaxG = MaxHeadDim / 16;
  localparam int NAcc = Rows * MaxG;
  localparam int IdxBits = $clog2(NAcc);
  localparam int DeltaBits = $clog2(AB + 2);
  localparam int EBits = $clog2(NAcc + 1);

  // the walk over (row, group), one a cycle
  logic go;
  logic [EBits-1:0] row, grp;
  // (the engine needs the position, not the step index)
  /* verilator lint_off PINCONNECTEMPTY */
  ak_group_walk #(.Rows(Rows), .MaxHeadDim(MaxHeadDim)) u_walk (
    .clk_i, .rst_ni, .start_i, .lg_groups_i, .go_o(go), .e_o(), .row_o(row), .grp_o(grp),
    .last_o()
  );
  /* verilator lint_on PINCONNECTEMPTY */
  logic [IdxBits-1:0] idx;
  assign idx = IdxBits'(32'(row) * MaxG + 32'(grp));
  assign p_idx_o = {half_i, row[$clog2(Rows)-1:0]};

  // the group's 16 columns of the 16 value rows: key j, column c at [(j*16 + c)*8 +: 8]
  logic [KT*16*8-1:0] v_grp;
  // (value row j sliced out at a constant offset first, then the group picked from the row)
  for (genvar j = 0; j < KT; j++) begin : g_v
    logic [MaxHeadDim*8-1:0] vrow;
    assign vrow = v_i[j*MaxHeadDim*8 +: MaxHeadDim*8];
    assign v_grp[j*128 +: 128] = vrow[32'(grp)*128 +: 128];
  end

  logic [16*AB-1:0] acc_q [NAcc];
  logic [NAcc-1:0] fresh_q;    // group not yet written in this query tile: reads as 0
  logic [16*AB-1:0] acc_cur, acc_new;
  assign acc_cur = fresh_q[idx] ? '0 : acc_q[idx];
  ak_pv_acc #(.Cols(16)) u_acc (
    .acc_i(acc_cur), .delta_i(delta_i), .p_i(p_i), .v_i(v_grp), .acc_o(acc_new)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) fresh_q <= '1;
    else if (clear_i) fresh_q <= '1;
    else if (go) fresh_q[idx] <= 1'b0;
  end
  always_ff @(posedge clk_i) begin
    if (go) acc_q[idx] <= acc_new;
  end

  assign rd_acc_o = fresh_q[rd_idx_i] ? '0 : acc_q[rd_idx_i];
endmodule

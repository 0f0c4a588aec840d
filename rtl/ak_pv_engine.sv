// ak_pv_engine: the P.V stage of one key tile (docs/numerics.md section 6, steps 3 and 5). It
// holds the Rows x d accumulators of a query tile as Rows x MaxHeadDim/16 groups of 16 columns
// (one ak_pv_row_acc per row), in two banks (consecutive query tiles overlap), and, after
// start_i, updates one (row, group) of bank bank_i per cycle with ak_pv_acc: rescale by the
// row's shift, then add the 16 keys' p * V. Rows * d/16 cycles a tile, 256 MACs a cycle. The row's
// probabilities and shift come from the softmax engine's P buffer (p_idx_o), the values from
// the V tile buffer. With first_i (a query tile's first key tile) the accumulators are taken
// as 0, so every group is written afresh. bank_i and first_i are held for the walk.
// A second read port (rd_bank_i, rd_row_i, rd_grp_i) serves the normaliser.
module ak_pv_engine #(
  parameter int Rows       = ak_pkg::DefaultRows,
  parameter int MaxHeadDim = ak_pkg::MaxHeadDim
) (
  input  logic                                             clk_i,
  input  logic                                             rst_ni,
  input  logic                                             start_i,
  input  logic                                             bank_i,
  input  logic                                             first_i,
  input  logic                                             half_i,     // P buffer half
  input  logic [1:0]                                       lg_groups_i, // log2(d/16): 1, 2, 3
  input  logic [ak_pkg::KeyTile*MaxHeadDim*8-1:0]          v_i,        // V tile (ak_tile_buf)
  output logic [$clog2(2*Rows)-1:0]                        p_idx_o,
  input  logic [ak_pkg::KeyTile*(ak_pkg::ProbFrac+1)-1:0]  p_i,
  input  logic [DeltaBits-1:0]                             delta_i,
  input  logic                                             rd_bank_i,
  input  logic [$clog2(Rows)-1:0]                          rd_row_i,
  input  logic [GBits-1:0]                                 rd_grp_i,
  output logic [16*ak_pkg::AccBits-1:0]                    rd_acc_o
);
  localparam int KeyTile = ak_pkg::KeyTile;
  localparam int AB = ak_pkg::AccBits;
  localparam int MaxG = MaxHeadDim / 16;
  localparam int NAcc = Rows * MaxG;
  localparam int GBits = MaxG > 1 ? $clog2(MaxG) : 1;
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
  assign p_idx_o = {half_i, row[$clog2(Rows)-1:0]};

  // the group's 16 columns of the 16 value rows: key j, column c at [(j*16 + c)*8 +: 8]
  logic [KeyTile*16*8-1:0] v_grp;
  // (value row j sliced out at a constant offset first, then the group picked from the row)
  for (genvar j = 0; j < KeyTile; j++) begin : g_v
    logic [MaxHeadDim*8-1:0] vrow;
    assign vrow = v_i[j*MaxHeadDim*8 +: MaxHeadDim*8];
    assign v_grp[j*128 +: 128] = vrow[32'(grp)*128 +: 128];
  end

  // the accumulators, a row per ak_pv_row_acc (group {bank, group}); port a serves the
  // update, port b the normaliser
  logic [16*AB-1:0] acc_a [Rows];
  logic [16*AB-1:0] acc_b [Rows];
  logic [16*AB-1:0] acc_new;
  for (genvar r = 0; r < Rows; r++) begin : g_row
    ak_pv_row_acc #(.NGroups(2*MaxG)) u_row (
      .clk_i, .we_i(go && row == EBits'(r)), .wr_grp_i({bank_i, grp[GBits-1:0]}),
      .wr_acc_i(acc_new), .a_grp_i({bank_i, grp[GBits-1:0]}), .a_acc_o(acc_a[r]),
      .b_grp_i({rd_bank_i, rd_grp_i}), .b_acc_o(acc_b[r])
    );
  end
  ak_pv_acc #(.Cols(16)) u_acc (
    .acc_i(first_i ? '0 : acc_a[row[$clog2(Rows)-1:0]]), .delta_i(delta_i), .p_i(p_i),
    .v_i(v_grp), .acc_o(acc_new)
  );
  assign rd_acc_o = acc_b[rd_row_i];
endmodule
